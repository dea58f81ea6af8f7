"""Reads that cross a permission or privacy line for check-ins.

``answers_count`` is the only code outside ``services`` that touches raw answers;
the aggregation that releases results (with its k-threshold) belongs here too, so
the anonymity boundary stays this one small app.
"""

from __future__ import annotations

from django.db.models import QuerySet

from content.selectors import readings_for_sessions
from groups.checkins.models import CheckinWindow, Response
from groups.models import Session
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
