from celery import shared_task

from facilitator import services


@shared_task(soft_time_limit=20, time_limit=30)
def heartbeat() -> None:
    """Proves that beat schedules and a worker runs; shown by /healthz and jobs status."""
    services.heartbeat_record(name="heartbeat")


@shared_task(soft_time_limit=30, time_limit=60, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    """Email an invitation link (a fresh one on every run)."""
    services.invitation_send(invitation_id=invitation_id)


@shared_task(soft_time_limit=60, time_limit=90)
def expire_invitations() -> None:
    services.invitations_expire()
    services.heartbeat_record(name="expire_invitations")
