from celery import shared_task
from django.db import OperationalError

from groups.services import reminders_send_due


# A failed email is released inside the sweep and tried again by later sweeps, a
# bounded number of times with growing waits (groups.services.REMINDER_RETRY_WAITS),
# then given up on and reported; only a database hiccup retries the task itself.
@shared_task(
    soft_time_limit=240,
    time_limit=300,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=10,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=3,
)
def reminders_sweep() -> dict[str, int]:
    """Send the reminders that are due. Idempotent: beat may run it as often as it likes."""
    result = reminders_send_due()
    return {"sent": result.sent, "skipped": result.skipped, "failed": result.failed}
