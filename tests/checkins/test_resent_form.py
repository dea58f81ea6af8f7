"""A check-in form sent twice is stored once (issue 18): when a web node dies after
storing an answer but before replying, nginx sends the same POST to the other node
(or the member presses Send again on the error page). Each copy of the form carries
a random key; the key of a stored form is kept, as a digest apart from the answer,
until the window closes."""

import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from groups.checkins import services
from groups.checkins.models import Answer, Response, SentForm
from tests.checkins.helpers import form_data, open_window, submission, who5_all

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="send_key" value="([A-Za-z0-9_-]+)"')


def _url(window) -> str:
    return reverse("checkins:checkin", kwargs={"code": window.code})


def _key(page) -> str:
    return KEY.search(page.content.decode()).group(1)


@pytest.fixture
def window(group):
    return open_window(group)


def test_each_copy_of_the_form_carries_its_own_random_key_of_one_length(client, window):
    keys = {_key(Client().get(_url(window))) for _ in range(5)}
    assert len(keys) == 5
    assert {len(key) for key in keys} == {24}


def test_the_same_form_sent_twice_is_stored_once_and_thanked_twice(window):
    key = _key(Client().get(_url(window)))
    data = form_data(who5=who5_all(1), send_key=key)
    # The first reply is lost (its cookie never reaches the phone); the resend comes
    # from the same browser, without the marker.
    first, resent = Client().post(_url(window), data), Client().post(_url(window), data)

    for page in (first, resent):
        assert page.status_code == HTTPStatus.OK
        assert "Your answers are saved" in page.content.decode()
        assert 'class="member-main help-shown"' in page.content.decode()  # the help, both times
    assert Response.objects.count() == 1 and Answer.objects.count() == 2


def test_two_members_each_with_their_own_form_are_both_stored(window):
    for _ in range(2):
        member = Client()
        member.post(_url(window), form_data(send_key=_key(member.get(_url(window)))))
    assert Response.objects.count() == 2


def test_a_resent_form_with_a_slip_code_is_thanked_not_told_the_code_is_used(window):
    code = services.single_use_codes_issue(window=window, count=1)[0]
    key = _key(Client().get(_url(window)))
    data = form_data(slip_code=code, send_key=key)
    assert Client().post(_url(window), data).status_code == HTTPStatus.OK
    resent = Client().post(_url(window), data)
    assert resent.status_code == HTTPStatus.OK
    assert "already used" not in resent.content.decode()
    assert Response.objects.count() == 1


def test_the_same_copy_sent_with_another_slip_code_is_another_person(window):
    first, second = services.single_use_codes_issue(window=window, count=2)
    key = _key(Client().get(_url(window)))
    phone = Client()  # a phone passed round the room, the page not reloaded
    for code in (first, second):
        assert phone.post(_url(window), form_data(slip_code=code, send_key=key)).status_code == HTTPStatus.OK
    assert Response.objects.count() == 2


def test_a_refused_send_keeps_no_key_so_sending_again_later_stores_it(window, settings):
    key = _key(Client().get(_url(window)))
    settings.CHECKIN_RATE_PER_MINUTE = 0
    busy = Client().post(_url(window), form_data(send_key=key))
    assert busy.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert _key(busy) == key  # the page asking to wait keeps the same copy of the form
    settings.CHECKIN_RATE_PER_MINUTE = 100
    assert Client().post(_url(window), form_data(send_key=key)).status_code == HTTPStatus.OK
    assert Response.objects.count() == 1


@pytest.mark.parametrize("forged", ["", "short", "x" * 200, "not a key!", "é" * 24])
def test_a_missing_or_forged_key_is_ignored_and_the_answer_stored(client, window, forged):
    page = client.post(_url(window), form_data(send_key=forged))
    assert page.status_code == HTTPStatus.OK
    assert Response.objects.count() == 1
    assert not SentForm.objects.exists()


def test_the_key_is_kept_as_a_digest_without_time_or_link_and_goes_when_the_window_closes(window):
    key = "k" * 24
    services.checkin_submit(window=window, submission=submission(), send_key=key)
    stored = SentForm.objects.get()
    assert key not in stored.digest and len(stored.digest) == 64
    fields = {field.name: field for field in SentForm._meta.concrete_fields}
    assert set(fields) == {"id", "window", "digest"}
    assert fields["id"].get_internal_type() == "UUIDField"
    assert not any(
        f.is_relation and f.related_model in (Response, Answer) for f in SentForm._meta.get_fields()
    )

    services.window_close(window=window)
    assert not SentForm.objects.exists()


def test_the_same_key_in_another_window_is_another_form(group):
    first, second = open_window(group), open_window(group)
    for window in (first, second):
        services.checkin_submit(window=window, submission=submission(), send_key="k" * 24)
    assert Response.objects.count() == 2


def test_a_resent_form_does_not_count_towards_the_rate_limit_or_the_cap(window, settings):
    settings.CHECKIN_MAX_PER_WINDOW = 1
    for _ in range(3):
        services.checkin_submit(window=window, submission=submission(), send_key="k" * 24)
    window.refresh_from_db()
    assert window.answers_taken == 1 and window.attempts == 1
