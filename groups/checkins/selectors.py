"""Reads that cross a permission or privacy line for check-ins.

``answers_count`` is the only code outside ``services`` that touches raw answers;
the aggregation that releases results (with its k-threshold) belongs here too, so
the anonymity boundary stays this one small app.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from content.selectors import readings_for_sessions
from groups.checkins import instruments, stats
from groups.checkins.models import (
    BlockRollup,
    CheckinWindow,
    ExportJob,
    Response,
    RollupComment,
    SessionRollup,
)
from groups.models import Group, Session
from groups.selectors import groups_visible_to


def sessions_manageable_by(*, user) -> QuerySet[Session]:
    """Sessions whose check-in this account may open, close and show: those of the
    groups it facilitates, or every session for an admin."""
    return Session.objects.filter(group__in=groups_visible_to(user=user)).select_related("group")


def window_for_code(*, code: str) -> CheckinWindow | None:
    """The window a member's code names (open, closed or not yet open), or None."""
    return CheckinWindow.objects.select_related("session", "session__group").filter(code=code).first()


def window_for_session(*, session: Session) -> CheckinWindow | None:
    return CheckinWindow.objects.filter(session=session).first()


def answers_count(*, session: Session) -> int:
    """How many members have checked in for a session so far: a count, nothing else."""
    return Response.objects.filter(session=session).count()


def session_readings(*, session: Session) -> list[tuple[str, str]]:
    """The readings assigned to a session, as (value, title) for the "resonated" item."""
    assignments = readings_for_sessions(sessions=[session]).get(session.pk, [])
    return [(str(assignment.reading_id), assignment.reading.title) for assignment in assignments]


# --- Released aggregates ----------------------------------------------------------
# Everything below reads stored rollups only, never an answer.


@dataclass
class TrendRow:
    """One line of a group's trend: a session, or a pooled block after its last session."""

    kind: str  # "session" or "block"
    status: str  # released, suppressed, empty, open, pending (closed, not yet released)
    starts_at: datetime
    k: int | None = None
    session: Session | None = None
    block: BlockRollup | None = None
    rollup: SessionRollup | None = None
    block_number: int | None = None
    pooled_released: bool = False
    pooled_suppressed: bool = False
    count_so_far: int | None = None
    answers: int | None = None
    headcount: int | None = None
    stats: dict = field(default_factory=dict)
    moved: float | None = None

    @property
    def is_released(self) -> bool:
        return self.status == "released"

    @property
    def response_rate(self) -> float | None:
        if not self.is_released or not self.headcount:
            return None
        return self.answers / self.headcount

    @property
    def who5(self) -> dict | None:
        return self.stats.get("who5")

    @property
    def le50_share(self) -> float | None:
        return self.who5["le50"] / self.who5["n"] if self.who5 else None

    @property
    def le28_share(self) -> float | None:
        return self.who5["le28"] / self.who5["n"] if self.who5 else None

    @property
    def pull(self) -> float | None:
        return self.stats["pull"]["mean"] if "pull" in self.stats else None

    @property
    def connection(self) -> float | None:
        return self.stats["connection"]["mean"] if "connection" in self.stats else None

    @property
    def unsafe(self) -> bool:
        return bool(self.stats.get("unsafe"))

    @property
    def versions_label(self) -> str:
        names = {instruments.WHO5_KEY: "WHO-5", instruments.PROGRAM_KEY: str(_("own items"))}
        versions = sorted(self.stats.get("versions", []), key=lambda v: (v[0] != instruments.WHO5_KEY, v[0]))
        return ", ".join(f"{names.get(key, key)} v{number}" for key, number in versions)


MOVE_THRESHOLD = 10


def released_aggregates(*, group: Group) -> list[TrendRow]:
    """The group's trend, oldest first: released sessions and blocks with their
    statistics; suppressed, empty, open and pending sessions by status only (an open
    one with its count so far). A fixed number of queries, however long the history."""
    rollups = list(SessionRollup.objects.filter(group=group).select_related("session"))
    blocks = {block.number: block for block in BlockRollup.objects.filter(group=group)}
    waiting = (
        CheckinWindow.objects.filter(session__group=group, opened_at__isnull=False)
        .filter(session__checkin_rollup__isnull=True)
        .select_related("session")
        .annotate(so_far=Count("session__checkin_responses"))
    )
    rows: list[TrendRow] = []
    for rollup in rollups:
        block = blocks.get(rollup.block)
        row = TrendRow(
            kind="session",
            status=rollup.status,
            starts_at=rollup.session.starts_at,
            k=rollup.k_scores,
            session=rollup.session,
            rollup=rollup,
            block_number=rollup.block,
        )
        if rollup.is_released:
            row.answers, row.headcount, row.stats = rollup.answers, rollup.session.attendance, rollup.stats
        elif rollup.status == SessionRollup.Status.SUPPRESSED:
            row.pooled_released = bool(block and block.is_released)
            row.pooled_suppressed = bool(block and not block.is_released)
        rows.append(row)
    for block in blocks.values():
        row = TrendRow(
            kind="block",
            status=block.status,
            starts_at=block.last_starts_at,
            k=block.k_scores,
            block=block,
            block_number=block.number,
        )
        if block.is_released:
            row.answers, row.headcount, row.stats = block.answers, block.headcount, block.stats
        rows.append(row)
    for window in waiting:
        # Not rolled up yet: an open window shows its count so far, a closed one nothing.
        status = "pending" if window.closed_at else "open"
        rows.append(
            TrendRow(
                kind="session",
                status=status,
                starts_at=window.session.starts_at,
                session=window.session,
                count_so_far=window.so_far if status == "open" else None,
            )
        )
    # A block sorts after the sessions it pools (it is dated by its last one).
    rows.sort(key=lambda row: (row.starts_at, row.kind == "block"))
    previous = None
    for row in rows:
        if row.who5:
            if previous is not None and abs(row.who5["mean"] - previous) >= MOVE_THRESHOLD:
                row.moved = row.who5["mean"] - previous
            previous = row.who5["mean"]
    return rows


def session_rollup_for(*, session: Session) -> SessionRollup | None:
    return SessionRollup.objects.filter(session=session).first()


def block_for_user(*, user, group_id: int, number: int) -> BlockRollup:
    return get_object_or_404(
        BlockRollup.objects.filter(group__in=groups_visible_to(user=user)).select_related("group"),
        group_id=group_id,
        number=number,
    )


def block_sessions(*, block: BlockRollup) -> list[SessionRollup]:
    return list(
        SessionRollup.objects.filter(group_id=block.group_id, block=block.number)
        .select_related("session")
        .order_by("session__starts_at")
    )


def comments_shown(*, rollup: SessionRollup | BlockRollup) -> list[RollupComment]:
    """Released comments not hidden, in their stored random order."""
    return list(rollup.comments.filter(hidden=False).order_by("position", "id"))


def comment_for_user(*, user, comment_id) -> RollupComment:
    visible = groups_visible_to(user=user)
    return get_object_or_404(
        RollupComment.objects.filter(
            Q(session_rollup__group__in=visible) | Q(block_rollup__group__in=visible)
        ).select_related("session_rollup", "block_rollup"),
        pk=comment_id,
    )


def export_job_for_user(*, user, job_id) -> ExportJob:
    """Only the account that asked for an export may see or download it."""
    return get_object_or_404(ExportJob.objects.filter(requested_by=user), pk=job_id)


@dataclass
class ProgramCell:
    status: str  # released, suppressed (nothing released), none
    answers: int = 0
    mean: float | None = None
    low: float | None = None
    high: float | None = None
    units: int = 0
    withheld: int = 0


def _month_of(moment: datetime, tz) -> date:
    local = moment.astimezone(tz)
    return date(local.year, local.month, 1)


def _cell(released: list[dict], withheld: int) -> ProgramCell:
    if not released:
        return ProgramCell(status="suppressed" if withheld else "none", withheld=withheld)
    cell = ProgramCell(status="released", units=len(released), withheld=withheld)
    cell.answers = sum(unit["answers"] for unit in released)
    who5 = [unit["who5"] for unit in released if unit.get("who5")]
    if who5:
        ci = stats.mean_ci(
            n=sum(w["n"] for w in who5),
            total=sum(w["sum"] for w in who5),
            total_sq=sum(w["sumsq"] for w in who5),
            lo=0,
            hi=100,
        )
        cell.mean, cell.low, cell.high = ci.mean, ci.low, ci.high
    return cell


def months_back(*, today: date, count: int) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _step in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def program_aggregates(*, user, groups: list[Group], months: list[date]) -> tuple[dict, dict]:
    """Per group and month, and for all groups per month: released units combined
    (pooled sums, so the CI is exact), never anything suppressed. Admins only."""
    if not user.is_staff:
        raise PermissionDenied
    start = months[0]
    by_cell: dict = defaultdict(list)
    withheld: dict = defaultdict(int)
    by_group = {group.pk: group for group in groups}
    since = timezone.make_aware(datetime.combine(start, datetime.min.time())) - timedelta(days=1)
    session_rollups = SessionRollup.objects.filter(
        group_id__in=by_group, session__starts_at__gte=since
    ).values_list("group_id", "session__starts_at", "status", "answers", "stats", "block")
    blocks = BlockRollup.objects.filter(group_id__in=by_group, last_starts_at__gte=since).values_list(
        "group_id", "last_starts_at", "status", "answers", "stats"
    )
    released_blocks = set()
    units = []
    for group_id, moment, status, answers, unit_stats in blocks:
        units.append((group_id, moment, status, answers, unit_stats))
        if status == BlockRollup.Status.RELEASED:
            released_blocks.add(group_id)
    for group_id, moment, status, answers, unit_stats, _block in session_rollups:
        if status == SessionRollup.Status.EMPTY:
            continue
        units.append((group_id, moment, status, answers, unit_stats))
    for group_id, moment, status, answers, unit_stats in units:
        month = _month_of(moment, by_group[group_id].tzinfo)
        if month < start:
            continue
        if status == "released":
            unit = {"answers": answers, "who5": unit_stats.get("who5")}
            by_cell[(group_id, month)].append(unit)
            by_cell[("all", month)].append(unit)
        else:
            withheld[(group_id, month)] += 1
            withheld[("all", month)] += 1
    cells = {
        (group.pk, month): _cell(by_cell[(group.pk, month)], withheld[(group.pk, month)])
        for group in groups
        for month in months
    }
    totals = {month: _cell(by_cell[("all", month)], withheld[("all", month)]) for month in months}
    return cells, totals
