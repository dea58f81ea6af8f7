"""Copy facilitator/schedule.py into django-celery-beat's tables now.

Beat does the same when it starts; this lets admins see (and, if need be, pause)
every periodic task under "Periodic tasks" before beat has ever run, and is run by
``make setup``-style deployments after ``migrate``.
"""

from django.core.management.base import BaseCommand
from django_celery_beat.schedulers import DatabaseScheduler

from facilitator.celery import app
from facilitator.schedule import BEAT_SCHEDULE


class Command(BaseCommand):
    help = "Load every periodic task declared in facilitator/schedule.py into beat's database schedule."

    def handle(self, *args, **options):
        app.loader.import_default_modules()
        # Write the rows the way beat does (ModelEntry.from_entry: update_or_create
        # by name) without building a scheduler, whose sync closes the connection.
        for name, fields in BEAT_SCHEDULE.items():
            DatabaseScheduler.Entry.from_entry(name, app=app, **fields)
        self.stdout.write(f"{len(BEAT_SCHEDULE)} periodic tasks are in the database schedule.")
