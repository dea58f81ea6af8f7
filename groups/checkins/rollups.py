"""The release of aggregates: the thresholds applied to the raw answers that
``answers.responses_by_session`` reads (keys dropped), and nothing stored but counts,
statistics and shuffled released comments.

When a window has closed, ``session_rollup_compute`` stores the session's rollup,
once (a unique row per session claims it; a second call returns the first row);
``session_rollups_compute`` does the same for a batch of sessions (the window
sweep's nudge), by the same rules (``_rollup_build``, ``_block_build``):

- at least ``k_scores`` answers: released with its statistics;
- fewer (but some): suppressed; it keeps only its place in a block;
- none: "no answers".

Each rollup of a group gets the next ``ordinal`` (1, 2, 3…); block b holds ordinals
(b-1)*POOL_BLOCK_SIZE+1 … b*POOL_BLOCK_SIZE. Ordinals are fixed at creation, so blocks
never overlap or slide. When the last session of a block is rolled up, the block's
*suppressed* sessions (only those) are pooled: released if together they reach k.
The block's released sessions are left out of the pool on purpose: otherwise the
block minus its released sessions would give away the suppressed ones.

The safety signal (``Signal``, one bit: "at least one member said they do not feel
safe right now") has its own floor, ``K_FLOOR`` (3), fixed and below any k: a session
of 3 answers or more releases its own, scores suppressed or not; a session of 1 or 2
passes it to its block, which pools the signals of just those small sessions and
releases one bit if they reach 3 answers together ("too few to report" if not). The
two pools differ on purpose: each leaves out what its units released on their own.

Thresholds are those in force when the rollup is made and are stored with it; a later
change applies only to later releases, so nothing released ever changes.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Max, Q

from content.models import SessionReading
from groups.checkins import instruments, stats
from groups.checkins.answers import ResponseValues, responses_by_session
from groups.checkins.models import (
    K_FLOOR,
    POOL_BLOCK_SIZE,
    BlockRollup,
    CheckinWindow,
    PrivacySettings,
    ReadingOutcome,
    RollupComment,
    SessionRollup,
    Signal,
    unit_owner,
)
from groups.models import Group, Session

logger = logging.getLogger(__name__)
_random = secrets.SystemRandom()

# Rows per INSERT when many are made at once (a sweep's batch, a bulk history).
INSERT_BATCH = 2000
COMMENT_KEY = "comment"
RESONATED_KEY = "resonated"


def thresholds() -> PrivacySettings:
    """The deployment's thresholds (the defaults until an admin changes them)."""
    return PrivacySettings.objects.filter(pk=1).first() or PrivacySettings(pk=1)


def block_of(ordinal: int) -> int:
    return (ordinal - 1) // POOL_BLOCK_SIZE + 1


def _scale_summary(values: list[int]) -> dict:
    total = sum(values)
    return {"n": len(values), "sum": total, "mean": total / len(values)}


def _stats(responses: list[dict], *, k: int) -> dict:
    """The statistics of a released unit. A measure answered by fewer than k members
    (an instrument switched off mid-way) is left out rather than shown."""
    versions = sorted(
        {(key, number) for response in responses for key, (number, _values) in response.items()}
    )
    result: dict = {"versions": [list(version) for version in versions]}

    who5 = [answers[instruments.WHO5_KEY][1] for answers in responses if instruments.WHO5_KEY in answers]
    scores = [raw * 4 for raw in (instruments.who5_raw(values) for values in who5) if raw is not None]
    if len(scores) >= k:
        total = sum(scores)
        total_sq = sum(score * score for score in scores)
        ci = stats.mean_ci(n=len(scores), total=total, total_sq=total_sq, lo=0, hi=100)
        complete = [values for values in who5 if instruments.who5_raw(values) is not None]
        result["who5"] = {
            "n": len(scores),
            "sum": total,
            "sumsq": total_sq,
            "mean": ci.mean,
            "low": ci.low,
            "high": ci.high,
            "le50": sum(1 for score in scores if score <= 50),
            "le28": sum(1 for score in scores if score <= 28),
            "items": {
                f"item{n}": sum(values[f"item{n}"] for values in complete) / len(complete)
                for n in range(1, 6)
            },
        }

    program = [
        answers[instruments.PROGRAM_KEY][1] for answers in responses if instruments.PROGRAM_KEY in answers
    ]
    for key in ("pull", "connection"):
        values = [v[key] for v in program if isinstance(v.get(key), int) and not isinstance(v.get(key), bool)]
        if len(values) >= k:
            result[key] = _scale_summary(values)
    return result


def _signal(responses: list[dict]) -> str:
    """The safety signal of a unit's answers (at least ``K_FLOOR`` of them): raised if
    any said "no" to feeling safe. One bit: the number who said so is never kept."""
    safe = [
        answers[instruments.PROGRAM_KEY][1].get(instruments.SAFE_ITEM_KEY)
        for answers in responses
        if instruments.PROGRAM_KEY in answers
    ]
    safe = [value for value in safe if value]
    if not safe:
        return Signal.NONE  # the question was not asked
    return Signal.RAISED if instruments.SAFE_NO in safe else Signal.CLEAR


def _session_signal(responses: list[dict]) -> str:
    """A session's own signal from ``K_FLOOR`` answers, whatever k is; with 1 or 2 it
    waits for its block."""
    if not responses:
        return Signal.NONE
    if len(responses) < K_FLOOR:
        return Signal.POOLED
    return _signal(responses)


def _comments(responses: list[dict]) -> list[str]:
    texts = []
    for answers in responses:
        values = answers.get(instruments.PROGRAM_KEY, (None, {}))[1]
        text = (values.get(COMMENT_KEY) or "").strip()
        if text:
            texts.append(text[:400])
    return texts


def _comment_rows(texts: list[str], **owner) -> list[RollupComment]:
    positions = _random.sample(range(1, 10 * len(texts) + 10), len(texts))
    return [
        RollupComment(text=text, position=position, **owner)
        for text, position in zip(texts, positions, strict=True)
    ]


def _assignments(session_ids: Iterable[int]) -> dict[int, set[int]]:
    """The readings assigned to each of these sessions, as reading ids."""
    assigned: dict[int, set[int]] = defaultdict(set)
    rows = SessionReading.objects.filter(session_id__in=list(session_ids)).values_list(
        "session_id", "reading_id"
    )
    for session_id, reading_id in rows:
        assigned[session_id].add(reading_id)
    return assigned


def _outcomes(parts: list[tuple[set[int], list[dict]]], *, k: int) -> list[tuple[int, int, int]]:
    """Per reading, over ``parts`` (each session's assigned reading ids and answers):
    the answers to the group's own items from the sessions where it was assigned, and
    how many of them chose it as one that resonated; as (reading id, answers, chose),
    only where those answers reach ``k``. A reading no one chose counts too (0 of n)."""
    answers: dict[int, int] = defaultdict(int)
    chose: dict[int, int] = defaultdict(int)
    for assigned, responses in parts:
        picks = [
            {int(value) for value in (answers_of[instruments.PROGRAM_KEY][1].get(RESONATED_KEY) or [])}
            for answers_of in responses
            if instruments.PROGRAM_KEY in answers_of
        ]
        for reading_id in assigned:
            answers[reading_id] += len(picks)
            chose[reading_id] += sum(1 for picked in picks if reading_id in picked)
    return sorted((reading_id, n, chose[reading_id]) for reading_id, n in answers.items() if n >= k)


@dataclass
class Release:
    """What one unit releases, before it is saved: its rollup (a session's or a
    block's), its comments and its readings' outcomes."""

    unit: SessionRollup | BlockRollup
    comments: list[str] = field(default_factory=list)
    outcomes: list[tuple[int, int, int]] = field(default_factory=list)

    def rows(self) -> tuple[list[RollupComment], list[ReadingOutcome]]:
        """The comment and outcome rows, once ``unit`` has its key."""
        owner = unit_owner(self.unit)
        outcomes = [
            ReadingOutcome(
                group_id=self.unit.group_id, reading_id=reading_id, answers=n, resonated=chose, **owner
            )
            for reading_id, n, chose in self.outcomes
        ]
        return _comment_rows(self.comments, **owner), outcomes


def _store(releases: list[Release]) -> None:
    """Insert the comments and outcomes of units already saved."""
    comments, outcomes = [], []
    for release in releases:
        more_comments, more_outcomes = release.rows()
        comments += more_comments
        outcomes += more_outcomes
    RollupComment.objects.bulk_create(comments, batch_size=INSERT_BATCH)
    ReadingOutcome.objects.bulk_create(outcomes, batch_size=INSERT_BATCH)


def _insert(model, rows: list) -> None:
    """Insert new rows, their keys set on them (for the comments that point to them)."""
    if connections[router.db_for_write(model)].features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    else:  # SQLite before 3.35 does not say which keys a bulk insert made
        for row in rows:
            row.save(force_insert=True)


def _rollup_build(
    *,
    session_id: int,
    group_id: int,
    ordinal: int,
    responses: list[dict],
    limits: PrivacySettings,
    readings: set[int] = frozenset(),
) -> Release:
    """What a session releases, unsaved: the threshold rules. ``readings``: the ids
    of the readings assigned to it."""
    rollup = SessionRollup(
        session_id=session_id,
        group_id=group_id,
        ordinal=ordinal,
        block=block_of(ordinal),
        k_scores=limits.k_scores,
        k_comments=limits.k_comments,
    )
    rollup.signal = _session_signal(responses)
    if not responses:
        rollup.status = SessionRollup.Status.EMPTY
    elif len(responses) < limits.k_scores:
        rollup.status = SessionRollup.Status.SUPPRESSED
    else:
        rollup.status = SessionRollup.Status.RELEASED
        rollup.answers = len(responses)
        rollup.stats = _stats(responses, k=limits.k_scores)
    if not rollup.is_released:
        return Release(rollup)
    return Release(
        rollup,
        comments=_comments(responses) if len(responses) >= limits.k_comments else [],
        outcomes=_outcomes([(readings, responses)], k=limits.k_scores),
    )


def _block_build(
    *,
    group_id: int,
    number: int,
    members: list[tuple],
    responses: dict[int, list[dict]],
    limits: PrivacySettings,
    readings: dict[int, set[int]] | None = None,
) -> Release | None:
    """What a complete block releases, unsaved; None when the block is not complete
    or has nothing to pool. ``members``: the block's session rollups as
    ``_MEMBER_FIELDS``; ``responses``: the answers of (at least) its suppressed
    sessions; ``readings``: the reading ids assigned to each of them."""
    if len(members) < POOL_BLOCK_SIZE:
        return None
    pooled = [member for member in members if member[0] == SessionRollup.Status.SUPPRESSED]
    if not pooled:
        return None
    answers = [response for member in pooled for response in responses.get(member[1], [])]
    headcounts = [member[2] for member in pooled]
    starts = [member[3] for member in pooled]
    # The signal pools only the sessions too small for their own (1 or 2 answers), a
    # subset of the score pool: the others released theirs, and a pool holding them
    # would let their signals be subtracted from it.
    signal_pool = [member[1] for member in pooled if member[4] == Signal.POOLED]
    signal_answers = [response for session_id in signal_pool for response in responses.get(session_id, [])]
    if not signal_pool:
        signal = Signal.NONE
    elif len(signal_answers) < K_FLOOR:
        signal = Signal.TOO_FEW
    else:
        signal = _signal(signal_answers)
    block = BlockRollup(
        signal=signal,
        signal_sessions=len(signal_pool),
        group_id=group_id,
        number=number,
        k_scores=limits.k_scores,
        k_comments=limits.k_comments,
        sessions_pooled=len(pooled),
        first_starts_at=min(starts),
        last_starts_at=max(starts),
    )
    if len(answers) >= limits.k_scores:
        block.status = BlockRollup.Status.RELEASED
        block.answers = len(answers)
        block.headcount = sum(headcounts) if all(h is not None for h in headcounts) else None
        block.stats = _stats(answers, k=limits.k_scores)
    else:
        block.status = BlockRollup.Status.SUPPRESSED
        return Release(block)
    readings = readings or {}
    parts = [(readings.get(member[1], set()), responses.get(member[1], [])) for member in pooled]
    return Release(
        block,
        comments=_comments(answers) if len(answers) >= limits.k_comments else [],
        outcomes=_outcomes(parts, k=limits.k_scores),
    )


def history_build(
    *, group_id: int, closed: list[tuple[Session, list[ResponseValues]]], limits: PrivacySettings
) -> list[Release]:
    """The releases of a group's whole history at once, unsaved: ``closed`` is its
    closed sessions in closing order (the first is ordinal 1), each with its responses.
    Each session's release and each complete block's, by the rules
    ``session_rollup_compute`` applies one session at a time. For a history made in
    bulk (the benchmark's program); its sessions have no readings."""
    releases: list[Release] = []
    members: list[tuple] = []
    responses_of: dict[int, list[ResponseValues]] = {}
    for ordinal, (session, responses) in enumerate(closed, start=1):
        release = _rollup_build(
            session_id=session.pk, group_id=group_id, ordinal=ordinal, responses=responses, limits=limits
        )
        releases.append(release)
        rollup = release.unit
        # As ``_MEMBER_FIELDS`` reads them.
        members.append((rollup.status, session.pk, session.attendance, session.starts_at, rollup.signal))
        responses_of[session.pk] = responses
        if ordinal % POOL_BLOCK_SIZE == 0:
            block = _block_build(
                group_id=group_id, number=rollup.block, members=members, responses=responses_of, limits=limits
            )
            if block is not None:
                releases.append(block)
            members, responses_of = [], {}
    return releases


def releases_save(releases: list[Release]) -> None:
    """Insert releases that ``history_build`` made: the session rollups, the block
    rollups, then their comments (in random places) and outcomes."""
    _insert(SessionRollup, [release.unit for release in releases if isinstance(release.unit, SessionRollup)])
    _insert(BlockRollup, [release.unit for release in releases if isinstance(release.unit, BlockRollup)])
    _store(releases)


# Only what pooling needs of a block's sessions: no statistics, no whole rows.
_MEMBER_FIELDS = ("status", "session_id", "session__attendance", "session__starts_at", "signal")


def _held(session_ids: Iterable[int]) -> set[int]:
    """Of these sessions, those whose results wait for a facilitator's review: the
    window was flooded (marked when it happened), or it took more answers than the
    people the facilitator counted (marked here, before anything is released)."""
    ids = list(session_ids)
    CheckinWindow.objects.filter(
        session_id__in=ids,
        review_reason="",
        reviewed_at__isnull=True,
        session__attendance__isnull=False,
        answers_taken__gt=F("session__attendance"),
    ).update(review_reason=CheckinWindow.ReviewReason.HEADCOUNT)
    return set(
        CheckinWindow.objects.filter(session_id__in=ids, reviewed_at__isnull=True)
        .exclude(review_reason="")
        .values_list("session_id", flat=True)
    )


def session_rollup_compute(*, session_id: int) -> SessionRollup | None:
    """Store the rollup of a session whose window has closed; None if it has not.
    Idempotent: the first call makes the row, any later call returns it unchanged."""
    # One read for the session, its window and any rollup already made.
    session = Session.objects.select_related("checkin_window", "checkin_rollup").filter(pk=session_id).first()
    if session is None:
        return None
    existing = getattr(session, "checkin_rollup", None)
    if existing is not None:
        return existing
    window = getattr(session, "checkin_window", None)
    if window is None or window.closed_at is None or _held([session_id]):
        return None
    for _attempt in range(3):
        try:
            return _session_rollup_make(session=session)
        except IntegrityError:
            # Another worker made this rollup, or took the ordinal we counted on
            # (SQLite has no row locks): look again.
            existing = SessionRollup.objects.filter(session_id=session_id).first()
            if existing is not None:
                return existing
    raise RuntimeError(f"could not make the rollup of session {session_id}")


def _session_rollup_make(*, session: Session) -> SessionRollup:
    group_id = session.group_id
    with transaction.atomic():
        # One rollup at a time per group, so ordinals are handed out in turn. A worker
        # that made this session's rollup meanwhile makes the insert below fail on the
        # session's unique row: the caller then returns that rollup.
        list(Group.objects.select_for_update().filter(pk=group_id).order_by().values_list("pk"))
        limits = thresholds()
        ordinal = (SessionRollup.objects.filter(group_id=group_id).aggregate(m=Max("ordinal"))["m"] or 0) + 1
        release = _rollup_build(
            session_id=session.pk,
            group_id=group_id,
            ordinal=ordinal,
            responses=responses_by_session([session.pk]).get(session.pk, []),
            limits=limits,
            readings=_assignments([session.pk])[session.pk],
        )
        rollup = release.unit
        rollup.save(force_insert=True)
        _store([release])
        if ordinal % POOL_BLOCK_SIZE == 0:
            block_rollup_compute(group_id=group_id, number=rollup.block, limits=limits)
    return rollup


def session_rollups_compute(*, session_ids: Iterable[int]) -> int:
    """Store the rollups of many closed windows together, in the order given (the
    order they closed): for each, exactly what ``session_rollup_compute`` would
    store, by the same rules. The window sweep nudges this once per batch of
    windows, and the catch-up sweep runs it. Returns how many it made.

    One transaction for the batch, holding every group's lock (taken in id order,
    as another batch would): sessions already rolled up meanwhile are skipped, and
    the rest get their groups' next ordinals and the thresholds in force now. The
    answers are read before (a closed window's answers never change), all at once;
    the rollups, their comments and any blocks they complete are inserted in bulk."""
    ids = list(dict.fromkeys(session_ids))
    due = dict(
        Session.objects.filter(
            pk__in=ids, checkin_window__closed_at__isnull=False, checkin_rollup__isnull=True
        ).values_list("pk", "group_id")
    )
    for held in _held(due):
        del due[held]
    if not due:
        return 0
    responses = responses_by_session(due)
    readings = _assignments(due)
    group_ids = sorted(set(due.values()))
    with transaction.atomic():
        list(Group.objects.select_for_update().filter(pk__in=group_ids).order_by("pk").values_list("pk"))
        done = set(SessionRollup.objects.filter(session_id__in=due).values_list("session_id", flat=True))
        limits = thresholds()
        last = dict(
            SessionRollup.objects.filter(group_id__in=group_ids)
            .values("group_id")
            .annotate(m=Max("ordinal"))
            .values_list("group_id", "m")
        )
        made: list[Release] = []
        for session_id in ids:
            if session_id not in due or session_id in done:
                continue
            group_id = due[session_id]
            last[group_id] = last.get(group_id, 0) + 1
            made.append(
                _rollup_build(
                    session_id=session_id,
                    group_id=group_id,
                    ordinal=last[group_id],
                    responses=responses.get(session_id, []),
                    limits=limits,
                    readings=readings.get(session_id, set()),
                )
            )
        _insert(SessionRollup, [release.unit for release in made])
        complete = [
            (release.unit.group_id, release.unit.block)
            for release in made
            if release.unit.ordinal % POOL_BLOCK_SIZE == 0
        ]
        blocks = _blocks_build(complete, limits=limits)
        _insert(BlockRollup, [release.unit for release in blocks])
        _store(made + blocks)
    return len(made)


def _blocks_build(complete: list[tuple[int, int]], *, limits: PrivacySettings) -> list[Release]:
    """The pooled rollups of blocks just completed, as (group id, number), unsaved;
    each exactly what ``block_rollup_compute`` would make."""
    if not complete:
        return []
    group_ids = {group_id for group_id, _number in complete}
    numbers = {number for _group_id, number in complete}
    existing = set(
        BlockRollup.objects.filter(group_id__in=group_ids, number__in=numbers).values_list(
            "group_id", "number"
        )
    )
    wanted = [pair for pair in complete if pair not in existing]
    if not wanted:
        return []
    members: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    rows = SessionRollup.objects.filter(group_id__in=group_ids, block__in=numbers).values_list(
        "group_id", "block", *_MEMBER_FIELDS
    )
    for group_id, number, *member in rows:
        members[(group_id, number)].append(tuple(member))
    pooled_ids = [
        member[1]
        for pair in wanted
        for member in members[pair]
        if member[0] == SessionRollup.Status.SUPPRESSED
    ]
    responses = responses_by_session(pooled_ids) if pooled_ids else {}
    readings = _assignments(pooled_ids) if pooled_ids else {}
    built = [
        _block_build(
            group_id=group_id,
            number=number,
            members=members[(group_id, number)],
            responses=responses,
            limits=limits,
            readings=readings,
        )
        for group_id, number in wanted
    ]
    return [block for block in built if block is not None]


def block_rollup_compute(
    *, group_id: int, number: int, limits: PrivacySettings | None = None
) -> BlockRollup | None:
    """Pool the suppressed sessions of a complete block. None when the block is not
    complete or has nothing to pool; idempotent like the session rollup. ``limits``:
    the thresholds already read by the session rollup that completed the block."""
    existing = BlockRollup.objects.filter(group_id=group_id, number=number).first()
    if existing is not None:
        return existing
    members = list(SessionRollup.objects.filter(group_id=group_id, block=number).values_list(*_MEMBER_FIELDS))
    pooled_ids = [member[1] for member in members if member[0] == SessionRollup.Status.SUPPRESSED]
    if len(members) < POOL_BLOCK_SIZE or not pooled_ids:
        return None
    limits = limits or thresholds()
    built = _block_build(
        group_id=group_id,
        number=number,
        members=members,
        responses=responses_by_session(pooled_ids),
        limits=limits,
        readings=_assignments(pooled_ids),
    )
    if built is None:
        return None
    with transaction.atomic():
        built.unit.save()
        _store([built])
    return built.unit


def rollups_sweep() -> int:
    """Make the rollup of every closed window that has none (a lost nudge, a worker
    that died): the periodic catch-up. Returns how many it made."""
    pending = (
        CheckinWindow.objects.filter(closed_at__isnull=False, session__checkin_rollup__isnull=True)
        .filter(Q(review_reason="") | Q(reviewed_at__isnull=False))
        .order_by("closed_at", "pk")
        .values_list("session_id", flat=True)
    )
    return session_rollups_compute(session_ids=list(pending[:500]))
