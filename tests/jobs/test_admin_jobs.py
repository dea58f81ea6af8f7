"""The admin's list of periodic tasks: when each last finished, whether it is late, and
above the list the overdue work (what manage.py jobs_status reports)."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from facilitator.models import TaskHeartbeat
from facilitator.schedule import BEAT_SCHEDULE
from groups.models import Reminder
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

SUMMARY = 'class="module jobs-summary"'


def _url() -> str:
    return reverse("admin:facilitator_taskheartbeat_changelist")


def _every_task_finished(minutes_ago: int = 0) -> None:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    for entry in BEAT_SCHEDULE.values():
        TaskHeartbeat.objects.create(name=entry["task"], last_run_at=at, runs=3)


def _page(client) -> str:
    response = client.get(_url())
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def _summary(html: str) -> str:
    start = html.index(SUMMARY)
    return html[start : html.index("</div>", start)]


def _row(html: str, task: str) -> str:
    """The change list row of the heartbeat named ``task``."""
    rows = [chunk for chunk in html.split("<tr")[1:] if f">{task}</a>" in chunk]
    assert len(rows) == 1, f"no single row for {task}"
    return rows[0].split("</tr>")[0]


def test_an_admin_sees_a_reminders_sweep_that_stopped_running_flagged_as_overdue(login, admin_user, group):
    _every_task_finished()
    TaskHeartbeat.objects.filter(name="groups.tasks.reminders_sweep").update(
        last_run_at=timezone.now() - timedelta(hours=2)
    )
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))  # reminders due 4 hours ago

    html = _page(login(admin_user))

    assert "<strong>Overdue</strong>" in _row(html, "groups.tasks.reminders_sweep")
    assert "On time" in _row(html, "groups.checkins.tasks.windows_sweep")
    assert "every minute" in _row(html, "groups.tasks.reminders_sweep")
    summary = _summary(html)
    assert "Periodic tasks not running on time" in summary
    assert "<strong>groups-reminders</strong> (every minute): last finished 2\xa0hours ago" in summary
    assert "checkins-windows" not in summary
    assert "Reminder emails due and not sent (waiting, retrying, or given up): <strong>2</strong>" in summary


def test_when_every_task_ran_on_time_the_admin_is_told_nothing_is_overdue(login, admin_user):
    _every_task_finished(minutes_ago=1)

    summary = _summary(_page(login(admin_user)))

    assert "Every periodic task is running on time and nothing is overdue." in summary
    assert "Overdue work" not in summary


def test_tasks_that_never_ran_or_are_disabled_are_named(login, admin_user):
    _every_task_finished()
    TaskHeartbeat.objects.filter(name="groups.checkins.tasks.retention_sweep").delete()
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.create(
        name="checkins-exports", task="groups.checkins.tasks.exports_sweep", interval=hourly, enabled=False
    )

    summary = _summary(_page(login(admin_user)))

    assert "<strong>checkins-retention</strong> (every hour): has not finished a run yet" in summary
    assert "<strong>checkins-exports</strong> (every 5 minutes): disabled under Periodic tasks" in summary


def test_reminders_given_up_on_are_counted_above_the_list(login, admin_user, group, owner):
    _every_task_finished()
    session = SessionFactory(group=group, starts_at=timezone.now() - timedelta(days=1))  # already held
    Reminder.objects.create(
        session=session,
        user=owner,
        session_starts_at=session.starts_at,
        due_at=session.starts_at - timedelta(hours=24),
        attempts=4,
        failed_at=session.starts_at - timedelta(hours=22),
        last_error="SMTPRecipientsRefused",
    )

    summary = _summary(_page(login(admin_user)))

    assert (
        "Reminder emails given up on after repeated failures, in the last 7 days: <strong>1</strong>"
        in summary
    )


@pytest.mark.parametrize("who", ["anonymous", "facilitator"])
def test_a_member_or_facilitator_cannot_reach_the_task_list(login, owner, who):
    _every_task_finished(minutes_ago=120)

    response = login(owner if who == "facilitator" else None).get(_url())

    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response["Location"]
    assert SUMMARY not in response.content.decode()


def test_a_staff_account_without_the_view_permission_is_refused(login):
    response = login(UserFactory(is_staff=True)).get(_url())

    assert response.status_code == HTTPStatus.FORBIDDEN
