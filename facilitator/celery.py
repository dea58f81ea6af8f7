"""The Celery application, and the one way the site queues work: ``publish``.
Periodic tasks are declared in facilitator/schedule.py.

Tasks import services, never the other way round: a service that asks a worker for
something names the task (``publish("facilitator.tasks.send_invitation", pk)``), and
the task is found in the app's registry when the message is sent. So a service module
never imports a tasks module and there is no cycle between them (docs/DEVELOPMENT.md).
"""

import logging
import os

from celery import Celery
from celery.signals import setup_logging

from facilitator.schedule import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facilitator.settings.base")

logger = logging.getLogger(__name__)

app = Celery("facilitator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _load_schedule(sender, **kwargs):
    sender.conf.beat_schedule = BEAT_SCHEDULE


@setup_logging.connect
def _use_django_logging(**kwargs):
    """Workers and beat log through settings.LOGGING, with its no-client-details filter.

    Connecting this signal stops Celery from installing its own handlers.
    """
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


def task_named(name: str):
    """The registered task called ``name``. A web process imports no tasks module of
    its own accord, so the first lookup imports them all, as a worker does on start."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def publish(task_name: str, *args: int | str | list[int]) -> bool:
    """Queue the task registered as ``task_name`` with ids as arguments, without ever
    holding up the request: False (logged, not raised) when the broker cannot take it
    now. The work it stands for is already in the database and a periodic sweep
    picks it up, so a request (a check-in, a login, an admin's invitation) succeeds
    while Redis is down. The publish is bounded: the connection timeout and the one
    short retry of ``CELERY_TASK_PUBLISH_RETRY_POLICY``.

    An unknown name raises: it is a mistake in the code, not a broker outage. Never
    log the arguments: they may point at a person."""
    task = task_named(task_name)
    try:
        task.delay(*args)
    except Exception:
        logger.warning("Broker unavailable: %s not queued now; its sweep will pick the work up", task_name)
        return False
    return True
