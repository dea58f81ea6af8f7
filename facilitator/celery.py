"""The Celery application. Periodic tasks are declared in facilitator/schedule.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facilitator.settings.base")

app = Celery("facilitator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _load_schedule(sender, **kwargs):
    # Imported late: the schedule names tasks that autodiscovery registers.
    from facilitator.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE
