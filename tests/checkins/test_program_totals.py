"""The admin's program view: its "All groups" row covers every page of groups, adds up
only what the cells release, and costs the same however many groups there are."""

import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.checkins import rollups, selectors, stats
from groups.checkins.models import BlockRollup, SessionRollup
from groups.checkins.views import PROGRAM_PAGE
from groups.models import Group, Session
from tests.checkins.helpers import released_session, who5_all
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db

ZONES = ["Europe/London", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"]


def _months() -> list[date]:
    return selectors.months_back(today=timezone.localdate(), count=12)


def _local(group: Group, month: date, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(month.replace(day=day), time(hour, minute), tzinfo=group.tzinfo)


def _rollup(group: Group, starts_at: datetime, levels: list[int]) -> SessionRollup:
    """A session that took one WHO-5 answer per level (each item at that level, score
    20 * level) and its rollup, made by the release rule (released from k answers)."""
    session = Session.objects.create(group=group, starts_at=starts_at)
    rollup = rollups._rollup_build(
        session_id=session.pk,
        group_id=group.pk,
        ordinal=SessionRollup.objects.filter(group=group).count() + 1,
        responses=[{"who5": (1, who5_all(level))} for level in levels],
        limits=rollups.thresholds(),
    ).unit
    rollup.save()
    return rollup


def _program(count: int) -> list[Group]:
    """``count`` groups in four time zones, each with a released session and a
    suppressed one last month, and some with a released session this month."""
    months = _months()
    groups = []
    for n in range(count):
        group = GroupFactory(name=f"Group {n:03}", timezone=ZONES[n % len(ZONES)])
        _rollup(group, _local(group, months[-2], 10, 19), [n % 6] * (5 + n % 3))
        _rollup(group, _local(group, months[-2], 17, 19), [5 - n % 6] * 2)  # suppressed
        if n % 3 == 0:
            _rollup(group, _local(group, months[-1], 1, 0, 30), [3, 4, 2, 5, 1])
        groups.append(group)
    return groups


def _read_one_by_one(groups: list[Group], months: list[date]) -> dict:
    """Each (group, month) and each month, from every rollup read in Python: released
    answers, units, withheld units and pooled WHO-5 sums, by the group's own calendar."""
    sums: dict = defaultdict(lambda: {"answers": 0, "units": 0, "withheld": 0, "n": 0, "s": 0, "ss": 0})
    by_pk = {group.pk: group for group in groups}
    units = [
        (rollup.group_id, rollup.session.starts_at, rollup.status, rollup.answers, rollup.stats)
        for rollup in SessionRollup.objects.filter(group_id__in=by_pk).select_related("session")
        if rollup.status != SessionRollup.Status.EMPTY
    ] + [
        (block.group_id, block.last_starts_at, block.status, block.answers, block.stats)
        for block in BlockRollup.objects.filter(group_id__in=by_pk)
    ]
    for group_id, moment, status, answers, unit_stats in units:
        local = moment.astimezone(by_pk[group_id].tzinfo)
        month = date(local.year, local.month, 1)
        if month not in months:
            continue
        for key in ((group_id, month), month):
            if status != "released":
                sums[key]["withheld"] += 1
                continue
            sums[key]["answers"] += answers
            sums[key]["units"] += 1
            if "who5" in unit_stats:
                sums[key]["n"] += unit_stats["who5"]["n"]
                sums[key]["s"] += unit_stats["who5"]["sum"]
                sums[key]["ss"] += unit_stats["who5"]["sumsq"]
    return sums


def _agrees(cell: selectors.ProgramCell, expected: dict) -> bool:
    mean = low = high = None
    if expected["n"]:
        ci = stats.mean_ci(n=expected["n"], total=expected["s"], total_sq=expected["ss"], lo=0, hi=100)
        mean, low, high = ci.mean, ci.low, ci.high
    status = "released" if expected["units"] else ("suppressed" if expected["withheld"] else "none")
    return (cell.status, cell.answers, cell.units, cell.withheld) == (
        status,
        expected["answers"],
        expected["units"],
        expected["withheld"],
    ) and (cell.mean, cell.low, cell.high) == pytest.approx((mean, low, high))


def _pages(groups: list[Group]) -> list[list[Group]]:
    ordered = sorted(groups, key=lambda group: (group.name, group.pk))
    return [ordered[start : start + PROGRAM_PAGE] for start in range(0, len(ordered), PROGRAM_PAGE)]


def test_the_totals_on_every_page_are_the_sum_over_all_groups(admin_user):
    groups = _program(PROGRAM_PAGE + 7)
    months = _months()
    expected = _read_one_by_one(groups, months)
    pages = _pages(groups)
    assert len(pages) == 2

    every_cell = {}
    for page in pages:
        cells, totals = selectors.program_aggregates(user=admin_user, groups=page, months=months)
        every_cell |= cells
        for month in months:
            assert _agrees(totals[month], expected[month]), month
    for (group_pk, month), cell in every_cell.items():
        assert _agrees(cell, expected[(group_pk, month)]), (group_pk, month)

    last_month = totals[months[-2]]
    assert last_month.answers == sum(every_cell[(group.pk, months[-2])].answers for group in groups)
    assert last_month.units == len(groups) and last_month.withheld == len(groups)
    # Not what the first page alone would give.
    first_page = sum(every_cell[(group.pk, months[-2])].answers for group in pages[0])
    assert last_month.answers > first_page


def test_a_session_counts_in_the_month_of_its_groups_own_time_zone(admin_user):
    months = _months()
    auckland = GroupFactory(name="Auckland", timezone="Pacific/Auckland")
    london = GroupFactory(name="London", timezone="Europe/London")
    # Half past midnight on the first of a month in Auckland: the month before in London.
    moment = _local(auckland, months[-2], 1, 0, 30)
    _rollup(auckland, moment, [4] * 5)
    _rollup(london, moment, [1] * 6)

    cells, totals = selectors.program_aggregates(user=admin_user, groups=[auckland, london], months=months)

    assert cells[(auckland.pk, months[-2])].answers == 5
    assert cells[(london.pk, months[-3])].answers == 6
    assert (totals[months[-2]].answers, totals[months[-3]].answers) == (5, 6)
    assert totals[months[-2]].mean == 80 and totals[months[-3]].mean == 20


def test_a_suppressed_cell_cannot_be_worked_out_from_the_total_and_the_cells_shown(admin_user):
    months = _months()
    shown = [GroupFactory(name=f"A{n:02}") for n in range(PROGRAM_PAGE)]
    hidden = GroupFactory(name="Z, on the second page")
    for n, group in enumerate(shown):
        _rollup(group, _local(group, months[-2], 12, 19), [n % 6] * 5)
    # The only check-in of the second page's group that month: 2 answers, scores of 0.
    _rollup(hidden, _local(hidden, months[-2], 12, 19), [0, 0])

    cells, totals = selectors.program_aggregates(user=admin_user, groups=shown, months=months)
    all_cells, _totals = selectors.program_aggregates(user=admin_user, groups=[*shown, hidden], months=months)
    total = totals[months[-2]]

    assert all_cells[(hidden.pk, months[-2])].status == "suppressed"
    # The total less every cell on the page leaves nothing: the 2 answers are in no figure.
    assert total.answers - sum(cells[(group.pk, months[-2])].answers for group in shown) == 0
    assert total.units == PROGRAM_PAGE and total.withheld == 1
    released = [_rollup_of(group) for group in shown]
    pooled = stats.mean_ci(
        n=sum(r.stats["who5"]["n"] for r in released),
        total=sum(r.stats["who5"]["sum"] for r in released),
        total_sq=sum(r.stats["who5"]["sumsq"] for r in released),
        lo=0,
        hi=100,
    )
    assert (total.mean, total.low, total.high) == pytest.approx((pooled.mean, pooled.low, pooled.high))


def _rollup_of(group: Group) -> SessionRollup:
    return SessionRollup.objects.get(group=group)


def test_a_pooled_block_adds_only_its_suppressed_sessions_to_the_cell_and_the_total(admin_user, group):
    # A released session of 5 (score 60), then three suppressed sessions (2, 2 and 1
    # answers at score 100) that pool into a released block of 5.
    released_session(group, [{"who5": who5_all(3)}] * 5, starts_in=-timedelta(days=21))
    for size, days in ((2, 14), (2, 7), (1, 1)):
        released_session(group, [{"who5": who5_all(5)}] * size, starts_in=-timedelta(days=days))
    block = BlockRollup.objects.get(group=group)
    assert block.is_released and block.answers == 5

    months = _months()
    cells, totals = selectors.program_aggregates(user=admin_user, groups=[group], months=months)
    expected = _read_one_by_one([group], months)
    for month in months:
        assert _agrees(cells[(group.pk, month)], expected[(group.pk, month)])
        assert _agrees(totals[month], expected[month])
    assert sum(totals[month].answers for month in months) == 10  # 5 released + 5 pooled, once each
    assert sum(totals[month].withheld for month in months) == 3


def test_the_query_count_does_not_grow_with_the_number_of_groups(admin_user, client):
    months = _months()

    def queries(groups: list[Group]) -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.program_aggregates(user=admin_user, groups=groups, months=months)
        return len(captured)

    few = _program(3)
    assert queries(few) == 5
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("checkins:trends_program"))

    many = _program(2 * PROGRAM_PAGE + 3)  # three pages, four time zones
    assert queries(_pages(few + many)[0]) == 5
    assert queries(_pages(few + many)[2]) == 5
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("checkins:trends_program") + "?page=3")
    assert len(large) == len(small)


def _totals_row(response) -> str:
    html = response.content.decode().split('class="row-total">', 1)[1].split("</tr>", 1)[0]
    return unescape(re.sub(r"<[^>]+>|\s+", " ", html)).split()


def test_the_totals_row_says_it_covers_every_page_and_shows_the_same_on_each(admin_user, client):
    _program(PROGRAM_PAGE + 2)
    client.force_login(admin_user)

    first = client.get(reverse("checkins:trends_program"))
    second = client.get(reverse("checkins:trends_program") + "?page=2")

    assert _totals_row(first) == _totals_row(second)
    assert " ".join(_totals_row(first)).startswith(f"All {PROGRAM_PAGE + 2} groups every page")
    assert "adds up every group, on every page" in unescape(first.content.decode())


def test_only_an_admin_gets_program_totals(owner, group):
    with pytest.raises(PermissionDenied):
        selectors.program_aggregates(user=owner, groups=[group], months=_months())


def test_a_program_with_no_groups_has_empty_totals(admin_user):
    cells, totals = selectors.program_aggregates(user=admin_user, groups=[], months=_months())
    assert cells == {} and {cell.status for cell in totals.values()} == {"none"}


def test_months_end_at_the_first_instant_of_the_next_month_in_each_zone():
    spans = selectors._month_spans(months=[date(2025, 12, 1)], zones={"Pacific/Auckland"})
    ((start, end),) = next(iter(spans))
    assert start == datetime(2025, 12, 1, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert end == datetime(2026, 1, 1, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert end - start == timedelta(days=31)
