"""Every periodic task, declared in one place.

django-celery-beat's DatabaseScheduler copies these entries into its tables when
beat starts, so admins see them under "Periodic tasks". Each entry nudges a sweep
that reads what is due from the database; a missed run is caught up by the next.
"""

from datetime import timedelta

BEAT_SCHEDULE: dict[str, dict] = {
    "heartbeat": {
        "task": "facilitator.tasks.heartbeat",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "accounts-invitations-expire": {
        # Forgets the token of every invitation past its expiry, so an old link can never work.
        "task": "facilitator.tasks.expire_invitations",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 600},
    },
    "checkins-windows": {
        # Opens check-ins of sessions that have started and closes those whose time is up.
        "task": "groups.checkins.tasks.windows_sweep",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "checkins-rollups": {
        # Releases the aggregates of any closed check-in whose nudge was lost.
        "task": "groups.checkins.tasks.rollups_sweep",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "checkins-exports": {
        # Runs trend exports whose nudge was lost and forgets finished ones after a day.
        "task": "groups.checkins.tasks.exports_sweep",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "checkins-retention": {
        # Blanks free text after CHECKIN_COMMENT_RETENTION_DAYS and deletes raw answers
        # after CHECKIN_ANSWER_RETENTION_DAYS, of sessions already rolled up.
        "task": "groups.checkins.tasks.retention_sweep",
        "schedule": timedelta(hours=1),
        "options": {"expires": 1800},
    },
    "groups-reminders": {
        # Finds due reminders in the database and claims each before sending.
        "task": "groups.tasks.reminders_sweep",
        # Each minute: a claim left by a killed worker lapses after
        # REMINDER_CLAIM_LEASE_MINUTES, and the next sweep sends the reminder, so no
        # reminder waits more than six minutes for a worker that died.
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
}
