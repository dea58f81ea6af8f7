"""The window sweep run by a real Celery worker, as beat would nudge it."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker

from facilitator.celery import app
from groups.checkins import tasks
from groups.checkins.models import CheckinWindow
from tests.checkins.helpers import session_for
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_real_worker_opens_a_started_sessions_check_in_and_a_repeat_changes_nothing(wait_for):
    group = GroupFactory(owner=UserFactory())
    session = session_for(group, starts_in=-timedelta(minutes=2))
    assert not app.conf.task_always_eager

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        tasks.windows_sweep.delay()
        wait_for(lambda: CheckinWindow.objects.filter(session=session, opened_at__isnull=False).exists())
        opened_at = CheckinWindow.objects.get(session=session).opened_at
        tasks.windows_sweep.delay()
        time.sleep(0.5)

    window = CheckinWindow.objects.get(session=session)
    assert window.opened_at == opened_at and window.is_open


def test_a_real_worker_releases_a_closed_window_once(wait_for):
    from groups.checkins.models import SessionRollup
    from tests.checkins.helpers import closed_session

    group = GroupFactory(owner=UserFactory())
    session = closed_session(group, [{}] * 5)  # its nudge went out on commit
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        tasks.rollups_sweep.delay()
        wait_for(lambda: SessionRollup.objects.filter(session=session).exists())
        tasks.session_rollup_compute.delay(session.pk)
        tasks.rollups_sweep.delay()
        time.sleep(0.5)
    rollup = SessionRollup.objects.get(session=session)
    assert rollup.status == "released" and rollup.answers == 5
    assert SessionRollup.objects.count() == 1
