"""A check-in to try on the demo site (``manage.py demo_setup``)."""

import itertools
import random
from datetime import timedelta

from django.utils import timezone

from content.selectors import readings_for_sessions
from groups.checkins import instruments, rollups, services
from groups.checkins.models import CheckinWindow
from groups.models import Group, Session


def demo_checkin_ensure(*, group: Group) -> CheckinWindow | None:
    """An open check-in for the demo group: the one already open, or the next
    scheduled session's, opened now. None when the group has no session to use."""
    now = timezone.now()
    open_window = CheckinWindow.objects.filter(
        session__group=group, opened_at__isnull=False, closed_at__isnull=True, closes_at__gt=now
    ).first()
    if open_window is not None:
        return open_window
    session = (
        Session.objects.filter(group=group, status=Session.Status.SCHEDULED, starts_at__gte=now)
        .exclude(checkin_window__opened_at__isnull=False)
        .order_by("starts_at")
        .first()
    )
    return services.window_open(session=session) if session is not None else None


# Past check-ins for the demo group's trend chart: (answers, WHO-5 level 0-5) per
# session, oldest first. Block 1 (sessions 1-4) pools two small sessions into a
# released block; session 11 is alone below k in block 3, so it stays suppressed.
DEMO_HISTORY = (
    (6, 2),
    (7, 2),
    (2, 2),
    (3, 3),
    (8, 2),
    (6, 3),
    (7, 3),
    (5, 4),
    (7, 3),
    (6, 3),
    (2, 4),
    (7, 4),
)
DEMO_COMMENTS = (
    "The reading about withdrawal described my week exactly.",
    "Hard week, but glad to be here.",
    "It helps to hear that the pull gets weaker.",
    "I managed not to reply to a message this week.",
    "More time for questions next time, please.",
)


def demo_trends_ensure(*, group: Group) -> int:
    """Synthetic past check-ins, closed and released, so the demo trend chart shows
    a real line. Adds one-off sessions before the series for the older points.
    Idempotent: does nothing once the group has any released history. Returns how
    many sessions it filled."""
    if (
        group.checkin_rollups.exists()
        or CheckinWindow.objects.filter(session__group=group, closed_at__isnull=False).exists()
    ):
        return 0
    now = timezone.now()
    past = list(
        Session.objects.filter(
            group=group, status=Session.Status.SCHEDULED, starts_at__lt=now - timedelta(hours=2)
        )
        .exclude(checkin_window__opened_at__isnull=False)
        .order_by("starts_at")
    )[-len(DEMO_HISTORY) :]
    first = past[0].starts_at if past else now - timedelta(days=7)
    extra = len(DEMO_HISTORY) - len(past)
    earlier = [
        Session.objects.create(
            group=group,
            starts_at=first - timedelta(weeks=extra - i),
            duration_minutes=90,
            attendance=answers + 1 + i % 3,
        )
        for i, (answers, _level) in enumerate(DEMO_HISTORY[:extra])
    ]
    sessions = earlier + past
    versions = {version.instrument.key: version for version in instruments.current_versions()}
    if not {instruments.WHO5_KEY, instruments.PROGRAM_KEY} <= set(versions):
        return 0
    readings = readings_for_sessions(sessions=sessions)
    rng = random.Random(7)
    comments = itertools.cycle(DEMO_COMMENTS)
    for index, (session, (answers, level)) in enumerate(zip(sessions, DEMO_HISTORY, strict=True)):
        if session.attendance is None or session.attendance < answers:
            Session.objects.filter(pk=session.pk).update(attendance=answers + 1)
        opened = session.starts_at + timedelta(minutes=80)
        window = services.window_ensure(session=session)
        window = services.window_open(session=session, now=opened)
        chosen = [str(a.reading_id) for a in readings.get(session.pk, [])]
        for n in range(answers):
            who5 = {f"item{i}": max(0, min(5, level + rng.choice((-1, 0, 0, 1)))) for i in range(1, 6)}
            program = {
                "pull": max(0, min(10, 8 - level + rng.choice((-1, 0, 1)))),
                "connection": max(1, min(5, level + rng.choice((-1, 0, 1)))),
                "safe": "not_sure" if n == 0 and level <= 2 else "yes",
            }
            # In the latest session one member did not feel safe: the demo shows the
            # notice a facilitator gets, and the guidance beside it.
            if index == len(sessions) - 1 and n == 1:
                program["safe"] = "no"
            if chosen and rng.random() < 0.6:
                program["resonated"] = [rng.choice(chosen)]
            if n < 2:
                program["comment"] = next(comments)
            services.checkin_submit(
                window=window,
                submission=services.Submission(
                    answers={versions[instruments.WHO5_KEY]: who5, versions[instruments.PROGRAM_KEY]: program}
                ),
                now=opened + timedelta(minutes=1),
            )
        services.window_close(window=window, now=opened + timedelta(hours=1))
        rollups.session_rollup_compute(session_id=session.pk)
    return len(sessions)
