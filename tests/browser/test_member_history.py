"""Nothing a member did can be read off the phone afterwards: the visit is one history
entry, leaving replaces it, Back after leaving never shows a member page or an answer,
a form shown again is empty; and Shift pressed three times works as GOV.UK's Exit
This Page does (five seconds, counted on key-up, shown and announced)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.checkins.models import Response
from groups.services import help_resources_add_defaults
from tests.checkins.helpers import open_window
from tests.factories import GroupFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EXIT_URL = "https://weather.example/today"
ELSEWHERE = "https://news.example/"
MEMBER_PATH = re.compile(r"/(g|c)/|/help$|/safety$|/accessibility$")


@pytest.fixture
def site(live_server, settings, phone):
    settings.QUICK_EXIT_URL = EXIT_URL
    help_resources_add_defaults()
    group = GroupFactory(name="Recovery circle", member_label="Tuesday group", owner=UserFactory())
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=2))
    for url, title in ((EXIT_URL, "Weather"), (ELSEWHERE, "News")):
        phone.route(
            url,
            lambda route, title=title: route.fulfill(
                content_type="text/html", body=f"<title>{title}</title>"
            ),
        )
    # The helplines' websites: anywhere outside the site.
    phone.route(
        re.compile(r"https://www\.(samaritans|nationaldahelpline)\.org.*"),
        lambda route: route.fulfill(content_type="text/html", body="<title>Helpline</title>"),
    )
    return {
        "group": f"{live_server.url}/g/{group.member_token}",
        "check_in": f"{live_server.url}/c/{open_window(group).code}",
    }


def _history_length(phone) -> int:
    return phone.evaluate("history.length")


def _answer_by_taps(phone, *, safe: str = "No") -> None:
    for question in phone.locator(".checkin-form fieldset.question").all():
        options = question.locator(".option")
        if question.get_by_role("radio").count() == 0:
            continue
        if "safe right now" in question.locator("legend").inner_text():
            question.get_by_text(safe, exact=True).tap()
        else:
            options.nth(1).locator(".option-text").tap()


def _script_ready(phone) -> None:
    """The member pages' script (loaded with "defer") has run: a tap before it would be
    an ordinary navigation, as it is without JavaScript."""
    phone.wait_for_selector("html[data-member-script=ready]", state="attached")


def _back_until_the_history_runs_out(phone) -> list[str]:
    """Press Back until nothing is left; every page shown on the way."""
    seen = []
    for _ in range(10):
        before = phone.url
        if phone.go_back(wait_until="load") is None and phone.url == before:
            break
        phone.wait_for_load_state("load")
        seen.append(phone.url)
    return seen


def test_the_whole_visit_is_one_history_entry_and_leaving_replaces_it(site, phone):
    phone.goto(ELSEWHERE)
    phone.goto(site["check_in"])  # scanned the QR code
    start = _history_length(phone)

    _script_ready(phone)
    phone.get_by_role("link", name="Where to get help").tap()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    _script_ready(phone)
    phone.get_by_role("link", name="Browsing safely").tap()
    expect(phone.get_by_role("heading", level=1, name="Browsing safely")).to_be_visible()
    _script_ready(phone)
    phone.goto(site["check_in"])  # back to the check-in, by its link again
    assert _history_length(phone) == start + 1
    start = _history_length(phone)
    _answer_by_taps(phone)
    phone.get_by_role("button", name="Send my answers").tap()
    expect(phone.locator(".help-now")).to_be_visible()  # the thank-you page, with help
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you for telling us how you are")
    assert Response.objects.count() == 1
    assert _history_length(phone) == start

    phone.get_by_role("link", name="Leave this site").tap()
    expect(phone).to_have_url(EXIT_URL)

    seen = _back_until_the_history_runs_out(phone)
    assert not [url for url in seen if MEMBER_PATH.search(url)], seen
    assert ELSEWHERE in seen


def test_after_shift_three_times_back_never_shows_a_member_page(site, phone):
    phone.goto(ELSEWHERE)
    phone.goto(site["group"])
    phone.goto(site["check_in"])  # two entries of the site: opened twice
    phone.keyboard.press("Shift")
    phone.keyboard.press("Shift")
    phone.keyboard.press("Shift")
    expect(phone).to_have_url(EXIT_URL)

    seen = _back_until_the_history_runs_out(phone)
    assert not [url for url in seen if MEMBER_PATH.search(url)], seen
    # Coming back on purpose, by the link, still works.
    phone.goto(site["group"])
    expect(phone.get_by_role("link", name="Leave this site")).to_be_visible()


def test_back_to_a_half_filled_form_shows_no_earlier_answer(site, phone):
    phone.goto(site["check_in"])
    phone.get_by_role("group", name=re.compile("cheerful")).get_by_text("Most of the time").tap()
    phone.get_by_label(re.compile("Anything you would like the facilitators to know")).fill("my words")
    # A helpline's website, then Back.
    phone.locator(".member-help").get_by_role("link", name=re.compile("Website")).first.tap()
    expect(phone).to_have_title("Helpline")

    phone.go_back(wait_until="load")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Check-in")
    expect(phone.locator(".checkin-form input:checked")).to_have_count(0)
    expect(phone.get_by_label(re.compile("Anything you would like the facilitators to know"))).to_have_value(
        ""
    )


def test_shift_presses_two_seconds_apart_still_leave_and_each_is_shown_and_announced(site, phone):
    phone.goto(site["group"])
    presses = phone.locator("#quick-exit-presses")
    status = phone.locator("#quick-exit-status")
    expect(presses).to_be_hidden()

    phone.keyboard.press("Shift")
    expect(presses).to_be_visible()
    expect(presses.locator(".pressed")).to_have_count(1)
    expect(status).to_have_text(re.compile("2 more times"))
    phone.wait_for_timeout(2000)
    phone.keyboard.press("Shift")
    expect(presses.locator(".pressed")).to_have_count(2)
    expect(status).to_have_text(re.compile("1 more time"))
    phone.wait_for_timeout(2000)
    phone.keyboard.press("Shift")

    expect(phone).to_have_url(EXIT_URL)


def test_shift_presses_spread_over_more_than_five_seconds_do_not_leave(site, phone):
    phone.goto(site["group"])
    phone.keyboard.press("Shift")
    phone.keyboard.press("Shift")
    phone.wait_for_timeout(5300)
    expect(phone.locator("#quick-exit-presses")).to_be_hidden()
    phone.keyboard.press("Shift")
    expect(phone).to_have_url(re.compile("/g/"))


def test_shift_is_counted_as_it_comes_up_and_another_key_starts_again(site, phone):
    phone.goto(site["group"])
    phone.keyboard.down("Shift")
    phone.keyboard.down("Shift")  # held: a key repeats, but it is one press
    expect(phone.locator("#quick-exit-presses")).to_be_hidden()
    phone.keyboard.up("Shift")
    expect(phone.locator("#quick-exit-presses .pressed")).to_have_count(1)
    phone.keyboard.press("Shift")
    phone.keyboard.press("a")
    expect(phone.locator("#quick-exit-presses")).to_be_hidden()
    phone.keyboard.press("Shift")
    expect(phone).to_have_url(re.compile("/g/"))
