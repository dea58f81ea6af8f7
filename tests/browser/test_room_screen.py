"""The room screen is a presentation page: shown on a projector (1280 x 720) it holds
only the QR code, the link, the code and a live count, with ways to close the
check-in (asking first) and to leave; nothing overflows, on a phone either."""

import re

import pytest
from playwright.sync_api import expect

from groups.checkins import services
from tests.browser.helpers import sign_in
from tests.checkins.helpers import open_window, submission
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture
def window():
    return open_window(GroupFactory(name="Recovery circle", owner=UserFactory()))


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_the_projected_screen_shows_a_large_code_a_live_count_and_closes_after_asking(
    live_server, page, axe_check, window
):
    page.set_viewport_size(PROJECTOR)
    sign_in(page, live_server, window.session.group.facilitators.get())
    screen_url = f"{live_server.url}/checkins/sessions/{window.session_id}/screen"
    page.goto(screen_url)

    expect(page.get_by_role("heading", name="Check in on your phone")).to_be_visible()
    assert page.get_by_role("navigation").count() == 0
    qr = page.get_by_role("img", name="QR code for the check-in link").bounding_box()
    assert qr["height"] >= 0.6 * PROJECTOR["height"], qr
    assert qr["y"] + qr["height"] <= PROJECTOR["height"]  # the whole code is on the wall
    expect(page.locator(".code-large")).to_have_text(window.display_code)
    assert _overflow(page) <= 0
    axe_check(page)

    # A member answers: the count on the wall follows without a reload.
    services.checkin_submit(window=window, submission=submission())
    expect(page.locator("#screen-count")).to_have_text("1 answer so far.", timeout=9000)

    page.get_by_role("button", name="Close the check-in").click()
    expect(page.get_by_role("heading", name="Close the check-in now?")).to_be_visible()
    page.get_by_role("link", name="Keep it open").click()
    expect(page).to_have_url(screen_url)
    window.refresh_from_db()
    assert window.is_open

    page.get_by_role("button", name="Close the check-in").click()
    page.get_by_role("button", name="Close it now").click()
    expect(page.get_by_text("The check-in is closed. The code no longer works.")).to_be_visible()
    window.refresh_from_db()
    assert window.is_closed


def test_leaving_the_presentation_goes_back_to_the_check_in_page(live_server, page, window):
    page.set_viewport_size(PROJECTOR)
    sign_in(page, live_server, window.session.group.facilitators.get())
    page.goto(f"{live_server.url}/checkins/sessions/{window.session_id}/screen")
    page.get_by_role("link", name="Leave presentation").click()
    expect(page).to_have_url(re.compile(rf"/checkins/sessions/{window.session_id}/$"))
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_a_check_in_closed_elsewhere_takes_its_code_off_the_wall(live_server, page, window):
    page.set_viewport_size(PROJECTOR)
    sign_in(page, live_server, window.session.group.facilitators.get())
    page.goto(f"{live_server.url}/checkins/sessions/{window.session_id}/screen")
    expect(page.get_by_role("img", name="QR code for the check-in link")).to_be_visible()

    services.window_close(window=window)

    expect(page.get_by_role("heading", name="The check-in is not open")).to_be_visible(timeout=9000)
    expect(page.get_by_role("img", name="QR code for the check-in link")).to_have_count(0)


def test_on_a_phone_the_screen_fits_and_its_controls_can_be_tapped(live_server, phone, axe_check, window):
    sign_in(phone, live_server, window.session.group.facilitators.get())
    phone.goto(f"{live_server.url}/checkins/sessions/{window.session_id}/screen")

    expect(phone.get_by_role("img", name="QR code for the check-in link")).to_be_visible()
    assert _overflow(phone) <= 0
    axe_check(phone)
    phone.get_by_role("link", name="Leave presentation").tap()
    expect(phone).to_have_url(re.compile(rf"/checkins/sessions/{window.session_id}/$"))
