from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from content.models import SessionNote
from groups import services
from groups.models import FacilitatorPreference, Reminder, Session
from groups.services import reminders_send_due
from groups.tasks import reminders_sweep
from tests.factories import ReadingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_sweep_run_twice_sends_each_reminder_once(group, owner, cofacilitator):
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))

    first = reminders_send_due()
    second = reminders_send_due()

    assert first.sent == 2
    assert second.sent == 0
    assert _recipients() == sorted([owner.email, cofacilitator.email])


def test_a_reminder_claimed_by_another_sweep_is_not_sent_again(group, owner):
    session = SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    Reminder.objects.create(
        session=session,
        user=owner,
        session_starts_at=session.starts_at,
        due_at=session.starts_at - timedelta(hours=24),
        sent_at=timezone.now(),
    )

    reminders_send_due()

    assert owner.email not in _recipients()


def test_reminders_are_not_sent_before_they_are_due(group):
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=30))

    assert reminders_send_due().sent == 0
    assert mail.outbox == []


def test_after_downtime_the_sweep_sends_missed_reminders_that_are_still_useful_and_skips_stale_ones(
    group, owner, cofacilitator
):
    now = timezone.now()
    useful = SessionFactory(group=group, starts_at=now + timedelta(hours=3))  # due 21 hours ago
    stale = SessionFactory(group=group, starts_at=now + timedelta(minutes=10))  # too late to help
    SessionFactory(group=group, starts_at=now - timedelta(hours=1))  # already started: nothing to do

    result = reminders_send_due(now=now)

    assert result.sent == 2
    assert result.skipped == 2
    assert Reminder.objects.filter(session=useful, sent_at__isnull=False).count() == 2
    assert Reminder.objects.filter(session=stale, skipped_at__isnull=False).count() == 2
    assert reminders_send_due(now=now).sent == 0


def test_each_facilitator_chooses_how_long_before_and_can_switch_reminders_off(group, owner, cofacilitator):
    services.facilitator_preference_update(user=owner, reminders_enabled=True, reminder_hours_before=2)
    services.facilitator_preference_update(
        user=cofacilitator, reminders_enabled=False, reminder_hours_before=24
    )
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=5))

    assert reminders_send_due().sent == 0
    later = timezone.now() + timedelta(hours=3, minutes=5)
    assert reminders_send_due(now=later).sent == 1
    assert _recipients() == [owner.email]


def test_cancelled_sessions_and_archived_groups_get_no_reminder(group, owner, outsider):
    SessionFactory(
        group=group, starts_at=timezone.now() + timedelta(hours=5), status=Session.Status.CANCELLED
    )
    other = outsider.facilitated_groups.get()
    SessionFactory(group=other, starts_at=timezone.now() + timedelta(hours=5))
    services.group_archive(group=other, actor=outsider)

    assert reminders_send_due().sent == 0


def test_a_moved_session_gets_a_fresh_reminder_for_its_new_time(group, owner, cofacilitator):
    session = SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    reminders_send_due()
    local = session.local_start + timedelta(hours=2)

    services.session_move(session=session, new_day=local.date(), new_time=local.time(), duration_minutes=90)
    reminders_send_due()

    assert len(mail.outbox) == 4


def test_the_reminder_names_the_group_time_place_readings_and_links_to_the_session(group, owner, settings):
    """With the facilitator's choice to get the details by mail (off by default:
    tests/groups/test_private_mail.py); the note is never sent."""
    settings.SITE_URL = "https://groups.example"
    FacilitatorPreference.objects.update_or_create(user=owner, defaults={"details_by_mail": True})
    session = SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    reading = ReadingFactory(title="Why the pull to go back is so strong")
    session.reading_assignments.create(reading=reading, position=0)
    SessionNote.objects.create(session=session, text="Read it aloud; pause after the list.")

    reminders_send_due()

    message = next(m for m in mail.outbox if m.to == [owner.email])
    local = session.local_start
    assert "Tuesday group" in message.subject
    assert local.strftime("%H:%M") in message.subject
    assert "Community centre, room 2" in message.body
    assert "Why the pull to go back is so strong" in message.body
    assert f"https://groups.example/sessions/{session.pk}/" in message.body
    assert "Europe/London" in message.body
    assert "Read it aloud; pause after the list." not in message.body


def test_a_failed_send_releases_the_claim_so_the_next_sweep_retries(group, owner, cofacilitator, monkeypatch):
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))

    def broken(**kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(services, "_reminder_email_send", broken)
    failed = reminders_send_due()
    monkeypatch.undo()
    retried = reminders_send_due()

    assert failed.failed == 2
    assert retried.sent == 2


def test_the_periodic_task_runs_the_sweep(group):
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))

    assert reminders_sweep() == {"sent": 2, "skipped": 0, "failed": 0}


def test_the_sweep_is_declared_in_the_schedule():
    from facilitator.schedule import BEAT_SCHEDULE

    assert any(entry["task"] == "groups.tasks.reminders_sweep" for entry in BEAT_SCHEDULE.values())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_given_the_sweep_twice_sends_once(group):
    import time as clock

    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from facilitator.celery import app

    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    finished = []

    def count_sweeps(sender=None, **kwargs):
        if sender is not None and sender.name == "groups.tasks.reminders_sweep":
            finished.append(kwargs.get("retval"))

    task_postrun.connect(count_sweeps, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            reminders_sweep.delay()
            reminders_sweep.delay()
            deadline = clock.monotonic() + 30
            while clock.monotonic() < deadline and len(finished) < 2:
                clock.sleep(0.1)
    finally:
        task_postrun.disconnect(count_sweeps)

    assert len(finished) == 2  # both messages were delivered and run...
    assert sorted(result["sent"] for result in finished) == [0, 2]  # ...and only one sent anything
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2


def _claimed_by_another_sweep(session, user, *, minutes_ago: int) -> Reminder:
    return Reminder.objects.create(
        session=session,
        user=user,
        session_starts_at=session.starts_at,
        due_at=session.starts_at - timedelta(hours=24),
        claimed_at=timezone.now() - timedelta(minutes=minutes_ago),
        claim_token="another-sweep",
    )


def test_a_reminder_another_sweep_is_sending_right_now_is_left_to_it(group, owner, cofacilitator, settings):
    settings.REMINDER_CLAIM_LEASE_MINUTES = 15
    session = SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    _claimed_by_another_sweep(session, owner, minutes_ago=2)

    assert reminders_send_due().sent == 1
    assert _recipients() == [cofacilitator.email]


def test_a_reminder_whose_worker_was_killed_mid_send_is_sent_once_after_its_claim_lapses(
    group, owner, cofacilitator, settings
):
    settings.REMINDER_CLAIM_LEASE_MINUTES = 15
    session = SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    _claimed_by_another_sweep(session, owner, minutes_ago=16)  # its worker never came back

    assert reminders_send_due().sent == 2
    assert reminders_send_due().sent == 0
    assert _recipients() == sorted([owner.email, cofacilitator.email])
    reminder = Reminder.objects.get(session=session, user=owner)
    assert reminder.sent_at is not None
    assert reminder.claim_token != "another-sweep"


def test_the_sweep_pages_through_many_sessions_and_sends_each_reminder_once(group, owner, cofacilitator):
    # More sessions than SQLite accepts ids in one IN list (999), and several pages.
    now = timezone.now()
    Session.objects.bulk_create(
        [
            Session(group=group, starts_at=now + timedelta(hours=2, seconds=n), duration_minutes=90)
            for n in range(1200)
        ]
    )

    result = reminders_send_due(now=now)

    assert result == services.SweepResult(sent=2400, skipped=0, failed=0)
    assert len(mail.outbox) == 2400
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2400
    assert reminders_send_due(now=now).sent == 0


def test_each_reminder_costs_one_query_beyond_a_fixed_number_per_batch(group, owner, cofacilitator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def sweep_queries(sessions: int) -> int:
        start = timezone.now() + timedelta(hours=2 + len(mail.outbox))
        for n in range(sessions):
            SessionFactory(group=group, starts_at=start + timedelta(minutes=n))
        with CaptureQueriesContext(connection) as queries:
            assert reminders_send_due().sent == 2 * sessions
        return len(queries)

    one = sweep_queries(1)
    ten = sweep_queries(10)

    # Marking each reminder sent is one UPDATE; everything else is per batch.
    assert ten - one == 2 * 9
