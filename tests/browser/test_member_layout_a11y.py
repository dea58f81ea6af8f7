"""The member layout for a disabled member on a borrowed phone: nothing sticky covers the
focused element or its question (the bar measured, not assumed), the skip link covers no
control, and every member page passes axe-core with no violation of any impact."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.checkins.helpers import open_window
from tests.factories import GroupFactory, UserFactory

# serialized_rollback: the instruments come from data migrations.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = [320, 360, 1280]

OBSCURED = """() => {
  const bar = document.getElementById('quick-exit-bar').getBoundingClientRect();
  const el = document.activeElement;
  if (!el || el === document.body) return null;  // past the last control: the browser's own
  const rect = el.getBoundingClientRect();
  const question = el.closest('.question');
  const words = question ? question.querySelector('legend, label') || question : el;
  const text = words.getBoundingClientRect();
  return {barBottom: bar.bottom, top: rect.top, questionTop: text.top, inBar: bar.height > 0 &&
          document.getElementById('quick-exit-bar').contains(el), what: el.outerHTML.slice(0, 80)};
}"""


@pytest.fixture
def window():
    return open_window(GroupFactory(owner=UserFactory()))


def _phone(browser, width: int):
    mobile = width < 1000
    context = browser.new_context(
        viewport={"width": width, "height": 740}, is_mobile=mobile, has_touch=mobile
    )
    return context, context.new_page()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_error_summary_link_shows_its_whole_question_below_the_bar(live_server, browser, window, width):
    context, page = _phone(browser, width)
    page.goto(f"{live_server.url}/c/{window.code}")
    page.get_by_role("button", name="Send").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    links = summary.get_by_role("link")
    for n in range(links.count()):
        page.goto(f"{live_server.url}/c/{window.code}")
        page.get_by_role("button", name="Send").click()
        summary.get_by_role("link").nth(n).click()
        seen = page.evaluate(OBSCURED)
        assert seen["questionTop"] >= seen["barBottom"] - 0.5, seen
        assert seen["top"] >= seen["barBottom"] - 0.5, seen
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_tabbing_through_the_check_in_never_puts_focus_under_the_bar(live_server, browser, window, width):
    context, page = _phone(browser, width)
    page.goto(f"{live_server.url}/c/{window.code}")
    for _n in range(45):
        page.keyboard.press("Tab")
        seen = page.evaluate(OBSCURED)
        if seen and not seen["inBar"]:
            assert seen["top"] >= seen["barBottom"] - 0.5, (seen["what"], seen["top"], seen["barBottom"])
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_skip_link_covers_no_control_when_focused(live_server, browser, window, width):
    context, page = _phone(browser, width)
    page.goto(f"{live_server.url}/c/{window.code}")
    skip = page.get_by_role("link", name="Skip to main content")
    skip.focus()
    expect(skip).to_be_visible()
    box = skip.bounding_box()
    leave = page.get_by_role("link", name="Leave this site").bounding_box()
    overlap = not (
        box["x"] + box["width"] <= leave["x"]
        or leave["x"] + leave["width"] <= box["x"]
        or box["y"] + box["height"] <= leave["y"]
        or leave["y"] + leave["height"] <= box["y"]
    )
    assert not overlap, (box, leave)
    # Wholly on the screen, at 320 px too.
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    context.close()


_axe = Axe()


@pytest.mark.parametrize("width", [360, 1280])
def test_every_member_page_passes_axe_with_no_violation_at_all(live_server, browser, window, width):
    group = window.session.group
    context, page = _phone(browser, width)
    pages = [
        f"/c/{window.code}",
        "/c/",
        f"/g/{group.member_token}",
        "/help",
        "/safety",
        "/accessibility",
    ]
    problems = []
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        for violation in _axe.run(page).response["violations"]:
            problems.append(
                f"{path}: {violation['id']} ({violation['impact']}) {violation['nodes'][0]['target']}"
            )
    # The answer to a send with the help section, and a form with errors.
    page.goto(f"{live_server.url}/c/{window.code}")
    page.get_by_role("button", name="Send").click()
    for violation in _axe.run(page).response["violations"]:
        problems.append(f"errors: {violation['id']} ({violation['impact']})")
    assert not problems, "\n".join(problems)
    context.close()
