"""Publishing background work from a web request without ever waiting on the broker.

A request (a check-in, a login, an admin's invitation) must succeed while Redis is
down. So a publish from the request path is bounded (the connection timeout and the
one short retry in ``CELERY_TASK_PUBLISH_RETRY_POLICY``) and never raises: the work
it stands for is already in the database, and a periodic sweep picks it up.
"""

import logging

from celery import Task
from celery.signals import task_success

logger = logging.getLogger(__name__)


def publish(task: Task, *args: int | str) -> bool:
    """Queue ``task`` with ids as arguments; False (logged, not raised) when the broker
    cannot take it now. Never log the arguments: they may point at a person."""
    try:
        # delay(): publish with CELERY_TASK_PUBLISH_RETRY_POLICY (one short retry).
        task.delay(*args)
    except Exception:
        logger.warning("Broker unavailable: %s not queued now; its sweep will pick the work up", task.name)
        return False
    return True


def invitations_send_unsent(*, older_than_minutes: int = 5) -> int:
    """Carry out the send requests whose publish failed (the broker was down at the
    time): a new invitation or a "send again".

    Only requests left waiting for a few minutes, so a queued task normally gets there
    first; each is sent under its own request token, so it goes once."""
    from datetime import timedelta

    from django.utils import timezone

    from facilitator.models import Invitation
    from facilitator.services import invitation_send

    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    waiting = Invitation.objects.filter(accepted_at__isnull=True, send_requested_at__lte=cutoff).exclude(
        send_request=""
    )
    sent = 0
    for pk, request in waiting.values_list("pk", "send_request"):
        sent += invitation_send(invitation_id=pk, request=request)
    return sent


# A reset link asked for longer ago than this is not sent late: whoever asked has
# given up or asked again, and a link arriving an hour later only surprises.
PASSWORD_RESET_GIVE_UP_MINUTES = 60


def password_resets_send_waiting(*, older_than_minutes: int = 2) -> int:
    """Carry out the password-reset requests whose task never came (the broker was
    down): those waiting a few minutes, so a queued task normally gets there first;
    each is sent once (``password_reset_send`` deletes it). Requests older than
    ``PASSWORD_RESET_GIVE_UP_MINUTES`` are dropped unsent. Returns how many were sent."""
    from datetime import timedelta

    from django.utils import timezone

    from facilitator.models import PasswordResetRequest
    from facilitator.services import password_reset_send

    now = timezone.now()
    PasswordResetRequest.objects.filter(
        created_at__lt=now - timedelta(minutes=PASSWORD_RESET_GIVE_UP_MINUTES)
    ).delete()
    waiting = PasswordResetRequest.objects.filter(
        created_at__lte=now - timedelta(minutes=older_than_minutes)
    ).values_list("pk", flat=True)
    return sum(password_reset_send(request_id=pk) for pk in list(waiting[:200]))


# --- Status (manage.py jobs_status) ---------------------------------------------------


@task_success.connect(weak=False)
def _periodic_task_completed(sender=None, **kwargs) -> None:
    """Record when each periodic task last finished (beat's tables only say when it was sent)."""
    from facilitator.schedule import BEAT_SCHEDULE

    if sender is None or sender.name not in {entry["task"] for entry in BEAT_SCHEDULE.values()}:
        return
    from facilitator.services import heartbeat_record

    try:
        heartbeat_record(name=sender.name)
    except Exception:
        # Bookkeeping only: never turn a finished task into a failed one.
        logger.warning("Could not record that %s finished", sender.name)


# Work is "overdue" once its sweep has had time to run at least twice.
GRACE = {
    "reminders": 12,  # minutes; swept every 5
    "windows": 3,  # swept every minute
    "rollups": 12,  # swept every 5
    "invitations": 35,  # swept every 15, after 5 minutes' wait
    "exports": 12,  # swept every 5, after 2 minutes' wait (a running one: after its lease)
}


def heartbeat_names(task: str) -> tuple[str, str]:
    """The names a periodic task's heartbeat may carry: its dotted name, or the short
    name a task records itself under."""
    return task, task.rsplit(".", 1)[-1]


def schedule_every(heartbeat_name: str):
    """How often beat runs the task a heartbeat is named after (a timedelta), or None
    if it is not in the schedule."""
    from facilitator.schedule import BEAT_SCHEDULE

    for entry in BEAT_SCHEDULE.values():
        if heartbeat_name in heartbeat_names(entry["task"]):
            return entry["schedule"]
    return None


def late_after(every):
    """A periodic task is late once it has missed two runs (plus a little for the time a
    run takes), as GRACE counts work overdue once its sweep had time to run twice."""
    from datetime import timedelta

    return 2 * every + timedelta(minutes=2)


def periodic_tasks_status() -> list[dict]:
    """Each declared periodic task with what beat and the worker last recorded."""
    from django_celery_beat.models import PeriodicTask

    from facilitator.models import TaskHeartbeat
    from facilitator.schedule import BEAT_SCHEDULE

    stored = {task.name: task for task in PeriodicTask.objects.filter(name__in=BEAT_SCHEDULE)}
    heartbeats = {beat.name: beat for beat in TaskHeartbeat.objects.all()}
    rows = []
    for name, entry in BEAT_SCHEDULE.items():
        task = stored.get(name)
        dotted, short = heartbeat_names(entry["task"])
        heartbeat = heartbeats.get(dotted) or heartbeats.get(short)
        rows.append(
            {
                "name": name,
                "task": entry["task"],
                "every_seconds": int(entry["schedule"].total_seconds()),
                "in_beat_schedule": task is not None,
                "enabled": bool(task and task.enabled),
                "last_sent_by_beat": task.last_run_at if task else None,
                "sent_count": task.total_run_count if task else 0,
                "last_completed": heartbeat.last_run_at if heartbeat else None,
            }
        )
    return rows


def overdue_work(*, now=None) -> dict[str, int]:
    """How much due work no sweep has done yet, per kind (0 everywhere is healthy)."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from facilitator.models import Invitation
    from groups.checkins.models import CheckinWindow, ExportJob
    from groups.checkins.retention import purge_backlog
    from groups.checkins.services import EXPORT_LEASE
    from groups.services import reminders_unsettled_count

    now = now or timezone.now()
    late = {kind: now - timedelta(minutes=minutes) for kind, minutes in GRACE.items()}
    return {
        "reminders_due_unsent": reminders_unsettled_count(now=now, due_before=late["reminders"]),
        "windows_past_close_not_closed": CheckinWindow.objects.filter(
            closed_at__isnull=True, closes_at__lte=late["windows"]
        ).count(),
        "closed_windows_without_rollup": CheckinWindow.objects.filter(
            closed_at__lte=late["rollups"], session__checkin_rollup__isnull=True
        ).count(),
        "invitations_unsent": Invitation.objects.filter(
            accepted_at__isnull=True, send_requested_at__lte=late["invitations"]
        )
        .exclude(send_request="")
        .count(),
        # Waiting since it was made, or since its last attempt began (a failed attempt
        # puts it back): either way the sweep should have run it by now.
        "exports_waiting": ExportJob.objects.filter(
            Q(started_at__isnull=True) | Q(started_at__lte=late["exports"]),
            status=ExportJob.Status.PENDING,
            created_at__lte=late["exports"],
        ).count(),
        # Its worker is gone (the lease has run out) and the sweep has not claimed it again.
        "exports_stuck_running": ExportJob.objects.filter(
            status=ExportJob.Status.RUNNING, started_at__lte=late["exports"] - EXPORT_LEASE
        ).count(),
        **purge_backlog(now=now),
    }
