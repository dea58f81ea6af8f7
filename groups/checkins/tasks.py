from celery import shared_task

from groups.checkins import services


@shared_task(soft_time_limit=100, time_limit=120)
def windows_sweep() -> None:
    """Open check-ins of sessions that have started and close those whose time is up."""
    services.windows_sweep()
