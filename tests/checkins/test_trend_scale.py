"""The trend page after years of history: a recent period by default, earlier and
later periods a link away, the chart and table drawn from the rows shown, and the
same work whether a group has met ten times or a thousand."""

import re
from datetime import timedelta
from html import unescape
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.checkins import selectors, services
from groups.checkins.selectors import TREND_PAGE_SIZE
from tests.checkins.helpers import open_window, released_session, submission, who5_all
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db


def _week(n: int) -> timedelta:
    return timedelta(days=7 * n)


def _history(group, sizes: list[int], *, level=lambda week: 3) -> list:
    """One released session a week, oldest first, ending last week; ``sizes[i]``
    answers in week i (below 5 is suppressed and pools into a block)."""
    weeks = len(sizes)
    return [
        released_session(
            group, [{"who5": who5_all(level(week))}] * size, starts_in=_week(week - weeks), attendance=10
        )
        for week, size in enumerate(sizes)
    ]


def _trends(client, group, query: str = ""):
    return client.get(reverse("checkins:trends_group", args=[group.pk]) + query)


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def _table_sessions(response) -> list[str]:
    """The session links of the WHO-5 table, in order: the rows a facilitator sees."""
    table = response.content.decode().split('id="who5-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'href="/checkins/sessions/(\d+)/results"', table)


def _key(row) -> tuple:
    return (
        row.kind,
        row.status,
        row.session.pk if row.session else None,
        row.block_number,
        row.answers,
        row.moved,
        row.pooled_released,
        row.pooled_suppressed,
        row.count_so_far,
    )


def test_a_long_history_takes_as_many_queries_as_a_short_one(client, owner):
    short = GroupFactory(owner=owner)
    long = GroupFactory(owner=owner)
    _history(short, [6, 2, 7])
    _history(long, [6, 2, 7, 1, 0, 5, 3, 8] * 4, level=lambda week: week % 5)
    window = open_window(long)
    services.checkin_submit(window=window, submission=submission())
    client.force_login(owner)
    _trends(client, short)  # warm: the first request's one-off caches do not count

    counts = {}
    for name, group in (("short", short), ("long", long)):
        with CaptureQueriesContext(connection) as queries:
            assert _trends(client, group).status_code == HTTPStatus.OK
        counts[name] = len(queries)

    assert counts["short"] == counts["long"]
    assert counts["long"] < 10


def test_the_page_shows_the_most_recent_sessions_and_charts_only_those(client, owner, group):
    sessions = _history(group, [6] * (TREND_PAGE_SIZE + 3))
    client.force_login(owner)
    response = _trends(client, group)
    text = _text(response)

    recent = [str(s.pk) for s in sessions[-TREND_PAGE_SIZE:]]
    assert _table_sessions(response) == recent
    assert f"Showing sessions 4 to {TREND_PAGE_SIZE + 3} of {TREND_PAGE_SIZE + 3}" in text
    assert "Page 1 of 2; page 1 is the most recent." in text
    # One point per released session on the page, in the chart as in the table (in
    # each of its two drawings, for a desktop and a phone).
    for size in ("chart-wide", "chart-narrow"):
        assert _drawing(response.content.decode(), size).count('class="dot line-who5') == TREND_PAGE_SIZE


def test_a_facilitator_moves_to_earlier_and_back_to_later_sessions(client, owner, group):
    sessions = _history(group, [6] * (2 * TREND_PAGE_SIZE + 2))
    client.force_login(owner)
    first = _trends(client, group)
    assert 'href="?page=2" rel="next">Earlier sessions</a>' in first.content.decode()
    assert "Later sessions" not in _text(first)

    middle = _trends(client, group, "?page=2")
    assert _table_sessions(middle) == [str(s.pk) for s in sessions[2 : 2 + TREND_PAGE_SIZE]]
    page = middle.content.decode()
    assert 'href="?page=1" rel="prev">Later sessions</a>' in page
    assert 'href="?page=3" rel="next">Earlier sessions</a>' in page

    earliest = _trends(client, group, "?page=3")
    assert _table_sessions(earliest) == [str(s.pk) for s in sessions[:2]]
    assert "Earlier sessions" not in _text(earliest)
    assert 'href="?page=1">Most recent sessions</a>' in earliest.content.decode()
    assert "Showing sessions 1 to 2 of 26" in _text(earliest)


@pytest.mark.parametrize(
    ("query", "shown_page", "message"),
    [
        ("?page=abc", 1, "There is no page “abc” of this trend, so the most recent sessions are shown."),
        ("?page=0", 1, "There is no page “0” of this trend, so the most recent sessions are shown."),
        ("?page=-2", 1, "There is no page “-2” of this trend, so the most recent sessions are shown."),
        ("?page=1.5", 1, "There is no page “1.5” of this trend, so the most recent sessions are shown."),
        ("?page=3", 2, "There is no page 3: this trend has 2 pages, so the earliest is shown."),
        ("?page=99999999999999999999999", 2, "this trend has 2 pages, so the earliest is shown."),
        ("?page=", 1, ""),
    ],
)
def test_a_page_that_does_not_exist_says_so_and_shows_the_nearest(
    client, owner, group, query, shown_page, message
):
    sessions = _history(group, [6] * (TREND_PAGE_SIZE + 1))
    client.force_login(owner)
    response = _trends(client, group, query)
    assert response.status_code == HTTPStatus.OK
    text = _text(response)
    assert f"Page {shown_page} of 2;" in text
    if message:
        assert message in text
    else:
        assert "There is no page" not in text
    expected = sessions[:1] if shown_page == 2 else sessions[1:]
    assert _table_sessions(response) == [str(s.pk) for s in expected]


def test_a_page_past_the_end_of_a_short_history_shows_it_whole(client, owner, group):
    _history(group, [6, 6])
    client.force_login(owner)
    response = _trends(client, group, "?page=4")
    assert response.status_code == HTTPStatus.OK
    assert "There is no page 4: this trend fits on one page." in _text(response)
    assert len(_table_sessions(response)) == 2
    assert "Earlier sessions" not in _text(response)


def test_a_group_with_no_check_ins_yet_has_no_pages(client, owner, group):
    client.force_login(owner)
    response = _trends(client, group, "?page=2")
    assert response.status_code == HTTPStatus.OK
    assert "No check-in has closed yet." in _text(response)
    assert "Earlier sessions" not in _text(response)


def test_pages_put_together_are_the_whole_trend(owner):
    # Released, suppressed (pooling into released and suppressed blocks), empty and
    # open sessions, with moves of 10 points or more, split over pages of 5.
    group = GroupFactory(owner=owner)
    _history(group, [6, 2, 3, 0, 5, 1, 0, 0, 7, 2, 6, 2, 9, 4, 4, 5, 0, 6], level=lambda week: (week * 2) % 6)
    window = open_window(group)
    services.checkin_submit(window=window, submission=submission())

    whole = [_key(row) for row in selectors.released_aggregates(group=group)]
    first = selectors.trend_page(group=group, number=1, size=5)
    assert (first.pages, first.sessions) == (4, 19)
    pages = [selectors.trend_page(group=group, number=n, size=5) for n in range(first.pages, 0, -1)]

    assert [_key(row) for page in pages for row in page.rows] == whole
    blocks = [row.block_number for page in pages for row in page.rows if row.kind == "block"]
    assert blocks == sorted(set(blocks)) and len(blocks) == 4  # each block once, in order
    assert any(row.moved for row in selectors.released_aggregates(group=group))


def test_a_move_is_measured_from_the_point_on_the_earlier_page(client, owner, group):
    # 13 sessions: the oldest (score 20) is alone on page 2; the next (score 60) opens
    # page 1 and is still marked as a 40-point move.
    _history(group, [6] * (TREND_PAGE_SIZE + 1), level=lambda week: 1 if week == 0 else 3)
    client.force_login(owner)
    page = _trends(client, group).content.decode()
    assert "+40.0" in page
    assert _drawing(page, "chart-wide").count("dot line-who5 moved") == 1
    assert _drawing(page, "chart-narrow").count("dot line-who5 moved") == 1


def _drawing(page: str, size: str) -> str:
    """The WHO-5 chart's drawing for one screen size (charts.WIDE or NARROW)."""
    return page.split(f'<svg class="trend-chart {size}"', 1)[1].split("</svg>", 1)[0]


def test_a_block_split_over_two_pages_is_shown_once_and_named_on_both(client, owner, group):
    # 14 sessions: page 1 holds sessions 3-14, page 2 sessions 1 and 2. Block 1
    # (sessions 1-4) pools sessions 2 and 3, one on each page; its row goes after
    # session 3, its last pooled session, so on page 1 only.
    _history(group, [6, 2, 3] + [6] * 11)
    client.force_login(owner)
    recent, earliest = _text(_trends(client, group)), _text(_trends(client, group, "?page=2"))
    assert recent.count("pooled into block 1") == 1 and earliest.count("pooled into block 1") == 1
    assert "Pooled block 1" in recent
    assert "Pooled block 1" not in earliest


def test_the_printed_report_and_the_csv_still_hold_the_whole_history(client, owner, group):
    sessions = _history(group, [6] * (TREND_PAGE_SIZE + 2))
    client.force_login(owner)
    report = client.get(reverse("checkins:trends_report", args=[group.pk])).content.decode()
    assert report.count('class="dot line-who5') == len(sessions)
    csv_text = client.get(reverse("checkins:trends_csv", args=[group.pk])).content.decode()
    assert len(csv_text.strip().splitlines()) == len(sessions) + 1
