"""A member on a phone: the group page, help, and quick exit by button and by Shift x3."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Session
from groups.services import help_resources_add_defaults
from tests.factories import GroupFactory, SessionFactory, UserFactory

# serialized_rollback: keep the helplines the data migration loaded, and flush without
# re-running post_migrate, so later serialized tests can restore the database.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EXIT_URL = "https://weather.example/today"


@pytest.fixture
def member_url(live_server, settings):
    settings.QUICK_EXIT_URL = EXIT_URL
    help_resources_add_defaults()  # an earlier transactional test flushed the migration's rows
    group = GroupFactory(name="Recovery from abuse, north", member_label="Tuesday group", owner=UserFactory())
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=2))
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=9), status=Session.Status.CANCELLED)
    return f"{live_server.url}/g/{group.member_token}"


@pytest.fixture
def neutral_site(phone):
    """Stand in for the neutral site: the tests have no network."""
    phone.route(
        EXIT_URL, lambda route: route.fulfill(content_type="text/html", body="<title>Weather</title><p>Sunny")
    )
    return phone


def test_the_member_page_on_a_phone_is_neutral_accessible_and_lists_help(member_url, phone, axe_check):
    requests = []
    phone.on("request", lambda request: requests.append(request.url))

    phone.goto(member_url)

    expect(phone).to_have_title("Tuesday group")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Tuesday group")
    expect(phone.locator(".session-cancelled")).to_contain_text("Cancelled")
    expect(phone.get_by_role("link", name="Leave this site")).to_be_visible()
    expect(phone.get_by_role("link", name="Call 0808 2000 247")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert all(url.startswith(member_url.split("/g/")[0]) for url in requests)
    assert phone.context.cookies() == []
    axe_check(phone)

    phone.get_by_role("link", name="Browsing safely").click()
    expect(phone.get_by_role("heading", name="What it does not hide")).to_be_visible()
    axe_check(phone)


def test_the_quick_exit_button_leaves_and_back_does_not_return(member_url, neutral_site):
    page = neutral_site
    page.goto(member_url)

    page.get_by_role("link", name="Leave this site").click()

    page.wait_for_url(EXIT_URL)
    expect(page).to_have_title("Weather")
    page.go_back()
    assert "/g/" not in page.url


def test_pressing_shift_three_times_leaves_the_site(member_url, neutral_site):
    page = neutral_site
    page.goto(member_url)

    for _ in range(3):
        page.keyboard.press("Shift")

    page.wait_for_url(EXIT_URL)
    expect(page).to_have_title("Weather")


def test_typing_capital_letters_does_not_trigger_quick_exit(member_url, neutral_site):
    page = neutral_site
    page.goto(member_url)
    # A text field like the check-in's comment line (added for the test).
    page.evaluate(
        "() => { const i = document.createElement('input'); i.id = 't'; i.setAttribute('aria-label', 'Note');"
        " document.querySelector('main').append(i); }"
    )

    page.locator("#t").press_sequentially("ABC")

    expect(page.locator("#t")).to_have_value("ABC")
    assert "/g/" in page.url


def test_the_sticky_button_never_covers_the_focused_field(member_url, phone):
    phone.goto(member_url)
    # Fields like the check-in form's (added for the test), tall enough to scroll.
    phone.evaluate(
        "() => { const main = document.querySelector('main');"
        " for (let n = 0; n < 30; n++) { const i = document.createElement('input');"
        " i.setAttribute('aria-label', 'Field ' + n); main.append(i); } }"
    )
    fields = phone.locator("main input")
    bar = phone.locator("#quick-exit-bar")
    # Scroll so that field 10 sits half under the sticky bar and field 11 just below it.
    field_top = fields.nth(10).evaluate("el => el.getBoundingClientRect().top + window.scrollY")
    bar_height = bar.bounding_box()["height"]
    phone.evaluate(f"window.scrollTo(0, {field_top} - {bar_height} + 10)")
    fields.nth(11).evaluate("el => el.focus({preventScroll: true})")

    phone.keyboard.press("Shift+Tab")  # back to field 10, by keyboard

    expect(fields.nth(10)).to_be_focused()
    bar_box = bar.bounding_box()
    assert fields.nth(10).bounding_box()["y"] >= bar_box["y"] + bar_box["height"]
    assert "/g/" in phone.url
