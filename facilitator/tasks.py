import smtplib

from celery import shared_task
from django.db import OperationalError

from facilitator import jobs, services

# Every task takes ids (or nothing), claims its work in the database, and so may run
# twice or be redelivered (acks_late) without a second effect. I/O failures are
# retried with exponential backoff and jitter, a bounded number of times.
RETRY = {"retry_backoff": 30, "retry_backoff_max": 600, "retry_jitter": True, "max_retries": 5}


@shared_task(soft_time_limit=20, time_limit=30, acks_late=True)
def heartbeat() -> None:
    """Proves that beat schedules and a worker runs; shown by /healthz and jobs status."""
    services.heartbeat_record(name="heartbeat")


@shared_task(
    soft_time_limit=30,
    time_limit=60,
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException, OperationalError),
    **RETRY,
)
def send_invitation(invitation_id: int, request: str = "") -> None:
    """Carry out one send request of an invitation (a fresh link), once: a repeated
    message, or one a newer request replaced, finds its request gone and does nothing.
    The send and its record share a transaction, so a worker killed mid-send leaves
    the request waiting and the redelivered message sends it."""
    services.invitation_send(invitation_id=invitation_id, request=request or None)


@shared_task(
    soft_time_limit=30,
    time_limit=60,
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException, OperationalError),
    **RETRY,
)
def send_password_reset(request_id: int) -> None:
    """Email one password-reset link, once (the request row is deleted as it is sent)."""
    services.password_reset_send(request_id=request_id)


@shared_task(soft_time_limit=60, time_limit=90, acks_late=True, autoretry_for=(OperationalError,), **RETRY)
def expire_invitations() -> None:
    """Expire old invitation links, and send those whose publish found the broker down
    (and the password-reset links likewise)."""
    services.invitations_expire()
    jobs.invitations_send_unsent()
    jobs.password_resets_send_waiting()
    services.heartbeat_record(name="expire_invitations")
