"""The facilitator app's Celery tasks: thin wrappers that call a service with ids.

Also the one receiver of Celery's ``task_success`` signal, which records when each
periodic task last finished (beat's tables only say when it was sent). It is
connected here because a worker imports every tasks module (autodiscovery) and
nothing else needs it."""

import logging
import smtplib

from celery import shared_task
from celery.signals import task_success
from django.db import OperationalError

from facilitator import services
from facilitator.schedule import BEAT_SCHEDULE

logger = logging.getLogger(__name__)
PERIODIC_TASKS = frozenset(entry["task"] for entry in BEAT_SCHEDULE.values())

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
    services.invitations_send_unsent()
    services.password_resets_send_waiting()
    services.heartbeat_record(name="expire_invitations")


@task_success.connect(weak=False)
def _periodic_task_completed(sender=None, **kwargs) -> None:
    """Record when each periodic task last finished."""
    if sender is None or sender.name not in PERIODIC_TASKS:
        return
    try:
        services.heartbeat_record(name=sender.name)
    except Exception:
        # Bookkeeping only: never turn a finished task into a failed one.
        logger.warning("Could not record that %s finished", sender.name)
