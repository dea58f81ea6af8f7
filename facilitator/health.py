"""Health checks for the probes and /healthz. They touch no member data.

- /livez: the process answers. Nothing else is touched, so a slow database never
  makes a load balancer restart healthy web processes.
- /readyz: the database answers. The broker (Redis) down is reported as "degraded"
  and still 200: check-ins and pages work without it (jobs wait), so a load balancer
  must not take every web node out over it. 503 only when the database is down.
- /healthz: the same, with the failing parts named, for a person.

And the state of the background work, for ``manage.py jobs_status`` and the admin's
"Background jobs" page: each periodic task's last run (``periodic_tasks_status``) and
the due work no sweep has done yet (``overdue_work``), read from each app's backlog
selector."""

import os
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from facilitator.models import TaskHeartbeat
from facilitator.schedule import BEAT_SCHEDULE
from facilitator.selectors import invitations_unsent_count
from groups.checkins.selectors import checkins_backlog
from groups.selectors import reminders_unsettled_count

TIMEOUT_SECONDS = 2


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_ok() -> bool:
    """True when a message could be published now, decided within about two seconds."""
    url: str = settings.CELERY_BROKER_URL
    try:
        if url.startswith("filesystem://"):
            folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
            return folder.is_dir() and os.access(folder, os.W_OK)
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(
                url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
            )
            try:
                return bool(client.ping())
            finally:
                client.close()
        from kombu import Connection

        with Connection(url, connect_timeout=TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
        return True
    except Exception:
        return False


def readiness() -> tuple[int, dict]:
    """(HTTP status, body) of /readyz and /healthz: 200 "ready" or "degraded" (the
    broker down), 503 "unavailable" (the database down)."""
    checks = {"database": database_ok(), "broker": broker_ok()}
    if not checks["database"]:
        status, word = 503, "unavailable"
    elif not all(checks.values()):
        status, word = 200, "degraded"
    else:
        status, word = 200, "ready"
    return status, {
        "status": word,
        "checks": {name: "ok" if ok else "unavailable" for name, ok in checks.items()},
    }


# --- Background work ---------------------------------------------------------------

# Work is "overdue" once its sweep has had time to run at least twice.
GRACE = {
    "reminders": 12,  # minutes; swept every minute, a claim lapses after 5
    "windows": 3,  # swept every minute
    "rollups": 12,  # swept every 5
    "invitations": 35,  # swept every 15, after 5 minutes' wait
    "exports": 12,  # swept every 5, after 2 minutes' wait (a running one: after its lease)
}


def heartbeat_names(task: str) -> tuple[str, str]:
    """The names a periodic task's heartbeat may carry: its dotted name, or the short
    name a task records itself under."""
    return task, task.rsplit(".", 1)[-1]


def schedule_every(heartbeat_name: str) -> timedelta | None:
    """How often beat runs the task a heartbeat is named after, or None if it is not
    in the schedule."""
    for entry in BEAT_SCHEDULE.values():
        if heartbeat_name in heartbeat_names(entry["task"]):
            return entry["schedule"]
    return None


def late_after(every: timedelta) -> timedelta:
    """A periodic task is late once it has missed two runs (plus a little for the time a
    run takes), as GRACE counts work overdue once its sweep had time to run twice."""
    return 2 * every + timedelta(minutes=2)


def periodic_tasks_status() -> list[dict]:
    """Each declared periodic task with what beat and the worker last recorded."""
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


def overdue_work(*, now: datetime | None = None) -> dict[str, int]:
    """How much due work no sweep has done yet, per kind (0 everywhere is healthy)."""
    now = now or timezone.now()
    late = {kind: now - timedelta(minutes=minutes) for kind, minutes in GRACE.items()}
    checkins = checkins_backlog(
        now=now,
        windows_before=late["windows"],
        rollups_before=late["rollups"],
        exports_before=late["exports"],
    )
    return {
        "reminders_due_unsent": reminders_unsettled_count(now=now, due_before=late["reminders"]),
        "windows_past_close_not_closed": checkins.pop("windows_past_close_not_closed"),
        "closed_windows_without_rollup": checkins.pop("closed_windows_without_rollup"),
        "invitations_unsent": invitations_unsent_count(requested_before=late["invitations"]),
        **checkins,
    }
