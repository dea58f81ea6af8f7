"""Where keyboard focus is, anyone can see it: on every focusable element a person reaches
with Tab, in the member, facilitator and admin layouts, the outline is at least 2 px and
at least 3:1 against what it is drawn on (WCAG 1.4.11, 2.4.13). Measured from the
computed styles, not assumed."""

import re

import pytest

from groups.checkins import services as checkin_services
from tests.browser.helpers import sign_in
from tests.checkins.helpers import open_window
from tests.factories import AdminFactory, GroupFactory, UserFactory

# serialized_rollback: the instruments come from data migrations.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TABS = 40

# What the focused element looks like, and the first opaque background behind its
# outline (the outline sits outside the element, so its parent's, and so on up).
MEASURE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el);
  let node = el.parentElement, bg = null;
  while (node) {
    const b = getComputedStyle(node).backgroundColor;
    if (b && b !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(b)) { bg = b; break; }
    node = node.parentElement;
  }
  return {
    width: parseFloat(cs.outlineWidth), style: cs.outlineStyle, color: cs.outlineColor,
    bg: bg || getComputedStyle(document.documentElement).backgroundColor || 'rgb(255, 255, 255)',
    what: el.outerHTML.slice(0, 90),
  };
}"""


def _rgb(text: str) -> tuple[float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", text)[:3]]
    return parts[0], parts[1], parts[2]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_of_known_colours():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    # The old amber ring on the page background, as the audit measured it.
    assert contrast("rgb(242, 169, 0)", "rgb(251, 250, 247)") == pytest.approx(1.93, abs=0.02)


def _tab_through(page, url: str) -> list[dict]:
    page.goto(url)
    seen, found = set(), []
    for _n in range(TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(MEASURE)
        if focused is None or focused["what"] in seen:
            continue
        seen.add(focused["what"])
        found.append(focused)
    return found


def _assert_visible(found: list[dict]) -> None:
    assert len(found) >= 3, found
    bad = [
        (f["what"], f["width"], f["style"], round(contrast(f["color"], f["bg"]), 2), f["color"], f["bg"])
        for f in found
        if f["style"] == "none" or f["width"] < 2 or contrast(f["color"], f["bg"]) < 3
    ]
    assert not bad, "\n".join(map(str, bad))


@pytest.mark.parametrize("width", [360, 1280])
def test_the_member_layout_shows_focus(live_server, browser, width):
    owner = UserFactory()
    window = open_window(GroupFactory(owner=owner))
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    _assert_visible(_tab_through(page, f"{live_server.url}/c/{window.code}"))
    _assert_visible(_tab_through(page, f"{live_server.url}/accessibility"))
    context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_facilitator_layout_shows_focus(live_server, browser, width):
    owner = UserFactory()
    group = GroupFactory(owner=owner)
    checkin_services.window_ensure(session=open_window(group).session)
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, owner)
    _assert_visible(_tab_through(page, f"{live_server.url}/"))
    _assert_visible(_tab_through(page, f"{live_server.url}/groups/{group.pk}/"))
    context.close()


def test_the_admin_layout_shows_focus(live_server, browser):
    admin = AdminFactory()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, admin)
    _assert_visible(_tab_through(page, f"{live_server.url}/admin/"))
    _assert_visible(_tab_through(page, f"{live_server.url}/admin/groups/group/"))
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/groups/group/",
        "/admin/content/reading/",
        "/admin/checkins/safetyguidance/",
        "/admin/groups/accessibilitystatement/",
    ],
)
def test_the_admin_pages_an_admin_uses_pass_axe(live_server, page, axe_check, path):
    from content.services import library_load

    library_load()
    GroupFactory(owner=UserFactory())
    sign_in(page, live_server, AdminFactory())
    page.goto(f"{live_server.url}{path}")
    axe_check(page)


def test_the_admins_breadcrumbs_are_readable_and_its_filter_links_big_enough(live_server, page):
    from content.services import library_load

    library_load()
    sign_in(page, live_server, AdminFactory())
    page.goto(f"{live_server.url}/admin/content/reading/")
    crumbs = page.evaluate(
        """() => {
          const bar = document.querySelector('div.breadcrumbs');
          const link = bar.querySelector('a');
          return {bg: getComputedStyle(bar).backgroundColor, text: getComputedStyle(bar).color,
                  link: getComputedStyle(link).color, line: getComputedStyle(link).textDecorationLine};
        }"""
    )
    assert contrast(crumbs["text"], crumbs["bg"]) >= 4.5, crumbs
    assert contrast(crumbs["link"], crumbs["bg"]) >= 4.5, crumbs
    assert "underline" in crumbs["line"], crumbs
    heights = page.eval_on_selector_all(
        "#changelist-filter a", "links => links.map(a => a.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 24, heights
