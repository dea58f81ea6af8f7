"""A real Celery worker (not eager mode) consumes from the configured broker."""

import pytest
from celery.contrib.testing.worker import start_worker

from facilitator import tasks
from facilitator.celery import app
from facilitator.models import TaskHeartbeat
from facilitator.schedule import BEAT_SCHEDULE

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_real_worker_runs_a_published_task(wait_for):
    assert not app.conf.task_always_eager
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        tasks.heartbeat.delay()
        tasks.heartbeat.delay()

        wait_for(lambda: TaskHeartbeat.objects.filter(name="heartbeat", runs=2).exists())


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_tasks_speak_json_only():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
