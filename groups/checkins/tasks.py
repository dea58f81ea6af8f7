from celery import shared_task

from groups.checkins import rollups, services


@shared_task(soft_time_limit=100, time_limit=120)
def windows_sweep() -> None:
    """Open check-ins of sessions that have started and close those whose time is up."""
    services.windows_sweep()


@shared_task(soft_time_limit=100, time_limit=120)
def session_rollup_compute(session_id: int) -> None:
    """Release a closed window's aggregates (a nudge; the sweep catches any it misses)."""
    rollups.session_rollup_compute(session_id=session_id)


@shared_task(soft_time_limit=250, time_limit=300)
def rollups_sweep() -> None:
    """Make the rollup of every closed window that has none."""
    rollups.rollups_sweep()


@shared_task(soft_time_limit=250, time_limit=300)
def export_run(job_id: str) -> None:
    services.export_run(job_id=job_id)


@shared_task(soft_time_limit=250, time_limit=300)
def exports_sweep() -> None:
    services.exports_sweep()
