from celery import shared_task

from facilitator import services


@shared_task(soft_time_limit=20, time_limit=30)
def heartbeat() -> None:
    """Proves that beat schedules and a worker runs; shown by /healthz and jobs status."""
    services.heartbeat_record(name="heartbeat")
