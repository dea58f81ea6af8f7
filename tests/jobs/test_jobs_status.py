"""manage.py jobs_status: the last run of each periodic task and any overdue work."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from facilitator import health, services
from facilitator.models import Invitation, TaskHeartbeat
from groups.checkins.models import CheckinWindow
from groups.services import reminders_send_due
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def _status(*args) -> str:
    out = StringIO()
    call_command("jobs_status", *args, stdout=out)
    return out.getvalue()


def test_a_quiet_site_has_nothing_overdue():
    assert set(health.overdue_work().values()) == {0}
    assert "Nothing is overdue." in _status("--check")


def test_every_declared_task_is_listed_with_what_beat_and_the_worker_recorded():
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="heartbeat",
        task="facilitator.tasks.heartbeat",
        interval=every_minute,
        last_run_at=timezone.now() - timedelta(minutes=3),
        total_run_count=7,
    )
    services.heartbeat_record(name="heartbeat")

    rows = {row["name"]: row for row in health.periodic_tasks_status()}
    output = _status()

    assert rows["heartbeat"]["sent_count"] == 7
    assert rows["heartbeat"]["last_completed"] is not None
    assert "heartbeat" in output and "sent 3m ago (7 times)" in output
    assert "groups-reminders" in output and "not yet in beat's schedule" in output


def test_a_reminder_due_long_ago_and_unsent_is_overdue_until_the_sweep_sends_it(group):
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))  # due 4 hours ago

    assert health.overdue_work()["reminders_due_unsent"] == 2
    with pytest.raises(CommandError):
        _status("--check")

    reminders_send_due()
    assert health.overdue_work()["reminders_due_unsent"] == 0


def test_a_reminder_just_due_is_not_yet_overdue(group):
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=23, minutes=55))

    assert health.overdue_work()["reminders_due_unsent"] == 0


def test_windows_past_close_and_closed_windows_without_rollup_are_overdue(group):
    now = timezone.now()
    past_close = CheckinWindow.objects.create(
        session=SessionFactory(group=group, starts_at=now - timedelta(days=3)),
        opened_at=now - timedelta(days=3),
        closes_at=now - timedelta(hours=1),
    )
    CheckinWindow.objects.create(
        session=SessionFactory(group=group, starts_at=now - timedelta(days=5)),
        opened_at=now - timedelta(days=5),
        closes_at=now - timedelta(days=3),
        closed_at=now - timedelta(days=3),
    )

    overdue = health.overdue_work()
    assert overdue["windows_past_close_not_closed"] == 1
    assert overdue["closed_windows_without_rollup"] == 1
    assert "windows past close not closed    1" in _status()

    CheckinWindow.objects.filter(pk=past_close.pk).update(closed_at=now)
    assert health.overdue_work()["windows_past_close_not_closed"] == 0


def test_an_invitation_left_unsent_is_overdue(admin_user):
    invitation = Invitation.objects.create(
        email="late@example.org",
        invited_by=admin_user,
        send_request="waiting",
        send_requested_at=timezone.now(),
    )
    assert health.overdue_work()["invitations_unsent"] == 0
    Invitation.objects.filter(pk=invitation.pk).update(send_requested_at=timezone.now() - timedelta(hours=1))

    assert health.overdue_work()["invitations_unsent"] == 1


def test_sync_schedule_puts_every_declared_task_in_the_admins_schedule_once():
    from facilitator.schedule import BEAT_SCHEDULE

    call_command("sync_schedule", stdout=StringIO())
    call_command("sync_schedule", stdout=StringIO())

    stored = PeriodicTask.objects.filter(name__in=BEAT_SCHEDULE)
    assert stored.count() == len(BEAT_SCHEDULE)
    assert {task.name: task.task for task in stored} == {n: e["task"] for n, e in BEAT_SCHEDULE.items()}
    assert all(task.enabled for task in stored)
    assert "not yet in beat's schedule" not in _status()


def test_a_finished_periodic_task_records_when_it_completed():
    from groups.checkins import tasks

    tasks.windows_sweep.apply()
    tasks.windows_sweep.apply()

    row = {row["name"]: row for row in health.periodic_tasks_status()}["checkins-windows"]
    assert row["last_completed"] is not None
    assert TaskHeartbeat.objects.get(name="groups.checkins.tasks.windows_sweep").runs == 2
    windows_line = next(line for line in _status().splitlines() if "checkins-windows" in line)
    assert "completed" in windows_line


def test_a_failed_task_is_not_recorded_as_completed(monkeypatch):
    from groups.checkins import services as checkin_services
    from groups.checkins import tasks

    def broken(**kwargs):
        raise ValueError("bug")

    monkeypatch.setattr(checkin_services, "windows_sweep", broken)
    tasks.windows_sweep.apply()

    assert not TaskHeartbeat.objects.filter(name="groups.checkins.tasks.windows_sweep").exists()


def test_an_export_waiting_too_long_or_stuck_running_is_overdue_until_the_sweep_runs_it(admin_user):
    from groups.checkins.models import EXPORT_LEASE, ExportJob
    from groups.checkins.services import exports_sweep

    now = timezone.now()
    fresh = ExportJob.objects.create(requested_by=admin_user)
    waiting = ExportJob.objects.create(requested_by=admin_user)
    ExportJob.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(minutes=20))
    # Its worker was killed mid-export, long enough ago that two sweeps should have taken it.
    ExportJob.objects.create(
        requested_by=admin_user,
        status=ExportJob.Status.RUNNING,
        attempts=1,
        started_at=now - EXPORT_LEASE - timedelta(minutes=13),
    )
    # Running within its lease: a live worker may hold it.
    ExportJob.objects.create(
        requested_by=admin_user, status=ExportJob.Status.RUNNING, attempts=1, started_at=now
    )

    overdue = health.overdue_work()
    assert (overdue["exports_waiting"], overdue["exports_stuck_running"]) == (1, 1)
    output = _status()
    assert f"  {'exports stuck running':<32} 1" in output
    assert f"  {'exports waiting':<32} 1" in output
    with pytest.raises(CommandError):
        _status("--check")

    assert exports_sweep() == 2
    overdue = health.overdue_work()
    assert (overdue["exports_waiting"], overdue["exports_stuck_running"]) == (0, 0)
    assert ExportJob.objects.get(pk=fresh.pk).status == ExportJob.Status.PENDING
