"""Member pages kept as text (groups/pages.py): a kept page is the page the request
would have rendered, never another member's, and never out of date."""

import re
from http import HTTPStatus

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation

from groups import pages
from groups.checkins.instruments import SafetySignal
from groups.checkins.models import SEND_KEY_PATTERN, Item
from groups.models import HelpResource
from groups.views import member_page
from tests.checkins.helpers import form_data, open_window

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="send_key" value="([^"]*)"')


@pytest.fixture(autouse=True)
def _no_kept_pages():
    pages.pages_forget()
    yield
    pages.pages_forget()


def _url(window) -> str:
    return reverse("checkins:checkin", kwargs={"code": window.code})


@pytest.mark.parametrize(
    ("template", "values", "fill"),
    [
        ("checkins/checkin_thanks.html", {"signal": SafetySignal(False, False)}, {"label": "Tuesday group"}),
        ("checkins/checkin_thanks.html", {"signal": SafetySignal(True, False)}, {"label": "Tuesday group"}),
        (
            "checkins/checkin_thanks.html",
            {"signal": SafetySignal(False, False, True)},
            {"label": "Tom & <Jo>"},
        ),
        ("checkins/checkin_already.html", {"signal": None}, {"label": "Tuesday \"group\" 'A'"}),
        ("checkins/checkin_unavailable.html", {"state": "unknown", "signal": SafetySignal(True, True)}, {}),
        ("checkins/checkin_refused.html", {"signal": None}, {}),
    ],
)
def test_a_kept_page_is_the_page_rendered_for_the_request_byte_for_byte(template, values, fill):
    request = RequestFactory().get("/c/ABCDEFGHJ")
    rendered = member_page(request, template, {**values, **fill}).content.decode()

    first = pages.page_text(template, values, fill=fill)
    again = pages.page_text(template, values, fill=fill)

    assert first == again == rendered
    assert len(pages._pages) == 1  # rendered once, served again
    assert "\x00" not in first


def test_one_kept_page_serves_every_group_each_with_its_own_label(client, group):
    from tests.factories import GroupFactory

    other = GroupFactory(member_label="Thursday circle")
    group.member_label = "Tuesday group"
    group.save()
    windows = [open_window(group), open_window(other)]

    thanks = []
    for n, window in enumerate(windows):
        assert "Tuesday group" in client.get(_url(windows[0])).content.decode()
        thanks.append(client.post(_url(window), form_data(send_key=f"{n}" * 24)).content.decode())
        client.cookies.clear()

    assert "<title>" in thanks[0]
    assert "Tuesday group" in thanks[0] and "Thursday circle" not in thanks[0]
    assert "Thursday circle" in thanks[1] and "Tuesday group" not in thanks[1]
    assert len(pages._pages) == 2  # the form page and the calm thank-you page, for both groups


def test_a_template_that_does_not_write_a_filled_value_as_given_is_refused():
    with pytest.raises(ValueError, match="cannot be filled in"):
        pages.page_text("checkins/checkin_refused.html", {"signal": None}, fill={"label": "Tuesday group"})


def test_every_copy_of_the_form_page_has_its_own_send_key_and_the_rest_is_the_same(client, group):
    window = open_window(group)
    first, second = client.get(_url(window)), client.get(_url(window))

    keys = [KEY.search(response.content.decode()).group(1) for response in (first, second)]
    assert all(re.fullmatch(SEND_KEY_PATTERN, key) for key in keys)
    assert keys[0] != keys[1]
    assert pages_without_key(first) == pages_without_key(second)
    assert "\x00" not in first.content.decode()
    assert first["Cache-Control"] == second["Cache-Control"]
    assert "no-store" in first["Cache-Control"]


def pages_without_key(response) -> str:
    return KEY.sub("", response.content.decode())


def test_the_kept_form_page_is_the_form_rendered_for_the_request(client, group):
    from groups.checkins import instruments, selectors
    from groups.checkins.forms import CheckinForm

    window = open_window(group)
    served = client.get(_url(window)).content.decode()
    key = KEY.search(served).group(1)
    form = CheckinForm(
        versions=instruments.current_versions(), readings=selectors.session_readings(session=window.session)
    )
    context = {"label": group.neutral_label, "form": form, "send_key": key}
    rendered = member_page(RequestFactory().get(_url(window)), "checkins/checkin_form.html", context)

    assert served == rendered.content.decode()


def test_a_new_label_shows_on_the_next_visit(client, group):
    window = open_window(group)
    client.get(_url(window))
    group.member_label = "Thursday <circle>"
    group.save()

    assert "Thursday &lt;circle&gt;" in client.get(_url(window)).content.decode()


def test_a_reading_assigned_while_the_check_in_is_open_shows_on_the_next_visit(client, group):
    from content.models import Reading, SessionReading, Source

    window = open_window(group)
    client.get(_url(window))
    reading = Reading.objects.create(
        source=Source.objects.create(title="The article"),
        title="Why they leave first",
        slug="leave-first",
        passage="Text",
        is_published=True,
    )
    SessionReading.objects.create(session=window.session, reading=reading)

    assert "Why they leave first" in client.get(_url(window)).content.decode()


def test_an_edited_question_shows_on_the_next_visit(client, group):
    window = open_window(group)
    client.get(_url(window))
    Item.objects.filter(key="pull").update(prompt="How strong was the pull this week?")

    assert "How strong was the pull this week?" in client.get(_url(window)).content.decode()


def test_an_edited_helpline_shows_on_the_next_thank_you_page(client, group):
    window = open_window(group)
    client.post(_url(window), form_data(send_key="a" * 24))
    HelpResource.objects.create(name="Night line for tonight", phone="0800 000 111", active=True)

    client.cookies.clear()
    html = client.post(_url(window), form_data(send_key="b" * 24)).content.decode()

    assert "Night line for tonight" in html


def test_each_language_has_its_own_kept_page():
    values = {"label": "Group", "signal": None}
    english = pages.page_text("checkins/checkin_already.html", values)
    with translation.override("cy"):
        other = pages.page_text("checkins/checkin_already.html", values)
    assert pages.page_text("checkins/checkin_already.html", values) is english
    assert other is not english


def test_a_change_of_settings_forgets_the_kept_pages():
    values = {"signal": None}
    with override_settings(QUICK_EXIT_URL="https://example.org/first"):
        assert "https://example.org/first" in pages.page_text("checkins/checkin_refused.html", values)
    with override_settings(QUICK_EXIT_URL="https://example.org/second"):
        assert "https://example.org/second" in pages.page_text("checkins/checkin_refused.html", values)


def test_no_more_than_keep_pages_are_kept_and_the_least_recently_served_goes_first(monkeypatch):
    monkeypatch.setattr(pages, "KEEP", 3)
    first = pages.page_text("checkins/checkin_already.html", {"label": "1", "signal": None})
    for label in ("2", "3"):
        pages.page_text("checkins/checkin_already.html", {"label": label, "signal": None})
    assert pages.page_text("checkins/checkin_already.html", {"label": "1", "signal": None}) is first
    pages.page_text("checkins/checkin_already.html", {"label": "4", "signal": None})

    assert len(pages._pages) == 3
    # "2" was the least recently served: rendered again, "1" still kept.
    assert pages.page_text("checkins/checkin_already.html", {"label": "1", "signal": None}) is first


def test_the_thank_you_page_is_one_of_three_per_label_whatever_was_answered(client, group):
    window = open_window(group)
    sent = []
    for n, who5 in enumerate([None, {f"item{i}": 0 for i in range(1, 6)}]):
        client.cookies.clear()
        response = client.post(_url(window), form_data(who5=who5, send_key=f"{n}" * 24))
        assert response.status_code == HTTPStatus.OK
        sent.append(response.content.decode())
    assert len(sent[0]) == len(sent[1])
    # Two kept pages: the thank-you page calm and with help (a POST keeps no form page).
    assert len(pages._pages) == 2
