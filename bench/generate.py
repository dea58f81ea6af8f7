"""A large synthetic program, made fast with bulk inserts through the real models.

Default: 2,000 groups meeting weekly for 3 years; check-ins in use for the last
``checkin_weeks`` weeks of each group (about a million answers), plus three groups
whose whole history (10, 100 and 1,000 sessions) has check-ins, for the trend figure.

Rollups are made in bulk by ``rollups.history_build`` and ``rollups.releases_save``,
which apply the real rules in the real ordinal and block order;
tests/bench/test_generate.py checks that they store exactly what
``rollups.session_rollup_compute`` stores for the same answers.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from facilitator.models import User
from groups.checkins import answers, instruments, rollups
from groups.checkins.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CheckinWindow,
    InstrumentVersion,
)
from groups.models import Group, GroupFacilitator, Session

BATCH = 5_000
TREND_SIZES = (10, 100, 1000)
PASSWORD = "bench-password-not-secret"  # noqa: S105 - synthetic accounts, never served
COMMENTS = [
    "Thank you all for this week.",
    "Hard week, but I came.",
    "The reading hit home.",
    "Felt heard tonight.",
    "Could we start a little later?",
]


@dataclass
class Sizes:
    groups: int = 2_000
    weeks: int = 3 * 52
    checkin_weeks: int = 56
    trend_sizes: tuple[int, ...] = TREND_SIZES
    open_windows: int = 400
    max_responses: int = 9

    @classmethod
    def quick(cls) -> Sizes:
        return cls(groups=150, weeks=52, checkin_weeks=26, open_windows=100)


@dataclass
class Program:
    """What the benchmark needs to find again in the generated data."""

    trend_group_ids: dict[int, int] = field(default_factory=dict)
    trend_user_email: str = ""
    admin_email: str = ""
    open_codes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class _Codes:
    """Window codes, unique across the database (the column is unique)."""

    def __init__(self) -> None:
        self.used = set(CheckinWindow.objects.values_list("code", flat=True))

    def new(self) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.used:
                self.used.add(code)
                return code


def _current_versions() -> dict[str, InstrumentVersion]:
    return {version.instrument.key: version for version in instruments.current_versions()}


def _answer_values(rng: random.Random) -> dict[str, dict]:
    """One member's answers, shaped as the check-in form stores them."""
    who5 = {f"item{n}": rng.randint(0, 5) for n in range(1, 6)}
    program = {
        "pull": rng.randint(0, 10),
        "connection": rng.randint(1, 5),
        "safe": rng.choice(["yes", "yes", "yes", "not_sure", "no"]),
        "resonated": [],
        "comment": rng.choice(COMMENTS) if rng.random() < 0.2 else "",
    }
    return {instruments.WHO5_KEY: who5, instruments.PROGRAM_KEY: program}


def _users(count: int, prefix: str, *, staff: bool = False) -> list[User]:
    password = make_password(PASSWORD)
    users = [
        User(email=f"{prefix}{n}@bench.invalid", password=password, is_staff=staff, is_active=True)
        for n in range(count)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    return list(
        User.objects.filter(email__startswith=prefix, email__endswith="@bench.invalid").order_by("pk")
    )


def _bulk(model, rows: list, log: Callable[[str], None] | None = None) -> None:
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])


class _RollupMaker:
    """The rollups of generated histories, made in bulk by ``rollups.history_build``
    (the rules ``session_rollup_compute`` applies one session at a time) and saved by
    ``rollups.releases_save`` a chunk of groups at a time."""

    def __init__(self) -> None:
        self.limits = rollups.thresholds()
        self.releases: list[rollups.Release] = []

    def group(self, group_id: int, closed: list[tuple[Session, list[dict]]]) -> None:
        """``closed``: the group's closed sessions in closing order, each with its
        responses as {instrument key: (version number, values)}."""
        self.releases += rollups.history_build(group_id=group_id, closed=closed, limits=self.limits)

    def save(self) -> None:
        rollups.releases_save(self.releases)
        self.releases = []


def _checkins(
    sessions: list[Session],
    *,
    versions: dict[str, InstrumentVersion],
    rng: random.Random,
    codes: _Codes,
    max_responses: int,
) -> list[tuple[Session, list[dict]]]:
    """Closed windows with answers for ``sessions``; returns each session's responses
    in the shape the rollup code reads."""
    windows, responses, result = [], [], []
    for session in sessions:
        closes = session.starts_at + timedelta(hours=48)
        windows.append(
            CheckinWindow(
                session=session,
                code=codes.new(),
                opened_at=session.starts_at,
                closes_at=closes,
                closed_at=closes,
            )
        )
        shaped = []
        for _n in range(rng.randint(0, max_responses)):
            given = _answer_values(rng)
            responses.append((session.pk, {versions[key]: values for key, values in given.items()}))
            shaped.append({key: (versions[key].number, values) for key, values in given.items()})
        result.append((session, shaped))
    _bulk(CheckinWindow, windows)
    # Shuffled, as a closed window leaves its rows.
    answers.responses_insert(responses=responses, rng=rng)
    return result


def _weekly_sessions(group: Group, *, weeks: int, last: datetime, rng: random.Random) -> list[Session]:
    return [
        Session(
            group=group,
            starts_at=last - timedelta(weeks=weeks - 1 - n),
            duration_minutes=90,
            attendance=rng.randint(3, 12),
        )
        for n in range(weeks)
    ]


@transaction.atomic
def generate(
    sizes: Sizes | None = None, *, seed: int = 1, now: datetime | None = None, log=lambda message: None
) -> Program:
    sizes = sizes or Sizes()
    rng = random.Random(seed)
    now = now or timezone.now()
    versions = _current_versions()
    codes = _Codes()
    program = Program()
    # The last session a week ago at 19:00 UTC, so every generated window has closed.
    last = (now - timedelta(days=7)).replace(hour=19, minute=0, second=0, microsecond=0)

    owners = _users(sizes.groups, "owner-")
    cos = _users(sizes.groups, "co-")
    admin = _users(1, "admin-", staff=True)[0]
    trend_user = _users(1, "trends-")[0]
    program.admin_email, program.trend_user_email = admin.email, trend_user.email
    groups = [
        Group(name=f"Bench group {n:05d}", timezone="Europe/London", member_label="Peer support")
        for n in range(sizes.groups)
    ]
    trend_groups = [
        Group(name=f"Bench trends {size:05d} sessions", timezone="Europe/London", member_label="Peer support")
        for size in sizes.trend_sizes
    ]
    _bulk(Group, groups + trend_groups)
    groups = list(Group.objects.filter(name__startswith="Bench group ").order_by("name"))
    trend_groups = list(Group.objects.filter(name__startswith="Bench trends ").order_by("name"))
    links = [GroupFacilitator(group=g, user=u, role="owner") for g, u in zip(groups, owners, strict=True)]
    links += [GroupFacilitator(group=g, user=u, role="co") for g, u in zip(groups, cos, strict=True)]
    links += [GroupFacilitator(group=g, user=trend_user, role="owner") for g in trend_groups]
    _bulk(GroupFacilitator, links)
    log(f"{len(groups)} groups, {len(owners) + len(cos) + 2} accounts")

    maker = _RollupMaker()
    made = {"sessions": 0, "windows": 0, "responses": 0, "answers": 0}
    chunk = max(1, 20_000 // max(1, sizes.weeks))
    for start in range(0, len(groups), chunk):
        part = groups[start : start + chunk]
        sessions = [s for g in part for s in _weekly_sessions(g, weeks=sizes.weeks, last=last, rng=rng)]
        _bulk(Session, sessions)
        saved = list(Session.objects.filter(group__in=part).order_by("group_id", "starts_at"))
        by_group: dict[int, list[Session]] = {}
        for session in saved:
            by_group.setdefault(session.group_id, []).append(session)
        with_checkins = [s for g in part for s in by_group[g.pk][-sizes.checkin_weeks :]]
        closed = _checkins(
            with_checkins, versions=versions, rng=rng, codes=codes, max_responses=sizes.max_responses
        )
        per_group: dict[int, list] = {}
        for session, shaped in closed:
            per_group.setdefault(session.group_id, []).append((session, shaped))
            made["responses"] += len(shaped)
            made["answers"] += sum(len(response) for response in shaped)
        for group_id, rows in per_group.items():
            maker.group(group_id, rows)
        maker.save()
        made["sessions"] += len(saved)
        made["windows"] += len(with_checkins)
        log(f"groups {start + len(part)}/{len(groups)}: {made}")

    for group, size in zip(trend_groups, sizes.trend_sizes, strict=True):
        _bulk(Session, _weekly_sessions(group, weeks=size, last=last, rng=rng))
        saved = list(Session.objects.filter(group=group).order_by("starts_at"))
        closed = _checkins(saved, versions=versions, rng=rng, codes=codes, max_responses=sizes.max_responses)
        maker.group(group.pk, closed)
        maker.save()
        program.trend_group_ids[size] = group.pk
        made["sessions"] += size
        made["windows"] += size
        made["responses"] += sum(len(shaped) for _s, shaped in closed)
        made["answers"] += sum(len(response) for _s, shaped in closed for response in shaped)

    program.open_codes = open_windows(groups[: sizes.open_windows], now=now, codes=codes)
    program.counts = {**made, "groups": Group.objects.count()}
    log(f"done: {program.counts}")
    return program


def open_windows(groups: list[Group], *, now: datetime, codes: _Codes | None = None) -> list[str]:
    """One session per group that started an hour ago, its check-in open: where the
    check-in load goes (spread over many windows, as after a real evening)."""
    codes = codes or _Codes()
    sessions = [Session(group=g, starts_at=now - timedelta(hours=1), duration_minutes=90) for g in groups]
    _bulk(Session, sessions)
    sessions = list(
        Session.objects.filter(group__in=groups, starts_at=now - timedelta(hours=1)).order_by("pk")
    )
    windows = [
        CheckinWindow(
            session=s, code=codes.new(), opened_at=s.starts_at, closes_at=s.starts_at + timedelta(hours=48)
        )
        for s in sessions
    ]
    _bulk(CheckinWindow, windows)
    return [w.code for w in windows]


@transaction.atomic
def reminders_due(count: int, *, now: datetime | None = None) -> int:
    """Sessions in the next day of groups with two facilitators each, so that ``count``
    reminders are due (the default preference: 24 hours before)."""
    now = now or timezone.now()
    groups = list(Group.objects.filter(name__startswith="Bench group ").order_by("pk"))
    sessions = []
    for n in range((count + 1) // 2):
        group = groups[n % len(groups)]
        starts = now + timedelta(hours=2) + timedelta(seconds=(n // len(groups)) * 600 + n % 3600)
        sessions.append(Session(group=group, starts_at=starts, duration_minutes=90))
    _bulk(Session, sessions)
    return 2 * len(sessions)


@transaction.atomic
def windows_closing(
    count: int, *, now: datetime | None = None, seed: int = 2, max_responses: int = 9
) -> list[int]:
    """``count`` sessions whose check-in has run out of time but is not closed yet,
    each with 0..max_responses answers: what the window and rollup sweeps must settle."""
    now = now or timezone.now()
    rng = random.Random(seed)
    versions = _current_versions()
    codes = _Codes()
    groups = list(Group.objects.filter(name__startswith="Bench group ").order_by("pk"))
    starts = now - timedelta(hours=50)
    sessions = [
        Session(group=groups[n % len(groups)], starts_at=starts, duration_minutes=90) for n in range(count)
    ]
    _bulk(Session, sessions)
    sessions = list(Session.objects.filter(starts_at=starts, group__in=groups).order_by("pk"))
    windows, responses = [], []
    for session in sessions:
        windows.append(
            CheckinWindow(
                session=session, code=codes.new(), opened_at=starts, closes_at=now - timedelta(minutes=1)
            )
        )
        for _n in range(rng.randint(0, max_responses)):
            responses.append(
                (session.pk, {versions[key]: values for key, values in _answer_values(rng).items()})
            )
    _bulk(CheckinWindow, windows)
    answers.responses_insert(responses=responses, rng=rng)
    return [s.pk for s in sessions]
