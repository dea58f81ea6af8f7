"""Every table and chart works on a 360 px phone and a 1280 px screen: nothing
overflows the page; a table wider than its box scrolls inside it, says so above it,
and keeps its first column in view; charts keep labels a person can read."""

import itertools

import pytest
from playwright.sync_api import expect

from groups.checkins.demo import demo_trends_ensure
from groups.demo import demo_group_ensure
from tests.browser.helpers import sign_in
from tests.factories import AdminFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = [360, 1280]
SMALLEST_LABEL_PX = 10


@pytest.fixture
def history():
    facilitator = UserFactory(email="dana@example.org", display_name="Dana")
    group = demo_group_ensure(owner=facilitator)
    demo_trends_ensure(group=group)
    for n in range(3):
        GroupFactory(name=f"Thursday evening group number {n}", owner=facilitator)
    return group


def _pages(group) -> list[str]:
    session = group.sessions.filter(checkin_rollup__status="released").order_by("-starts_at").first()
    return [
        f"/checkins/groups/{group.pk}/trends",
        f"/checkins/groups/{group.pk}/trends/report",
        f"/checkins/sessions/{session.pk}/results",
        f"/checkins/groups/{group.pk}/blocks/1",
        "/checkins/program",
    ]


def _boxes(page) -> list[dict]:
    return page.evaluate(
        """[...document.querySelectorAll('.table-scroll')].map(box => {
            const hint = box.previousElementSibling;
            return {
                label: box.getAttribute('aria-label'),
                wider: box.scrollWidth > box.clientWidth + 1,
                hint: !!hint && hint.classList.contains('scroll-hint') && !hint.hidden
                    && hint.getBoundingClientRect().height > 0,
            };
        })"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_overflows_and_every_wide_table_says_it_scrolls(live_server, page, history, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, AdminFactory(email="ada@example.org"))
    for path in _pages(history):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
        for box in _boxes(page):
            assert box["hint"] == box["wider"], (path, box)


def test_at_1280_the_program_table_shows_every_month(live_server, page, history):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, AdminFactory(email="ada@example.org"))
    page.goto(f"{live_server.url}/checkins/program")
    (program,) = [box for box in _boxes(page) if box["label"].startswith("Program table")]
    assert not program["wider"]
    expect(page.get_by_role("columnheader").last).to_be_in_viewport()


def test_on_a_phone_the_trend_table_scrolls_with_its_first_column_in_view(live_server, phone, history):
    sign_in(phone, live_server, history.facilitators.get())
    phone.goto(f"{live_server.url}/checkins/groups/{history.pk}/trends")
    box = phone.get_by_role("region", name="WHO-5 table, scrolls sideways")
    expect(phone.get_by_text("Scroll sideways to see every column.").first).to_be_visible()

    box.evaluate("box => box.scrollLeft = box.scrollWidth")
    first = box.get_by_role("columnheader").first
    box_left = box.bounding_box()["x"]
    assert abs(first.bounding_box()["x"] - box_left) <= 1  # still at the left edge
    expect(first).to_have_text("Session")


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_labels_stay_legible(live_server, page, history, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, history.facilitators.get())
    page.goto(f"{live_server.url}/checkins/groups/{history.pk}/trends")
    for name in ("WHO-5 wellbeing over time", "Pull to contact and connection over time"):
        chart = page.get_by_role("img", name=name)
        expect(chart).to_have_count(1)  # the other drawing is not shown, nor read out
        labels = chart.locator("text.axis")
        heights = [labels.nth(i).bounding_box()["height"] for i in range(labels.count())]
        assert heights and min(heights) >= SMALLEST_LABEL_PX, (name, width, heights)
        times = chart.locator('text.axis[text-anchor="middle"]')
        boxes = sorted((times.nth(i).bounding_box() for i in range(times.count())), key=lambda b: b["x"])
        assert len(boxes) >= 2
        for left, right in itertools.pairwise(boxes):
            assert left["x"] + left["width"] <= right["x"], "time labels overlap"
