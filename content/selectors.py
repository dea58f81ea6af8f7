"""Reads that cross a permission line: which readings, sessions and plans a person may see.

Other apps use two of these:

- ``readings_for_sessions(sessions=...)`` -> ``{session_id: [SessionReading, ...]}`` in
  order, with each reading, its source and themes loaded (two queries for any number
  of sessions). Members see published readings only; pass ``for_members=False`` on
  facilitator pages to also see a reading withdrawn after it was assigned.
- ``session_notes_for_sessions(sessions=...)`` -> ``{session_id: text}``: the
  facilitators' own note per session, for facilitator-facing places only.
- ``templates/content/includes/member_readings.html`` renders one session's list
  for members (see the comment at its top).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from content.models import Reading, ReadingPlan, SessionNote, SessionReading, Source, Theme
from groups.models import Session
from groups.selectors import groups_for_facilitator, groups_visible_to


def published_readings(*, query: str = "", theme: str = "") -> QuerySet[Reading]:
    readings = (
        Reading.objects.filter(is_published=True)
        .select_related("source")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name")))
        .order_by("source__title", "position", "id")
    )
    if theme:
        readings = readings.filter(themes__slug=theme)
    for word in query.split()[:8]:
        readings = readings.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(passage__icontains=word)
            | Q(themes__name__icontains=word)
            | Q(content_note__icontains=word)
        )
    return readings.distinct()


def themes_in_use() -> QuerySet[Theme]:
    return Theme.objects.filter(readings__is_published=True).distinct().order_by("name")


def sources_in_use() -> QuerySet[Source]:
    return Source.objects.filter(readings__is_published=True).distinct().order_by("title")


def published_reading_get(*, slug: str) -> Reading:
    return get_object_or_404(published_readings(), slug=slug)


def sessions_visible_to(*, user) -> QuerySet[Session]:
    """Sessions of the groups this account may look at (admins: all)."""
    return Session.objects.filter(group__in=groups_visible_to(user=user)).select_related("group")


def session_for_facilitator(*, user, session_id: int) -> Session:
    """The session, or 404 when it belongs to a group this account does not facilitate."""
    return get_object_or_404(sessions_visible_to(user=user), pk=session_id)


def upcoming_sessions_for(*, user, limit: int = 60) -> QuerySet[Session]:
    """Scheduled sessions still to come in the groups this account facilitates."""
    groups = groups_for_facilitator(user=user).filter(archived_at__isnull=True)
    return (
        Session.objects.filter(
            group__in=groups,
            status=Session.Status.SCHEDULED,
            starts_at__gte=timezone.now() - timedelta(hours=3),
        )
        .select_related("group")
        .order_by("starts_at", "id")[:limit]
    )


def sessions_from(*, session: Session, same_series: bool = False) -> list[Session]:
    """The session's group's scheduled sessions from this one onward, in order
    (only those of the session's own series, with ``same_series``)."""
    sessions = Session.objects.filter(group_id=session.group_id, status=Session.Status.SCHEDULED).filter(
        Q(starts_at__gt=session.starts_at) | Q(starts_at=session.starts_at, pk__gte=session.pk)
    )
    if same_series and session.series_id:
        sessions = sessions.filter(series_id=session.series_id)
    return list(sessions.order_by("starts_at", "id"))


def session_note(*, session: Session) -> SessionNote | None:
    """The facilitators' note on a session (call only after session_for_facilitator)."""
    return SessionNote.objects.filter(session=session).first()


def assignment_for_facilitator(*, user, assignment_id: int) -> SessionReading:
    return get_object_or_404(
        SessionReading.objects.filter(session__in=sessions_visible_to(user=user)).select_related(
            "session", "reading"
        ),
        pk=assignment_id,
    )


def readings_for_sessions(
    *, sessions: Iterable[Session | int], for_members: bool = True
) -> dict[int, list[SessionReading]]:
    ids = [s if isinstance(s, int) else s.pk for s in sessions]
    if not ids:
        return {}
    assignments = (
        SessionReading.objects.filter(session_id__in=ids)
        .select_related("reading", "reading__source")
        .prefetch_related(Prefetch("reading__themes", queryset=Theme.objects.order_by("name")))
        .order_by("session_id", "position", "id")
    )
    if for_members:
        assignments = assignments.filter(reading__is_published=True)
    result: dict[int, list[SessionReading]] = defaultdict(list)
    for assignment in assignments:
        result[assignment.session_id].append(assignment)
    return {session_id: result.get(session_id, []) for session_id in ids}


def session_notes_for_sessions(*, sessions: Iterable[Session | int]) -> dict[int, str]:
    """Facilitators' notes by session id (sessions without a note are left out), in
    one query. For facilitator-facing places only (reminder emails, session pages)."""
    ids = [s if isinstance(s, int) else s.pk for s in sessions]
    return dict(
        SessionNote.objects.filter(session_id__in=ids).exclude(text="").values_list("session_id", "text")
    )


def plans_visible_to(*, user) -> QuerySet[ReadingPlan]:
    if not user.is_authenticated:
        return ReadingPlan.objects.none()
    return (
        ReadingPlan.objects.select_related("created_by")
        .prefetch_related("items__reading")
        .order_by("title", "id")
    )


def plan_can_edit(*, user, plan: ReadingPlan) -> bool:
    """The plan's author and admins may change it; the shipped plans are admins' alone."""
    return user.is_authenticated and (
        user.is_staff or (plan.created_by_id is not None and plan.created_by_id == user.pk)
    )
