"""Arrange and inspect the fault suite's database from a separate process.

The suite's web server and worker use a database (a SQLite file, or PostgreSQL)
that is not pytest-django's test database; so the test runs these helpers as
``python -m tests.faults.remote NAME JSON`` with the same settings and reads their
JSON answer from stdout.
"""

import json
import sys
from datetime import timedelta


def _facilitator(email: str):
    from facilitator.models import User
    from tests.factories import UserFactory

    return User.objects.filter(email=email).first() or UserFactory(
        email=email, display_name=email.split("@")[0]
    )


def group_with_session(*, email: str, starts_in_minutes: float, duration_minutes: int = 90) -> dict:
    """A group owned by ``email`` with one session starting ``starts_in_minutes`` from now."""
    from django.utils import timezone

    from groups.models import Session
    from tests.factories import GroupFactory

    group = GroupFactory(name=f"Group of {email}", owner=_facilitator(email))
    session = Session.objects.create(
        group=group,
        starts_at=timezone.now() + timedelta(minutes=starts_in_minutes),
        duration_minutes=duration_minutes,
    )
    return {"group": group.pk, "session": session.pk}


def add_session(*, group: int, starts_in_minutes: float, duration_minutes: int = 90) -> dict:
    from django.utils import timezone

    from groups.models import Session

    session = Session.objects.create(
        group_id=group,
        starts_at=timezone.now() + timedelta(minutes=starts_in_minutes),
        duration_minutes=duration_minutes,
    )
    return {"session": session.pk}


def open_window(*, session: int, opened_minutes_ago: float = 0, hours_open: int = 48) -> dict:
    from django.utils import timezone

    from groups.checkins import services
    from groups.checkins.models import CheckinWindow
    from groups.models import Session

    window = services.window_ensure(session=Session.objects.get(pk=session))
    opened = timezone.now() - timedelta(minutes=opened_minutes_ago)
    CheckinWindow.objects.filter(pk=window.pk).update(
        opened_at=opened, closes_at=opened + timedelta(hours=hours_open), hours_open=hours_open
    )
    return {"window": window.pk, "code": window.code}


def checkin_answers(*, session: int, answers: int) -> dict:
    """Store ``answers`` valid check-ins through the service (as the form would)."""
    from groups.checkins import instruments, services
    from groups.checkins.models import CheckinWindow
    from tests.checkins.helpers import GOOD_WHO5

    window = CheckinWindow.objects.get(session_id=session)
    versions = instruments.current_versions()
    by_key = {version.instrument.key: version for version in versions}
    values = {"who5": GOOD_WHO5, "program": {"pull": 4, "connection": 3, "safe": "yes"}}
    for _ in range(answers):
        submission = services.Submission(answers={by_key[k]: v for k, v in values.items() if k in by_key})
        # Answered while the window was open (it may have expired since).
        services.checkin_submit(window=window, submission=submission, now=window.opened_at)
    return {"stored": answers}


def invite(*, email: str) -> dict:
    """An admin invites ``email``; the send is published when the transaction commits."""
    from facilitator import services
    from facilitator.models import User
    from tests.factories import AdminFactory

    admin = User.objects.filter(email="fault-admin@example.org").first() or AdminFactory(
        email="fault-admin@example.org"
    )
    invitation = services.invitation_create(invited_by=admin, email=email)
    return {"invitation": invitation.pk}


def publish(*, task: str, times: int = 1, task_id: str | None = None) -> dict:
    """Publish the task ``times`` times, with one message id if ``task_id`` is given."""
    from facilitator.celery import app

    for _ in range(times):
        app.send_task(task, task_id=task_id)
    return {"published": times}


def state(*, sessions: list[int] = (), invitations: list[int] = (), emails: list[str] = ()) -> dict:
    from django.db import connection

    from facilitator.models import AuditEntry, Invitation
    from groups.checkins.models import CheckinWindow, Response, SessionRollup
    from groups.models import Reminder

    result: dict = {"sessions": {}, "invitations": {}, "database": connection.vendor}
    for pk in sessions:
        window = CheckinWindow.objects.filter(session_id=pk).first()
        result["sessions"][str(pk)] = {
            "responses": Response.objects.filter(session_id=pk).count(),
            "opened": bool(window and window.opened_at),
            "closed": bool(window and window.closed_at),
            "closes_audited": AuditEntry.objects.filter(
                action="checkin.window_closed", target_id=str(window.pk) if window else "-"
            ).count(),
            "rollups": SessionRollup.objects.filter(session_id=pk).count(),
            "reminders_sent": Reminder.objects.filter(session_id=pk, sent_at__isnull=False).count(),
            "reminders_skipped": Reminder.objects.filter(session_id=pk, skipped_at__isnull=False).count(),
        }
    for pk in invitations:
        invitation = Invitation.objects.get(pk=pk)
        result["invitations"][str(pk)] = {"sent": invitation.sent_at is not None}
    return result


if __name__ == "__main__":
    import django

    django.setup()
    name, arguments = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    print(json.dumps(globals()[name](**arguments)))
