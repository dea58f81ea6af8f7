"""Settings for the processes the fault suite starts (web, worker, beat, helpers).

They share one database (a SQLite file in DATA_DIR, set by the suite, or the
PostgreSQL database of FAULTS_DATABASE_URL) and the suite's own Redis (REDIS_URL).
Mail goes to files, so the test can count what was really sent; every sweep runs
every two seconds, so "the next sweep" comes quickly.
"""

from datetime import timedelta

from facilitator import schedule
from facilitator.settings.test import *  # noqa: F403
from facilitator.settings.test import DATA_DIR

EMAIL_BACKEND = "tests.faults.mail.PausableFileBackend"
EMAIL_FILE_PATH = str(DATA_DIR / "mail")

for _entry in schedule.BEAT_SCHEDULE.values():
    _entry["schedule"] = timedelta(seconds=2)
    _entry["options"] = {**_entry.get("options", {}), "expires": 30}

# kombu looks for messages whose visibility timeout has passed on every tenth poll
# of this interval; once a second keeps a killed worker's message from waiting long.
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "unacked_restore_interval": 1}  # noqa: F405
