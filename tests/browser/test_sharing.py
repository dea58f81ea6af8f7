"""Sharing the member link, as a facilitator does it: "Copy" puts the address on the
clipboard (or, where the browser cannot, selects it and says how), and the printable
cards fit a phone and a desktop screen."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def group():
    return GroupFactory(name="Recovery circle", member_label="Thursday book club", owner=UserFactory())


def _member_url(live_server, group) -> str:
    return live_server.url + reverse("groups:member_group", args=[group.member_token])


def test_copy_puts_the_member_link_on_the_clipboard(live_server, browser, axe_check, group):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], base_url=live_server.url)
    page = context.new_page()
    sign_in(page, live_server, group.facilitators.get())
    page.goto(f"/groups/{group.pk}/")

    page.get_by_role("button", name="Copy: Member page").click()

    expect(page.locator("#member-url-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == _member_url(live_server, group)
    axe_check(page)
    context.close()


def test_without_a_clipboard_copy_selects_the_address_and_says_how(live_server, phone, group):
    phone.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    sign_in(phone, live_server, group.facilitators.get())
    phone.goto(f"{live_server.url}/groups/{group.pk}/")

    phone.get_by_role("button", name="Copy: Members' calendar feed").tap()

    expect(phone.locator("#member-feed-url-status")).to_contain_text("Selected: now copy it")
    selected = phone.evaluate("""(() => {
        const field = document.activeElement;
        return field.value.slice(field.selectionStart, field.selectionEnd);
    })()""")
    assert selected.endswith("/calendar.ics") and selected.startswith(live_server.url)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_cards_fit_the_screen_and_print_with_the_link(live_server, page, axe_check, group, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, group.facilitators.get())
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    page.get_by_role("link", name="Print cards with the link and its QR code").click()

    expect(page.get_by_role("img", name="QR code for the member link")).to_have_count(4)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    axe_check(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Cards with the member link")).to_be_hidden()
    expect(page.locator(".member-card").first).to_contain_text("Thursday book club")
    expect(page.locator(".member-card").first).not_to_contain_text("Recovery")
