"""Publishing background work from a web request without ever waiting on the broker.

A request (a check-in, a login, an admin's invitation) must succeed while Redis is
down. So a publish from the request path is bounded (the connection timeout and the
one short retry in ``CELERY_TASK_PUBLISH_RETRY_POLICY``) and never raises: the work
it stands for is already in the database, and a periodic sweep picks it up.
"""

import logging

from celery import Task

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
    """Send the invitations whose publish failed (the broker was down at the time).

    Only those left unsent for a few minutes, so a queued task normally gets there first;
    each is re-checked under a row lock so two sweeps send it once."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from facilitator.models import Invitation
    from facilitator.services import invitation_send

    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    unsent = Invitation.objects.filter(
        sent_at__isnull=True, accepted_at__isnull=True, expires_at__isnull=True, created_at__lte=cutoff
    )
    sent = 0
    for pk in unsent.values_list("pk", flat=True):
        with transaction.atomic():
            if not Invitation.objects.select_for_update().filter(pk=pk, sent_at__isnull=True).exists():
                continue
            sent += invitation_send(invitation_id=pk)
    return sent
