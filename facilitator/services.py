from django.db.models import F
from django.utils import timezone

from facilitator.models import TaskHeartbeat


def heartbeat_record(*, name: str) -> TaskHeartbeat:
    """Record that a periodic task ran now (idempotent per call: one row per task)."""
    now = timezone.now()
    updated = TaskHeartbeat.objects.filter(name=name).update(last_run_at=now, runs=F("runs") + 1)
    if not updated:
        TaskHeartbeat.objects.get_or_create(name=name, defaults={"last_run_at": now, "runs": 1})
    return TaskHeartbeat.objects.get(name=name)
