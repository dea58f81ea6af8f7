"""The Celery application. Periodic tasks are declared in facilitator/schedule.py."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facilitator.settings.base")

app = Celery("facilitator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _load_schedule(sender, **kwargs):
    # Imported late: the schedule names tasks that autodiscovery registers.
    from facilitator.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE


@setup_logging.connect
def _use_django_logging(**kwargs):
    """Workers and beat log through settings.LOGGING, with its no-client-details filter.

    Connecting this signal stops Celery from installing its own handlers.
    """
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
