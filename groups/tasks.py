from celery import shared_task

from groups.services import reminders_send_due


@shared_task(soft_time_limit=240, time_limit=300)
def reminders_sweep() -> dict[str, int]:
    """Send the reminders that are due. Idempotent: beat may run it as often as it likes."""
    result = reminders_send_due()
    return {"sent": result.sent, "skipped": result.skipped, "failed": result.failed}
