"""Every task is safe to redeliver, bounded in time, and publishing never breaks a request."""

import ast
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from facilitator import services, tasks
from facilitator.celery import app, publish
from facilitator.models import Invitation
from facilitator.schedule import BEAT_SCHEDULE

OUR_APPS = ("facilitator.", "groups.")


def _our_tasks():
    app.loader.import_default_modules()
    return [task for name, task in sorted(app.tasks.items()) if name.startswith(OUR_APPS)]


def test_every_task_has_a_soft_and_a_hard_time_limit():
    for task in _our_tasks():
        assert task.soft_time_limit and task.time_limit, task.name
        assert task.soft_time_limit < task.time_limit, task.name


def test_every_task_acknowledges_late_and_is_requeued_when_its_worker_dies():
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    for task in _our_tasks():
        assert task.acks_late, task.name


def test_retries_are_bounded_and_jittered():
    for task in _our_tasks():
        if getattr(task, "autoretry_for", ()):
            assert task.max_retries is not None and task.max_retries <= 5, task.name
            assert task.retry_backoff and task.retry_jitter, task.name


def test_the_redis_visibility_timeout_outlasts_the_longest_task():
    longest = max(task.time_limit for task in _our_tasks())
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if settings.CELERY_BROKER_URL.startswith("redis"):
        assert options["visibility_timeout"] > longest
    else:
        # The filesystem broker has no visibility timeout; the Redis default must still hold.
        assert longest < 3600


def test_every_scheduled_task_exists_and_expires_before_its_next_run():
    app.loader.import_default_modules()
    for name, entry in BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        assert entry["options"]["expires"] < entry["schedule"].total_seconds(), name


def test_publish_returns_false_and_logs_no_arguments_when_the_broker_is_down(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(tasks.send_invitation, "delay", refuse)
    with caplog.at_level(logging.WARNING):
        assert publish("facilitator.tasks.send_invitation", 4242) is False
    assert "4242" not in caplog.text
    assert "send_invitation" in caplog.text


def test_publish_refuses_a_task_name_that_is_not_registered():
    """A misspelt name is a mistake in the code: it raises, where a broker outage is
    logged and left to the sweep."""
    with pytest.raises(KeyError):
        publish("facilitator.tasks.send_invitations", 1)


def test_a_process_that_imported_no_tasks_module_finds_the_task_by_name():
    """As a web process does: nothing imported the tasks modules before the publish
    (the first fault run found this: the invitation's publish raised NotRegistered)."""
    code = (
        "import sys, django; django.setup()\n"
        "assert 'facilitator.tasks' not in sys.modules\n"
        "from facilitator.celery import task_named\n"
        "print(task_named('facilitator.tasks.send_invitation').name)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "facilitator.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "facilitator.tasks.send_invitation"


def test_every_task_a_service_publishes_is_registered():
    """Services name the tasks they publish (tasks import services, never the other
    way round): each name written in the code is a registered task."""
    app.loader.import_default_modules()
    root = Path(__file__).resolve().parents[2]
    named = set()
    for package in ("facilitator", "groups", "content"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "publish" and node.args:
                    first = node.args[0]
                    assert isinstance(first, ast.Constant), (
                        f"{path}:{node.lineno}: publish a task by its name"
                    )
                    named.add(first.value)
    assert len(named) >= 5, named
    assert named <= set(app.tasks), named - set(app.tasks)


@pytest.mark.django_db
def test_an_invitation_made_while_the_broker_is_down_is_sent_by_the_sweep(
    admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise BrokerDown("connection refused")

    monkeypatch.setattr(tasks.send_invitation, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(invited_by=admin_user, email="new@example.org")
    assert len(mail.outbox) == 0

    tasks.expire_invitations()
    assert len(mail.outbox) == 0  # a queued task may still be on its way: wait a little

    Invitation.objects.filter(pk=invitation.pk).update(
        send_requested_at=timezone.now() - timedelta(minutes=6)
    )
    tasks.expire_invitations()
    tasks.expire_invitations()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None
