import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.checkins import services
from groups.checkins.models import Answer, CheckinWindow, Response
from groups.checkins.views import MARKER_COOKIE
from tests.checkins.helpers import form_data, open_window, session_for

pytestmark = pytest.mark.django_db

LOW_WHO5 = {"item1": 1, "item2": 1, "item3": 1, "item4": 1, "item5": 1}


def _url(window) -> str:
    return reverse("checkins:checkin", kwargs={"code": window.code})


@pytest.fixture
def window(group):
    return open_window(group)


def test_the_form_has_one_fieldset_and_legend_per_scale_and_the_who5_credit(client, window):
    response = client.get(_url(window))
    html = response.content.decode()

    assert response.status_code == HTTPStatus.OK
    assert html.count("<fieldset") == 8  # five WHO-5 items, pull, connection, safe
    assert html.count("<legend") == 8
    assert "I have felt cheerful and in good spirits" in html
    assert "More than half of the time" in html
    assert "Psychiatric Research Unit" in html
    assert "No names, please" in html


def test_the_page_title_is_the_groups_neutral_label(client, window):
    html = client.get(_url(window)).content.decode()
    title = re.search(r"<title>\s*(.*?)\s*</title>", html, re.S).group(1)
    assert title == window.session.group.neutral_label


def test_codes_are_read_without_regard_to_case(client, window):
    response = client.get(reverse("checkins:checkin", kwargs={"code": window.code.lower()}))
    assert response.status_code == HTTPStatus.OK


def test_the_readings_item_lists_the_sessions_readings_when_there_are_some(client, window):
    from content.models import Reading, SessionReading, Source

    source = Source.objects.create(title="The article")
    reading = Reading.objects.create(
        source=source, title="Why they leave first", slug="leave-first", passage="Text", is_published=True
    )
    SessionReading.objects.create(session=window.session, reading=reading)

    html = client.get(_url(window)).content.decode()
    assert "Which of this session&#x27;s readings resonated with you?" in html
    assert "Why they leave first" in html

    forged = client.post(_url(window), form_data(program__resonated=[str(reading.pk), "999999"]))
    assert "Choose only readings from the list." in forged.content.decode()
    assert not Response.objects.exists()

    response = client.post(_url(window), form_data(program__resonated=[str(reading.pk)]))
    assert response.status_code == HTTPStatus.OK
    assert Answer.objects.get(version__instrument__key="program").values["resonated"] == [str(reading.pk)]


def test_the_readings_item_is_left_out_when_the_session_has_none(client, window):
    assert "readings resonated" not in client.get(_url(window)).content.decode()


def test_a_complete_check_in_is_stored_and_thanked_without_a_redirect(client, window):
    response = client.post(_url(window), form_data(program__comment="Good to be here"))

    assert response.status_code == HTTPStatus.OK
    assert "Thank you" in response.content.decode()
    # The help section is in every thank-you page (equal lengths), hidden unless needed.
    assert 'class="member-main help-quiet"' in response.content.decode()
    assert Response.objects.count() == 1
    assert Answer.objects.get(version__instrument__key="program").values["comment"] == "Good to be here"


@pytest.mark.parametrize(
    ("who5", "safe"),
    [(None, "no"), (LOW_WHO5, "yes"), ({"item1": 5, "item2": 5, "item3": 5, "item4": 5, "item5": 0}, "yes")],
)
def test_a_member_who_is_struggling_sees_the_help_resources_at_once(client, window, who5, safe):
    response = client.post(_url(window), form_data(who5=who5, safe=safe))
    html = response.content.decode()

    assert response.status_code == HTTPStatus.OK
    assert 'class="member-main help-shown"' in html
    start = html.index('class="help-now if-help"')
    help_now = html[start : html.index("</section>", start)]
    assert "It sounds like things are really hard right now" in help_now
    assert "Samaritans" in help_now and "116 123" in help_now
    assert "National Domestic Abuse Helpline" in help_now


def test_not_sure_about_safety_shows_the_gentler_help_at_once(client, window):
    html = client.post(_url(window), form_data(safe="not_sure")).content.decode()
    assert 'class="member-main help-light"' in html
    gentle = html[html.index('class="help-now-lead if-gentle"') :]
    assert "not sure you feel safe" in gentle[: gentle.index("</p>")]
    assert "Samaritans" in html  # the same helplines


def test_missing_answers_get_an_error_summary_linking_each_field_and_keep_the_rest(client, window):
    data = form_data(program__comment="kept text")
    del data["who5__item2"], data["program__safe"]
    response = client.post(_url(window), data)
    html = response.content.decode()

    assert response.status_code == HTTPStatus.OK
    assert 'id="error-summary"' in html
    assert 'href="#id_who5__item2_0"' in html and 'id="id_who5__item2_0"' in html
    assert 'href="#id_program__safe_0"' in html
    assert "Choose an answer for: I have felt calm and relaxed" in html
    assert 'value="kept text"' in html
    kept_radio = re.search(r'<input[^>]*id="id_who5__item1_2"[^>]*>', html).group(0)
    assert 'value="3"' in kept_radio and "checked" in kept_radio
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"who5__item1": "6"},
        {"who5__item1": "-1"},
        {"who5__item1": "three"},
        {"program__pull": "11"},
        {"program__safe": "definitely"},
        {"program__comment": "x" * 5000},
    ],
)
def test_out_of_range_forged_or_huge_answers_get_a_message_and_store_nothing(client, window, change):
    response = client.post(_url(window), form_data(**change))
    assert response.status_code == HTTPStatus.OK
    assert 'id="error-summary"' in response.content.decode()
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_extra_forged_fields_are_ignored_and_never_stored(client, window):
    client.post(
        _url(window), form_data(ip="203.0.113.5", session="1", who5__item9="5", program__resonated=["1"])
    )
    assert Answer.objects.count() == 2
    for answer in Answer.objects.all():
        assert not {"ip", "session", "item9", "resonated"} & set(answer.values)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_refused(client, window, method):
    assert getattr(client, method)(_url(window)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_an_unknown_code_says_so_plainly(client):
    response = client.get(reverse("checkins:checkin", kwargs={"code": "XXXXXX"}))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "We could not find that check-in" in response.content.decode()
    assert 'class="member-main help-quiet code-unknown"' in response.content.decode()


def test_a_closed_window_says_so_and_stores_nothing(client, window):
    services.window_close(window=window)
    for response in (client.get(_url(window)), client.post(_url(window), form_data())):
        assert response.status_code == HTTPStatus.NOT_FOUND  # as an unknown code
        assert "code-elapsed" in response.content.decode()
    assert not Response.objects.exists()


def test_a_window_not_yet_open_says_so(client, group):
    window = services.window_ensure(session=session_for(group))
    response = client.post(_url(window), form_data())
    assert "has not opened yet" in response.content.decode()
    assert not Response.objects.exists()


def test_a_second_answer_from_the_same_browser_session_is_turned_away(client, window):
    client.post(_url(window), form_data())
    again = client.get(_url(window))
    assert "You have already checked in" in again.content.decode()
    assert client.post(_url(window), form_data()).status_code == HTTPStatus.CONFLICT
    assert Response.objects.count() == 1


def test_the_marker_is_a_signed_browser_session_cookie_and_nothing_else_persists(client, window):
    response = client.post(_url(window), form_data())
    marker = response.cookies[MARKER_COOKIE]
    assert marker["max-age"] == "" and marker["expires"] == ""
    assert marker["httponly"] and marker["path"] == "/c/"
    assert marker.value != str(window.pk) and ":" in marker.value  # signed, not a bare id
    for name, cookie in response.cookies.items():
        assert cookie["max-age"] == "" and cookie["expires"] == "", name
    assert "sessionid" not in response.cookies


def test_a_forged_marker_is_ignored(client, window):
    client.cookies[MARKER_COOKIE] = str(window.pk)
    assert "You have already checked in" not in client.get(_url(window)).content.decode()


def test_member_pages_set_no_persistent_cookie_and_are_never_stored(client, window):
    for response in (client.get(_url(window)), client.get(reverse("checkins:enter"))):
        assert "no-store" in response.headers["Cache-Control"]
        for name, cookie in response.cookies.items():
            assert cookie["max-age"] == "" and cookie["expires"] == "", name
        assert "sessionid" not in response.cookies


def test_the_marker_does_not_stop_other_windows(client, group):
    first, second = open_window(group), open_window(group)
    client.post(_url(first), form_data())
    assert client.post(_url(second), form_data()).status_code == HTTPStatus.OK
    assert Response.objects.count() == 2


def test_a_busy_window_keeps_the_answers_and_asks_to_wait(client, window, settings):
    settings.CHECKIN_RATE_PER_MINUTE = 0
    response = client.post(_url(window), form_data(program__comment="still here"))
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "wait a few seconds" in response.content.decode()
    assert 'value="still here"' in response.content.decode()


def test_single_use_mode_asks_for_the_slip_code_and_accepts_it_once(client, window):
    code = services.single_use_codes_issue(window=window, count=1)[0]

    missing = client.post(_url(window), form_data())
    assert "Enter the code from your slip." in missing.content.decode()
    assert client.post(_url(window), form_data(slip_code=code)).status_code == HTTPStatus.OK
    reused = client.post(_url(window), form_data(slip_code=code))
    assert reused.status_code == HTTPStatus.BAD_REQUEST
    assert "already used" in reused.content.decode()
    assert Response.objects.count() == 1


def test_single_use_mode_lets_two_people_share_one_phone(client, window):
    codes = services.single_use_codes_issue(window=window, count=2)
    for code in codes:
        assert client.post(_url(window), form_data(slip_code=code)).status_code == HTTPStatus.OK
    assert Response.objects.count() == 2
    assert MARKER_COOKIE not in client.cookies or not client.cookies[MARKER_COOKIE].value


def test_typing_the_code_leads_to_the_check_in(client, window):
    typed = f" {window.code[:3].lower()}-{window.code[3:]} "
    response = client.get(reverse("checkins:enter"), {"code": typed})
    assert response.status_code == HTTPStatus.FOUND
    assert response.headers["Location"] == _url(window)


def test_a_mistyped_code_gets_a_clear_message(client):
    response = client.get(reverse("checkins:enter"), {"code": "AB"})
    assert response.status_code == HTTPStatus.OK
    assert "nine letters and numbers" in response.content.decode()
    assert 'value="AB"' in response.content.decode()


def test_the_window_mode_is_read_fresh_for_each_request(client, window):
    CheckinWindow.objects.filter(pk=window.pk).update(mode=CheckinWindow.Mode.SINGLE_USE)
    assert "The code on your slip" in client.get(_url(window)).content.decode()


def test_a_request_too_large_to_be_a_check_in_is_refused_with_a_4xx(client, window):
    huge = client.post(_url(window), form_data(program__comment="x" * (3 * 1024 * 1024)))
    many = client.post(_url(window), {**form_data(), **{f"f{n}": "1" for n in range(1500)}})
    assert huge.status_code == HTTPStatus.BAD_REQUEST
    assert many.status_code == HTTPStatus.BAD_REQUEST
    assert not Response.objects.exists()


def test_a_post_that_another_site_made_the_browser_send_is_refused(client, window):
    response = client.post(_url(window), form_data(), headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "nothing was saved" in response.content.decode()
    assert not Response.objects.exists()
    assert MARKER_COOKIE not in response.cookies


def test_a_same_origin_post_with_a_null_origin_is_accepted(client, window):
    # What a browser sends from a page whose referrer policy is no-referrer.
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}
    response = client.post(_url(window), form_data(), headers=headers)
    assert response.status_code == HTTPStatus.OK
    assert Response.objects.count() == 1


def test_the_member_form_sets_no_csrf_cookie(client, window):
    response = client.get(_url(window))
    assert "csrftoken" not in response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_a_window_past_its_closing_time_says_closed_before_the_sweep_runs(client, window):
    CheckinWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    response = client.get(_url(window))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "code-elapsed" in response.content.decode()


def test_link_previews_may_ask_for_the_headers_only(client, window):
    assert client.head(_url(window)).status_code == HTTPStatus.OK
    assert client.head(reverse("checkins:enter")).status_code == HTTPStatus.OK
    assert not Response.objects.exists()


def test_a_required_readings_item_does_not_block_a_session_without_readings(client, window):
    from groups.checkins.models import Item

    Item.objects.filter(key="resonated").update(required=True)
    response = client.post(_url(window), form_data())
    assert response.status_code == HTTPStatus.OK
    assert Response.objects.count() == 1


def test_an_instrument_changed_while_answering_stores_nothing_and_keeps_the_answers(
    client, window, monkeypatch
):
    from groups.checkins import instruments

    def changed(*, version, values):
        raise ValueError("the items changed")

    monkeypatch.setattr(instruments, "values_check", changed)
    response = client.post(_url(window), form_data(program__comment="keep me"))

    assert response.status_code == HTTPStatus.CONFLICT
    assert "Please check and send again" in response.content.decode()
    assert 'value="keep me"' in response.content.decode()
    assert not Response.objects.exists()


def test_with_every_instrument_switched_off_nothing_is_asked_or_stored(client, window):
    from groups.checkins.models import Instrument

    Instrument.objects.update(is_active=False)
    assert client.get(_url(window)).status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert client.post(_url(window), form_data()).status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert not Response.objects.exists()


def _body(html: str) -> str:
    return html[html.index("<body") :]


def test_check_in_pages_load_their_styles_and_scripts_in_the_head(client, window):
    pages = {
        "form": client.get(_url(window)),
        "unknown code": client.get(reverse("checkins:checkin", kwargs={"code": "AAAAAAAAA"})),
        "enter": client.get(reverse("checkins:enter")),
        "thanks": client.post(_url(window), form_data()),
        "already": client.get(_url(window)),
    }
    for name, page in pages.items():
        html = page.content.decode()
        head = html[: html.index("<body")]
        assert "checkins/checkin.css" in head, name
        assert 'rel="stylesheet"' not in _body(html) and "<script" not in _body(html), name
    assert "checkins/checkin.js" in pages["form"].content.decode().split("<body")[0]
