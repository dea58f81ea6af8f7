"""A worker killed mid-send delays no reminder by more than six minutes: each sweep
claims only a small batch (what it is about to send), a claim lapses after the lease
(the sweep's hard time limit, the longest a live worker can hold one), and a sweep
runs every minute. Before the lease ends, the reminder is left to the worker that may
still be sending it: never sent twice."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from facilitator.schedule import BEAT_SCHEDULE as SCHEDULE
from groups import services
from groups.models import Reminder, Session
from groups.tasks import reminders_sweep
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

SIX_MINUTES = timedelta(minutes=6)


def _killed_mid_chunk(*, minutes_ago: float, reminders: int = 60) -> list[Reminder]:
    """A sweep claimed its first batch ``minutes_ago`` and its worker was killed before
    sending any; the rest of the due reminders were never claimed."""
    owner = UserFactory()
    group = GroupFactory(owner=owner)
    now = timezone.now()
    sessions = Session.objects.bulk_create(
        [Session(group=group, starts_at=now + timedelta(hours=10, minutes=n)) for n in range(reminders)]
    )
    rows = Reminder.objects.bulk_create(
        [Reminder(session=s, user=owner, session_starts_at=s.starts_at, due_at=now) for s in sessions]
    )
    dead = rows[: services.REMINDER_CLAIM_BATCH]
    Reminder.objects.filter(pk__in=[row.pk for row in dead]).update(
        claimed_at=now - timedelta(minutes=minutes_ago), claim_token="killed-worker"
    )
    return dead


def test_a_sweep_claims_only_a_small_batch_at_a_time():
    assert services.REMINDER_CLAIM_BATCH <= 25


def test_the_reminders_the_dead_worker_never_claimed_go_at_the_next_sweep():
    dead = _killed_mid_chunk(minutes_ago=0.5)

    result = services.reminders_send_due()

    assert result.sent == 60 - len(dead)
    assert not Reminder.objects.filter(pk__in=[row.pk for row in dead], sent_at__isnull=False).exists()


@pytest.mark.parametrize("minutes_ago", [1, 3, 4.5])
def test_within_the_lease_a_claimed_reminder_is_left_to_its_worker(minutes_ago):
    dead = _killed_mid_chunk(minutes_ago=minutes_ago)
    services.reminders_send_due()
    assert Reminder.objects.filter(pk__in=[row.pk for row in dead], sent_at=None).count() == len(dead)


def test_after_the_lease_the_next_sweep_sends_them_once():
    dead = _killed_mid_chunk(minutes_ago=settings.REMINDER_CLAIM_LEASE_MINUTES + 0.1)

    services.reminders_send_due()
    services.reminders_send_due()

    assert Reminder.objects.filter(sent_at__isnull=False).count() == 60
    assert len(mail.outbox) == 60  # each once
    tokens = Reminder.objects.filter(pk__in=[row.pk for row in dead]).values_list("claim_token", flat=True)
    assert "killed-worker" not in set(tokens)


def test_the_recovery_takes_at_most_six_minutes():
    """The longest wait: the worker dies just after claiming; its claim lapses after the
    lease, and the sweep that sends them runs at most one interval later."""
    interval = SCHEDULE["groups-reminders"]["schedule"]
    lease = timedelta(minutes=settings.REMINDER_CLAIM_LEASE_MINUTES)
    assert lease + interval <= SIX_MINUTES
    # ...and the lease is never shorter than a live sweep can hold a claim.
    assert lease.total_seconds() >= reminders_sweep.time_limit
    # A sweep message that waits longer than the interval is dropped, not run late.
    assert SCHEDULE["groups-reminders"]["options"]["expires"] < interval.total_seconds()
