from celery import shared_task
from django.db import OperationalError

from groups.checkins import retention, rollups, services
from groups.checkins.models import EXPORT_TIME_LIMIT_SECONDS

# Each task claims its work in the database (safe to run twice or be redelivered with
# acks_late); a database hiccup is retried with backoff and jitter, a bounded number of times.
RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 10,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 3,
}


@shared_task(soft_time_limit=100, time_limit=120, **RETRY)
def windows_sweep() -> None:
    """Open check-ins of sessions that have started and close those whose time is up."""
    services.windows_sweep()


@shared_task(soft_time_limit=100, time_limit=120, **RETRY)
def session_rollup_compute(session_id: int) -> None:
    """Release a closed window's aggregates (a nudge; the sweep catches any it misses)."""
    rollups.session_rollup_compute(session_id=session_id)


@shared_task(soft_time_limit=100, time_limit=120, **RETRY)
def session_rollups_compute(session_ids: list[int]) -> None:
    """Release a batch of closed windows' aggregates (the window sweep's nudge)."""
    rollups.session_rollups_compute(session_ids=session_ids)


@shared_task(soft_time_limit=250, time_limit=300, **RETRY)
def rollups_sweep() -> None:
    """Make the rollup of every closed window that has none."""
    rollups.rollups_sweep()


# An export's lease (models.EXPORT_LEASE) is longer than this hard limit: a job still
# RUNNING after it has lost its worker, and the sweep claims it again.
EXPORT_LIMITS = {
    "soft_time_limit": EXPORT_TIME_LIMIT_SECONDS - 50,
    "time_limit": EXPORT_TIME_LIMIT_SECONDS,
}


@shared_task(**EXPORT_LIMITS, **RETRY)
def export_run(job_id: str) -> None:
    """One attempt at an export (a nudge; the sweep runs any it misses). A database
    error puts the job back to PENDING and is retried here with backoff; a retry that
    finds the job FAILED, DONE or held by another attempt does nothing."""
    services.export_run(job_id=job_id)


@shared_task(**EXPORT_LIMITS, **RETRY)
def exports_sweep() -> None:
    """Run exports that lost their nudge or their worker; forget them after a day."""
    services.exports_sweep()


@shared_task(soft_time_limit=250, time_limit=300, **RETRY)
def retention_sweep() -> dict[str, int]:
    """Blank old free text and delete old raw answers of rolled-up sessions, and delete
    old released comments."""
    result = retention.retention_purge()
    return {
        "comments_blanked": result.comments_blanked,
        "responses_deleted": result.responses_deleted,
        "released_comments_deleted": result.released_comments_deleted,
    }
