"""Reads that cross a permission or privacy line for check-ins: windows, released
rollups and their trends, signals, exports. Raw answers are not read here: a count so
far comes from ``answers``, the anonymity boundary, and everything else from what
``rollups`` released.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import (
    Case,
    Count,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from content.models import SessionReading
from facilitator.compiled import compiled_sql
from groups.checkins import instruments, stats
from groups.checkins.answers import responses_count, responses_count_query
from groups.checkins.models import (
    EXPORT_LEASE,
    BlockRollup,
    CheckinWindow,
    ExportJob,
    ReadingOutcome,
    RollupComment,
    SafetyGuidance,
    SessionRollup,
    Signal,
    SignalSeen,
)
from groups.checkins.retention import purge_backlog
from groups.models import Group, Session
from groups.selectors import groups_for_facilitator, groups_visible_to


def sessions_manageable_by(*, user) -> QuerySet[Session]:
    """Sessions whose check-in this account may open, close and show: those of the
    groups it facilitates, or every session for an admin."""
    return Session.objects.filter(group__in=groups_visible_to(user=user)).select_related("group")


def window_for_code(*, code: str) -> CheckinWindow | None:
    """The window a member's code names (open, closed or not yet open), or None."""
    try:
        # get(), not filter().first(): the code is unique, and first() would order by pk.
        return CheckinWindow.objects.select_related("session__group").get(code=code)
    except CheckinWindow.DoesNotExist:
        return None


@dataclass(frozen=True)
class CodeLookup:
    """What a member's code finds: its state, and for an open window the window (with
    its session and group) and the session's readings. These are kept by the process
    and shared between requests: read them, never change them."""

    UNKNOWN, CLOSED, NOT_OPEN, OPEN = "unknown", "closed", "not open", "open"

    state: str
    window: CheckinWindow | None = None
    readings: tuple[tuple[str, str], ...] = ()


# What decides a member's page for a code: the window's state and mode, the group's
# label and the session's readings (a row for each reading assigned, or one row).
_CODE_ROW_FIELDS = (
    "pk",
    "mode",
    "opened_at",
    "closed_at",
    "closes_at",
    "session_id",
    "session__group_id",
    "session__group__member_label",
    "session__reading_assignments__pk",
    "session__reading_assignments__position",
    "session__reading_assignments__reading_id",
    "session__reading_assignments__reading__title",
    "session__reading_assignments__reading__is_published",
)
_OPENED_AT, _CLOSED_AT = _CODE_ROW_FIELDS.index("opened_at"), _CODE_ROW_FIELDS.index("closed_at")
CODES_KEPT = 2048
_open_kept: OrderedDict[str, tuple[tuple, CodeLookup]] = OrderedDict()
_open_kept_lock = threading.Lock()


@functools.cache
def _code_rows_sql(alias: str) -> str:
    # Compiled once per process (facilitator.compiled): the code is its only parameter.
    rows = (
        CheckinWindow.objects.filter(code="")
        .order_by("session__reading_assignments__position", "session__reading_assignments__pk")
        .values_list(*_CODE_ROW_FIELDS)
    )
    return compiled_sql(rows, alias, placeholders=("",))


def _code_rows(code: str) -> tuple:
    alias = router.db_for_read(CheckinWindow)
    with connections[alias].cursor() as cursor:
        cursor.execute(_code_rows_sql(alias), [code])
        return tuple(cursor.fetchall())


def checkin_for_code(*, code: str) -> CodeLookup:
    """What a member's code finds, in one cheap read when nothing changed.

    Each process keeps the open windows it built, with the rows it built them from,
    and reuses one while a read of the same rows finds them unchanged (the way
    ``instruments.current_versions`` keeps the instruments): a window closed, a label
    edited, a reading assigned or renamed shows on the next request, in every process.
    A kept window's counters are not current: the submit reads the window again, locked,
    and that read decides. Unknown, closed and not yet open codes are told from the
    rows alone, one read each, and are not kept.
    """
    rows = _code_rows(code)
    if not rows:
        return CodeLookup(CodeLookup.UNKNOWN)
    if rows[0][_CLOSED_AT] is not None:
        return CodeLookup(CodeLookup.CLOSED)
    if rows[0][_OPENED_AT] is None:
        return CodeLookup(CodeLookup.NOT_OPEN)
    with _open_kept_lock:
        kept = _open_kept.get(code)
        if kept is not None and kept[0] == rows:
            _open_kept.move_to_end(code)
            return kept[1]
    window = window_for_code(code=code)
    if window is None:  # deleted since the read: as if never there
        return CodeLookup(CodeLookup.UNKNOWN)
    if not window.is_open:  # closed since the read
        return CodeLookup(CodeLookup.CLOSED)
    # Paired with the rows read before the window: if something changed between the
    # two reads, the next request reads other rows and builds again.
    found = CodeLookup(CodeLookup.OPEN, window, tuple(session_readings(session=window.session)))
    with _open_kept_lock:
        _open_kept[code] = (rows, found)
        _open_kept.move_to_end(code)
        while len(_open_kept) > CODES_KEPT:
            _open_kept.popitem(last=False)
    return found


def window_for_session(*, session: Session) -> CheckinWindow | None:
    return CheckinWindow.objects.filter(session=session).first()


def answers_count(*, session: Session) -> int:
    """How many members have checked in for a session so far: a count, nothing else."""
    return responses_count(session_ids=[session.pk])


def session_readings(*, session: Session) -> list[tuple[str, str]]:
    """The readings assigned to a session, as (value, title) for the "resonated" item:
    those members see (published), in the session's order. Ids and titles only, in
    one query: every check-in, shown or sent, asks for this."""
    assignments = (
        SessionReading.objects.filter(session_id=session.pk, reading__is_published=True)
        .order_by("position", "id")
        .values_list("reading_id", "reading__title")
    )
    return [(str(reading_id), title) for reading_id, title in assignments]


# --- Released aggregates ----------------------------------------------------------
# Everything below reads stored rollups only, never an answer.


@dataclass
class TrendRow:
    """One line of a group's trend: a session, or a pooled block after its last session."""

    kind: str  # "session" or "block"
    # released, suppressed, empty, open, pending (closed, not yet released), held (closed,
    # waiting for a facilitator's review of a flood), voided (its answers deleted)
    status: str
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
    # The safety signal (``Signal``): released from K_FLOOR answers, scores or not.
    signal: str = Signal.NONE

    @property
    def is_released(self) -> bool:
        return self.status == "released"

    @property
    def response_rate(self) -> float | None:
        if not self.is_released or not self.headcount or self.answers is None:
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
        return self.signal == Signal.RAISED

    @property
    def versions_label(self) -> str:
        names = {instruments.WHO5_KEY: "WHO-5", instruments.PROGRAM_KEY: str(_("own items"))}
        versions = sorted(self.stats.get("versions", []), key=lambda v: (v[0] != instruments.WHO5_KEY, v[0]))
        return ", ".join(f"{names.get(key, key)} v{number}" for key, number in versions)


MOVE_THRESHOLD = 10
# Sessions per page of a group's trend: about a quarter of weekly meetings, so the
# chart and its table stay readable and cost the same after years of history.
TREND_PAGE_SIZE = 12
# Beyond any real history; keeps a hand-typed page number inside SQL's integers.
TREND_PAGE_MAX = 100_000


def _trend_sessions(*, group: Group) -> QuerySet[Session]:
    """The sessions of a group's trend, newest first: every one whose check-in has
    opened, with its rollup and window; an open one with its count so far."""
    so_far = responses_count_query(session=OuterRef("pk"))
    return (
        Session.objects.filter(group=group, checkin_window__opened_at__isnull=False)
        .select_related("checkin_rollup", "checkin_window")
        .annotate(
            so_far=Case(
                When(
                    checkin_window__closed_at__isnull=True,
                    then=Coalesce(Subquery(so_far, output_field=IntegerField()), 0),
                ),
                default=None,
                output_field=IntegerField(),
            )
        )
        .order_by("-starts_at", "-pk")
    )


def _session_row(session: Session, blocks: dict[int, BlockRollup]) -> TrendRow:
    rollup = getattr(session, "checkin_rollup", None)
    if rollup is None:
        # Not rolled up yet: an open window shows its count so far, a closed one nothing;
        # one held for review (a flood) says so.
        window = session.checkin_window
        status = ("held" if window.is_held else "pending") if window.closed_at else "open"
        return TrendRow(
            kind="session",
            status=status,
            starts_at=session.starts_at,
            session=session,
            # An annotation of _trend_sessions.
            count_so_far=getattr(session, "so_far", None) if status == "open" else None,
        )
    row = TrendRow(
        kind="session",
        status="voided" if session.checkin_window.voided_at else rollup.status,
        starts_at=session.starts_at,
        k=rollup.k_scores,
        session=session,
        rollup=rollup,
        block_number=rollup.block,
        signal=rollup.signal,
    )
    if rollup.is_released:
        row.answers, row.headcount, row.stats = rollup.answers, session.attendance, rollup.stats
    elif rollup.status == SessionRollup.Status.SUPPRESSED:
        block = blocks.get(rollup.block)
        row.pooled_released = bool(block and block.is_released)
        row.pooled_suppressed = bool(block and not block.is_released)
    return row


def _block_row(block: BlockRollup) -> TrendRow:
    row = TrendRow(
        kind="block",
        status=block.status,
        starts_at=block.last_starts_at,
        k=block.k_scores,
        block=block,
        block_number=block.number,
        signal=block.signal,
    )
    if block.is_released:
        row.answers, row.headcount, row.stats = block.answers, block.headcount, block.stats
    return row


def _trend_rows(
    *,
    sessions: list[Session],
    blocks: dict[int, BlockRollup],
    shown_blocks: list[BlockRollup],
    previous_mean: float | None = None,
) -> list[TrendRow]:
    """Rows oldest first, each block after the sessions it pools (it is dated by its
    last one); ``previous_mean`` is the WHO-5 mean of the point just before them."""
    rows = [_session_row(session, blocks) for session in sessions]
    rows += [_block_row(block) for block in shown_blocks]
    rows.sort(key=lambda row: (row.starts_at, row.kind == "block"))
    previous = previous_mean
    for row in rows:
        if row.who5:
            if previous is not None and abs(row.who5["mean"] - previous) >= MOVE_THRESHOLD:
                row.moved = row.who5["mean"] - previous
            previous = row.who5["mean"]
    return rows


def released_aggregates(*, group: Group) -> list[TrendRow]:
    """The group's whole trend, oldest first: released sessions and blocks with their
    statistics; suppressed, empty, open and pending sessions by status only (an open
    one with its count so far). Two queries, however long the history; the page
    shows a period of it (``trend_page``), the CSV and the printed report all of it."""
    sessions = list(_trend_sessions(group=group))
    blocks = list(BlockRollup.objects.filter(group=group))
    return _trend_rows(
        sessions=sessions, blocks={block.number: block for block in blocks}, shown_blocks=blocks
    )


@dataclass
class TrendPage:
    """One period of a group's trend: ``size`` sessions (and the blocks dated among
    them), oldest first. Page 1 holds the most recent sessions; page ``pages`` the
    earliest. ``clamped`` says the page asked for did not exist."""

    rows: list[TrendRow]
    number: int
    pages: int
    sessions: int
    size: int
    clamped: bool = False

    @property
    def has_later(self) -> bool:
        return self.number > 1

    @property
    def has_earlier(self) -> bool:
        return self.number < self.pages

    @property
    def later(self) -> int:
        return self.number - 1

    @property
    def earlier(self) -> int:
        return self.number + 1

    @property
    def last_position(self) -> int:
        """The newest session's place in the whole history (1 = the first session)."""
        return self.sessions - (self.number - 1) * self.size

    @property
    def first_position(self) -> int:
        return max(1, self.last_position - self.size + 1)

    @property
    def first_session(self) -> Session | None:
        """The page's oldest session (None on an empty trend)."""
        return next((row.session for row in self.rows if row.kind == "session"), None)

    @property
    def last_session(self) -> Session | None:
        return next((row.session for row in reversed(self.rows) if row.kind == "session"), None)


def _total(session: Session) -> int:
    """The trend's whole length, which ``trend_page`` annotates on each session it reads."""
    return getattr(session, "total")  # noqa: B009 (an annotation: not a field the type knows)


def trend_page(*, group: Group, number: int, size: int = TREND_PAGE_SIZE) -> TrendPage:
    """One page of the group's trend, read with a fixed number of queries and only the
    rows it shows, however long the history. A page past the earliest gives the
    earliest (``clamped``); below 1 gives the most recent.

    Blocks are placed by date: a block is on the page whose time span holds its last
    pooled session, so each block appears on exactly one page. A move of ten points
    is measured from the point before the page, as on the whole trend."""
    asked = number
    number = min(max(1, number), TREND_PAGE_MAX)
    # The total rides along as an uncorrelated subquery, counted once from the index;
    # a window function would make the database build every row of the history.
    total_sessions = (
        Session.objects.filter(group=group, checkin_window__opened_at__isnull=False)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    base = _trend_sessions(group=group).annotate(total=Subquery(total_sessions, output_field=IntegerField()))

    def fetch(page: int) -> tuple[Session | None, list[Session]]:
        # One row more on the newer side: where this page's time span ends.
        offset = (page - 1) * size
        fetched: list[Session] = list(base[max(0, offset - 1) : offset + size])
        if offset:
            return (fetched[0] if fetched else None), fetched[1:]
        return None, fetched

    newer, sessions = fetch(number)
    if not sessions and number > 1:
        total = _total(newer) if newer is not None else base.count()
        number = max(1, -(-total // size))
        newer, sessions = fetch(number)
    total = _total(sessions[0]) if sessions else 0
    pages = max(1, -(-total // size))
    is_earliest = number >= pages

    blocks: dict[int, BlockRollup] = {}
    shown: list[BlockRollup] = []
    # WHO-5 points just before the page, as ((date, is a block), mean): the latest wins.
    before: list[tuple[tuple[datetime, bool], float]] = []
    if sessions:
        oldest = sessions[-1].starts_at
        pooled = {
            session.checkin_rollup.block
            for session in sessions
            if getattr(session, "checkin_rollup", None) is not None
            and session.checkin_rollup.status == SessionRollup.Status.SUPPRESSED
        }
        # The page's time span: from its oldest session (open-ended on the earliest
        # page) up to the next newer session (open-ended on the most recent page).
        span = Q(pk__isnull=False)
        if not is_earliest:
            span &= Q(last_starts_at__gte=oldest)
        if newer is not None:
            span &= Q(last_starts_at__lt=newer.starts_at)
        wanted = Q(number__in=pooled) | span
        if not is_earliest:
            last_before = (
                BlockRollup.objects.filter(
                    group=group,
                    status=BlockRollup.Status.RELEASED,
                    stats__has_key=instruments.WHO5_KEY,
                    last_starts_at__lt=oldest,
                )
                .order_by("-last_starts_at", "-number")
                .values("pk")[:1]
            )
            wanted |= Q(pk=Subquery(last_before))
        for block in BlockRollup.objects.filter(group=group).filter(wanted):
            if block.number in pooled:
                blocks[block.number] = block
            in_span = (is_earliest or block.last_starts_at >= oldest) and (
                newer is None or block.last_starts_at < newer.starts_at
            )
            if in_span:
                shown.append(block)
            elif (
                block.last_starts_at < oldest and block.is_released and block.stats.get(instruments.WHO5_KEY)
            ):
                before.append(((block.last_starts_at, True), block.stats[instruments.WHO5_KEY]["mean"]))
        last_session_before = (
            Session.objects.filter(
                group=group,
                starts_at__lt=oldest,
                checkin_rollup__status=SessionRollup.Status.RELEASED,
                checkin_rollup__stats__has_key=instruments.WHO5_KEY,
            )
            .order_by("-starts_at", "-pk")
            .values_list("starts_at", "checkin_rollup__stats")[:1]
        )
        before += [
            ((starts_at, False), stats[instruments.WHO5_KEY]["mean"])
            for starts_at, stats in last_session_before
        ]
    rows = _trend_rows(
        sessions=list(reversed(sessions)),
        blocks=blocks,
        shown_blocks=shown,
        previous_mean=max(before)[1] if before else None,
    )
    return TrendPage(rows=rows, number=number, pages=pages, sessions=total, size=size, clamped=asked > number)


def session_rollup_for(*, session: Session) -> SessionRollup | None:
    return SessionRollup.objects.filter(session=session).first()


@dataclass
class SessionResult:
    """What a session's results page shows: its rollup, its line of the trend (None
    until its check-in opens) and, for a suppressed session, the block it pools into
    (None until that block is complete)."""

    rollup: SessionRollup | None
    row: TrendRow | None
    pooled: BlockRollup | None


def session_result(*, session: Session) -> SessionResult:
    """One session's results, read on their own: the same row as the session's line of
    the whole trend, but from its own rollup and block only (two or three queries),
    however long the group's history.

    The row's ``moved`` is left unset: a move of ten points is marked on the trend's
    chart and table, not on this page, so the point before it is not read."""
    found = _trend_sessions(group=session.group).filter(pk=session.pk).first()
    if found is None:
        # The check-in never opened: no line in the trend (a rollup, if one were
        # somehow made, is still shown, as the page always has).
        return SessionResult(rollup=session_rollup_for(session=session), row=None, pooled=None)
    found.group = session.group
    rollup = getattr(found, "checkin_rollup", None)
    pooled = None
    if rollup is not None and rollup.status == SessionRollup.Status.SUPPRESSED:
        pooled = BlockRollup.objects.filter(group_id=rollup.group_id, number=rollup.block).first()
    if pooled is not None:
        pooled.group = session.group
    row = _session_row(found, {pooled.number: pooled} if pooled is not None else {})
    return SessionResult(rollup=rollup, row=row, pooled=pooled)


def block_result(*, block: BlockRollup) -> TrendRow:
    """A pooled block's line of the trend, from the block alone (no query). As on a
    session's results page, ``moved`` is left unset: this page marks no move."""
    return _block_row(block)


def block_for_user(*, user, group_id: int, number: int) -> BlockRollup:
    return get_object_or_404(
        BlockRollup.objects.filter(group__in=groups_visible_to(user=user)).select_related("group"),
        group_id=group_id,
        number=number,
    )


def block_sessions(*, block: BlockRollup) -> list[SessionRollup]:
    """The rollups of a block's sessions, oldest first, each session carrying the
    block's group (its dates are shown in the group's time zone)."""
    rollups = list(
        SessionRollup.objects.filter(group_id=block.group_id, block=block.number)
        .select_related("session")
        .order_by("session__starts_at")
    )
    for rollup in rollups:
        rollup.group = rollup.session.group = block.group
    return rollups


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
    """Only the account that asked for an export may see or download it, and only
    while it may still ask for it: a facilitator removed from the group, or an admin
    no longer staff (for the program export), gets a 404."""
    allowed = Q(group__in=groups_visible_to(user=user))
    if user.is_staff:
        allowed |= Q(group__isnull=True)
    return get_object_or_404(ExportJob.objects.filter(allowed, requested_by=user), pk=job_id)


@dataclass
class ProgramCell:
    status: str  # released, suppressed (nothing released), none
    answers: int = 0
    mean: float | None = None
    low: float | None = None
    high: float | None = None
    units: int = 0
    withheld: int = 0


@dataclass
class _ProgramSums:
    """The released units of a cell, summed (pooled sums, so the CI is exact), and a
    count of the units withheld. Nothing of a withheld unit but that count."""

    released: int = 0
    withheld: int = 0
    answers: int = 0
    n: float = 0
    total: float = 0
    total_sq: float = 0

    def add(self, row: dict) -> None:
        self.released += row["released"]
        self.withheld += row["withheld"]
        self.answers += row["answers"] or 0
        self.n += row["n"] or 0
        self.total += row["total"] or 0
        self.total_sq += row["total_sq"] or 0

    def cell(self) -> ProgramCell:
        if not self.released:
            return ProgramCell(status="suppressed" if self.withheld else "none", withheld=self.withheld)
        cell = ProgramCell(
            status="released", units=self.released, withheld=self.withheld, answers=self.answers
        )
        if self.n:
            ci = stats.mean_ci(n=int(self.n), total=self.total, total_sq=self.total_sq, lo=0, hi=100)
            cell.mean, cell.low, cell.high = ci.mean, ci.low, ci.high
        return cell


def months_back(*, today: date, count: int) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _step in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_spans(*, months: list[date], zones: set[str]) -> dict[tuple, list[str]]:
    """Where each month begins and ends in each time zone, as instants: {((start,
    end), ...): [zones]}, zones whose months begin at the same instants sharing one
    entry (a national program has one or a few). ``months`` must run on without a
    gap, as ``months_back`` gives them: ``_month_index`` tests only their ends."""
    if any(_next_month(month) != following for month, following in pairwise(months)):
        raise ValueError("program months must follow one another")
    spans: dict[tuple, list[str]] = defaultdict(list)
    for zone in sorted(zones):
        tz = ZoneInfo(zone)
        bounds = tuple(
            (
                datetime.combine(month, datetime.min.time(), tzinfo=tz),
                datetime.combine(_next_month(month), datetime.min.time(), tzinfo=tz),
            )
            for month in months
        )
        spans[bounds].append(zone)
    return spans


def _month_index(*, field: str, spans: dict[tuple, list[str]]) -> Case:
    """SQL for the index in ``months`` of the month holding ``field`` in its group's
    own time zone (NULL outside them): a row is bucketed in the database, so no row
    of a group has to be read to be counted. One test of the zone, then of the
    months' ends in turn (months are consecutive)."""
    by_zone = []
    for bounds, zones in spans.items():
        months = [When(**{f"{field}__lt": bounds[0][0]}, then=None)]
        months += [
            When(**{f"{field}__lt": end}, then=Value(index)) for index, (_start, end) in enumerate(bounds)
        ]
        by_zone.append(
            When(
                group__timezone__in=zones,
                then=Case(*months, default=None, output_field=IntegerField()),
            )
        )
    return Case(*by_zone, default=None, output_field=IntegerField())


def _program_sums(
    *, groups: QuerySet[Group] | list[int], months: list[date], spans: dict, by_group: bool
) -> dict:
    """Each month's released units summed and withheld units counted, over ``groups``:
    per (group id, month) or, without ``by_group``, per month. Two queries (session
    rollups, pooled blocks), aggregated in the database, however many groups.

    Units are what the trend releases: a released session, a released pooled block
    (dated by its last session); a suppressed session or block counts as withheld
    and gives nothing else; a session with no answers is not counted at all."""
    sums: dict = defaultdict(_ProgramSums)
    if not spans:
        return sums
    released = Q(status="released")
    figures = {
        "released": Count("pk", filter=released),
        "withheld": Count("pk", filter=~released),
        "answers": Sum("answers", filter=released),
        "n": Sum(Cast(KT("stats__who5__n"), FloatField()), filter=released),
        "total": Sum(Cast(KT("stats__who5__sum"), FloatField()), filter=released),
        "total_sq": Sum(Cast(KT("stats__who5__sumsq"), FloatField()), filter=released),
    }
    first = min(bounds[0][0] for bounds in spans)
    last = max(bounds[-1][1] for bounds in spans)
    keys = ("group_id", "month") if by_group else ("month",)
    units = [
        SessionRollup.objects.filter(
            group__in=groups,
            status__in=[SessionRollup.Status.RELEASED, SessionRollup.Status.SUPPRESSED],
            session__starts_at__gte=first,
            session__starts_at__lt=last,
        ).annotate(month=_month_index(field="session__starts_at", spans=spans)),
        BlockRollup.objects.filter(
            group__in=groups, last_starts_at__gte=first, last_starts_at__lt=last
        ).annotate(month=_month_index(field="last_starts_at", spans=spans)),
    ]
    for rows in units:
        # Rows outside the months come back as one more bucket (NULL), skipped here:
        # filtering them in SQL would work out every row's month once more.
        for row in rows.values(*keys).annotate(**figures).order_by():
            if row["month"] is None:
                continue
            month = months[row["month"]]
            sums[(row["group_id"], month) if by_group else month].add(row)
    return sums


def program_aggregates(*, user, groups: list[Group], months: list[date]) -> tuple[dict, dict]:
    """Per group of ``groups`` (a page) and month, and per month for every group the
    user may see (not only the page): released units combined, never anything
    suppressed. Admins only. Five queries, however many groups and pages.

    The totals row sums exactly the units the per-group cells release, so the total
    less any set of cells is a sum of other released cells, on this page or another:
    no suppressed session, block or cell can be worked out from it. A withheld unit
    adds one to the withheld count and nothing to any figure; a released pooled
    block holds only its suppressed sessions (``rollups``), so subtracting released
    sessions from it gives nothing away either."""
    if not user.is_staff:
        raise PermissionDenied
    visible = groups_visible_to(user=user)
    zones = set(visible.order_by().values_list("timezone", flat=True).distinct())
    zones |= {group.timezone for group in groups}
    spans = _month_spans(months=months, zones=zones)
    by_cell = _program_sums(groups=[group.pk for group in groups], months=months, spans=spans, by_group=True)
    by_month = _program_sums(groups=visible, months=months, spans=spans, by_group=False)
    cells = {(group.pk, month): by_cell[(group.pk, month)].cell() for group in groups for month in months}
    totals = {month: by_month[month].cell() for month in months}
    return cells, totals


# --- The safety signal where facilitators look -------------------------------------

# How long a raised signal stays on a facilitator's home and group pages unless they
# mark it seen: long enough to reach the next two or three sessions of a weekly
# group; after that it lives on the results pages only.
SIGNAL_NOTICE_DAYS = 42


@dataclass(frozen=True)
class SignalNotice:
    """A raised safety signal a facilitator has not marked as seen: which unit, when
    its (last) session was, never anything about who."""

    group: Group
    kind: str  # "session" or "block"
    unit_id: int
    starts_at: datetime
    session_id: int | None = None
    block_number: int | None = None

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.group.tzinfo)


def signal_notices(*, user, group: Group | None = None, now: datetime | None = None) -> list[SignalNotice]:
    """Raised signals of the groups this account facilitates (or of ``group``, if it
    facilitates it) from the last ``SIGNAL_NOTICE_DAYS`` days that it has not marked
    as seen, newest first. Two queries."""
    since = (now or timezone.now()) - timedelta(days=SIGNAL_NOTICE_DAYS)
    groups = groups_for_facilitator(user=user).filter(archived_at=None)
    if group is not None:
        groups = groups.filter(pk=group.pk)
    sessions = (
        SessionRollup.objects.filter(group__in=groups, signal=Signal.RAISED, session__starts_at__gte=since)
        .exclude(seen_by__user=user)
        .select_related("group", "session")
    )
    blocks = (
        BlockRollup.objects.filter(group__in=groups, signal=Signal.RAISED, last_starts_at__gte=since)
        .exclude(seen_by__user=user)
        .select_related("group")
    )
    notices = [
        SignalNotice(
            group=rollup.group,
            kind="session",
            unit_id=rollup.pk,
            starts_at=rollup.session.starts_at,
            session_id=rollup.session_id,
        )
        for rollup in sessions
    ]
    notices += [
        SignalNotice(
            group=block.group,
            kind="block",
            unit_id=block.pk,
            starts_at=block.last_starts_at,
            block_number=block.number,
        )
        for block in blocks
    ]
    return sorted(notices, key=lambda notice: notice.starts_at, reverse=True)


def signal_unit_for_user(*, user, kind: str, unit_id: int) -> SessionRollup | BlockRollup:
    """A raised signal's unit in a group this account facilitates (404 otherwise)."""
    if kind not in ("session", "block"):
        raise Http404
    groups = groups_for_facilitator(user=user)
    if kind == "session":
        return get_object_or_404(
            SessionRollup.objects.filter(group__in=groups, signal=Signal.RAISED), pk=unit_id
        )
    return get_object_or_404(BlockRollup.objects.filter(group__in=groups, signal=Signal.RAISED), pk=unit_id)


@dataclass(frozen=True)
class Guidance:
    """What a facilitator reads beside a raised signal (``SafetyGuidance``)."""

    next_session: str
    what_to_say: str
    where_to_refer: str
    safeguarding_contact: str  # "" until an admin names one


def default_guidance() -> dict[str, str | Promise]:
    return {
        "next_session": _(
            "Open the session as you always do. Early on, remind the whole group, without "
            "looking at anyone, where help is: the help section at the end of every check-in, "
            "the helplines, and you or another facilitator to talk to privately after the "
            "session. Do not ask who answered, and do not try to work it out from who seems quiet."
        ),
        "what_to_say": _(
            "Something like: “Some of us may not feel safe right now. If that is you, it is not "
            "your fault, and you do not have to say anything here. The helplines on the "
            "check-in page answer at any hour, and if you are in danger, call the emergency "
            "number.” Then carry on with the session as planned."
        ),
        "where_to_refer": _(
            "The helplines in the check-in's help section, which members can reach at any hour; "
            "in immediate danger, the emergency number; and the local services your "
            "organisation works with. If a member tells you they are at risk, follow your "
            "organisation's safeguarding procedure."
        ),
    }


def safety_guidance() -> Guidance:
    """The admin's guidance; a blank field reads the built-in text."""
    row = SafetyGuidance.objects.filter(pk=1).first()
    defaults = default_guidance()
    return Guidance(
        next_session=(row and row.next_session.strip()) or str(defaults["next_session"]),
        what_to_say=(row and row.what_to_say.strip()) or str(defaults["what_to_say"]),
        where_to_refer=(row and row.where_to_refer.strip()) or str(defaults["where_to_refer"]),
        safeguarding_contact=(row and row.safeguarding_contact.strip()) or "",
    )


def attention_waiting(
    *, pairs: Iterable[tuple[int, int]], now: datetime | None = None
) -> set[tuple[int, int]]:
    """Of these (group id, account id) pairs, those where the account has something to
    look at in the group before its next session: a raised safety signal from the
    last ``SIGNAL_NOTICE_DAYS`` days it has not marked as seen, or a check-in held for
    review (a flood). A reminder then says there is something to look at, never what.
    At most five queries for a whole batch of reminders."""
    pairs = set(pairs)
    if not pairs:
        return set()
    since = (now or timezone.now()) - timedelta(days=SIGNAL_NOTICE_DAYS)
    group_ids = {group_id for group_id, _user_id in pairs}
    user_ids = {user_id for _group_id, user_id in pairs}
    held = set(
        CheckinWindow.objects.filter(session__group_id__in=group_ids, reviewed_at__isnull=True)
        .exclude(review_reason="")
        .values_list("session__group_id", flat=True)
    )
    waiting: set[tuple[int, int]] = {pair for pair in pairs if pair[0] in held}
    for model, unit, recent in (
        (SessionRollup, "session_rollup", Q(session__starts_at__gte=since)),
        (BlockRollup, "block_rollup", Q(last_starts_at__gte=since)),
    ):
        raised = list(
            model.objects.filter(recent, group_id__in=group_ids, signal=Signal.RAISED).values_list(
                "pk", "group_id"
            )
        )
        if not raised:
            continue
        seen = set(
            SignalSeen.objects.filter(
                user_id__in=user_ids, **{f"{unit}__in": [pk for pk, _group_id in raised]}
            ).values_list(f"{unit}_id", "user_id")
        )
        for group_id, user_id in pairs:
            if any(g == group_id and (pk, user_id) not in seen for pk, g in raised):
                waiting.add((group_id, user_id))
    return waiting


# --- Readings tied to outcomes ---------------------------------------------------------
# Every figure below sums ``ReadingOutcome`` rows: made only for released units, each
# over at least k answers, so no total holds anything suppressed and a total less any
# set of the figures shown is a sum of other released figures.

# The library says how a reading fared only once this many released sessions had it.
READING_OUTCOME_MIN_SESSIONS = 3


@dataclass(frozen=True)
class ReadingFigure:
    """How members took to one reading over some released units."""

    reading_id: int
    title: str
    units: int  # released units (sessions, pooled blocks) it was assigned to
    answers: int  # answers from those units' sessions where it was assigned
    resonated: int  # of them, how many said it resonated
    sessions: int = 0  # released sessions alone (no blocks) it was assigned to
    sessions_resonated: int = 0  # of them, those where at least one member chose it

    @property
    def share(self) -> float:
        return self.resonated / self.answers if self.answers else 0.0


def _figures(outcomes: QuerySet[ReadingOutcome]) -> list[ReadingFigure]:
    rows = (
        outcomes.order_by()
        .values("reading_id", "reading__title")
        .annotate(
            units=Count("pk"),
            answers_sum=Sum("answers"),
            resonated_sum=Sum("resonated"),
            sessions=Count("pk", filter=Q(session_rollup__isnull=False)),
            sessions_resonated=Count("pk", filter=Q(session_rollup__isnull=False, resonated__gt=0)),
        )
    )
    figures = [
        ReadingFigure(
            reading_id=row["reading_id"],
            title=row["reading__title"],
            units=row["units"],
            answers=row["answers_sum"],
            resonated=row["resonated_sum"],
            sessions=row["sessions"],
            sessions_resonated=row["sessions_resonated"],
        )
        for row in rows
    ]
    return sorted(figures, key=lambda figure: (-figure.share, figure.title))


def group_reading_figures(*, group: Group) -> list[ReadingFigure]:
    """Per reading, over the group's released units: one query, however long the history."""
    return _figures(ReadingOutcome.objects.filter(group=group))


def program_reading_figures(*, user) -> list[ReadingFigure]:
    """Per reading, over every released unit of the program. Admins only."""
    if not user.is_staff:
        raise PermissionDenied
    return _figures(ReadingOutcome.objects.all())


def unit_reading_figures(*, unit: SessionRollup | BlockRollup) -> list[ReadingFigure]:
    """Per reading, in one released unit."""
    return _figures(unit.reading_outcomes.all())


def reading_figures_by_unit(*, group: Group) -> dict[tuple[str, int], list[ReadingFigure]]:
    """Every released unit's readings, keyed ("session", rollup id) or ("block",
    block id): for the CSV. One query."""
    by_unit: dict[tuple[str, int], list[ReadingFigure]] = defaultdict(list)
    rows = (
        ReadingOutcome.objects.filter(group=group)
        .order_by("reading__title", "reading_id")
        .values_list(
            "session_rollup_id", "block_rollup_id", "reading_id", "reading__title", "answers", "resonated"
        )
    )
    for session_rollup_id, block_rollup_id, reading_id, title, answers, resonated in rows:
        key = ("session", session_rollup_id) if session_rollup_id else ("block", block_rollup_id)
        by_unit[key].append(
            ReadingFigure(reading_id=reading_id, title=title, units=1, answers=answers, resonated=resonated)
        )
    return by_unit


def reading_library_figure(*, reading_id: int) -> ReadingFigure | None:
    """How a reading fared program-wide, for the library: None until at least
    ``READING_OUTCOME_MIN_SESSIONS`` released sessions had it."""
    figures = _figures(ReadingOutcome.objects.filter(reading_id=reading_id))
    if not figures or figures[0].sessions < READING_OUTCOME_MIN_SESSIONS:
        return None
    return figures[0]


# --- Work due and not yet done (health.overdue_work) ------------------------------


def checkins_backlog(*, now: datetime, windows_before: datetime, rollups_before: datetime,
                     exports_before: datetime) -> dict[str, int]:  # fmt: skip
    """Check-in work a sweep should have done by now: windows past their close and
    not closed (by ``windows_before``), closed windows without a rollup (closed by
    ``rollups_before``), exports waiting or stuck since ``exports_before``, and what
    the retention purge should already have removed."""
    return {
        "windows_past_close_not_closed": CheckinWindow.objects.filter(
            closed_at__isnull=True, closes_at__lte=windows_before
        ).count(),
        "closed_windows_without_rollup": CheckinWindow.objects.filter(
            closed_at__lte=rollups_before, session__checkin_rollup__isnull=True
        ).count(),
        # Waiting since it was made, or since its last attempt began (a failed attempt
        # puts it back): either way the sweep should have run it by now.
        "exports_waiting": ExportJob.objects.filter(
            Q(started_at__isnull=True) | Q(started_at__lte=exports_before),
            status=ExportJob.Status.PENDING,
            created_at__lte=exports_before,
        ).count(),
        # Its worker is gone (the lease has run out) and the sweep has not claimed it again.
        "exports_stuck_running": ExportJob.objects.filter(
            status=ExportJob.Status.RUNNING, started_at__lte=exports_before - EXPORT_LEASE
        ).count(),
        **purge_backlog(now=now),
    }
