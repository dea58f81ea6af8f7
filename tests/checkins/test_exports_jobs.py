"""Background exports: who may ask for one, and a job that outlives its worker.

A worker killed mid-export (SIGKILL, out of memory) runs no handler: the job stays
RUNNING. Here it is killed with SystemExit, which ``export_run`` does not catch either.
"""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.utils import timezone

from facilitator import health
from facilitator.models import AuditEntry
from groups.checkins import exports, services, tasks
from groups.checkins.models import EXPORT_LEASE, EXPORT_TIME_LIMIT_SECONDS, ExportJob
from tests.checkins.helpers import released_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_nudge(monkeypatch):
    """Requests queue no message: each test runs the job itself."""
    monkeypatch.setattr(tasks.export_run, "delay", lambda *args: None)


def _job(job) -> ExportJob:
    return ExportJob.objects.get(pk=job.pk)


def _killed_mid_export(job, monkeypatch, *, now=None) -> None:
    """One attempt whose worker dies while building the CSV."""

    def die(**kwargs):
        raise SystemExit("worker killed")

    with monkeypatch.context() as patched:
        patched.setattr(exports, "export_csv", die)
        with pytest.raises(SystemExit):
            if now is None:
                services.export_run(job_id=job.pk)
            else:
                services.exports_sweep(now=now)


# --- Who may ask for an export -------------------------------------------------------


def test_an_outsider_facilitator_may_not_export_another_group_or_the_program(outsider, group, no_nudge):
    with pytest.raises(PermissionDenied):
        services.export_request(actor=outsider, group=group)
    with pytest.raises(PermissionDenied):
        services.export_request(actor=outsider)

    assert not ExportJob.objects.exists()
    assert not AuditEntry.objects.filter(action="checkin.export_requested").exists()


def test_a_facilitator_of_the_group_may_export_it_but_not_the_program(owner, cofacilitator, group, no_nudge):
    released_session(group, [{}] * 5)
    for facilitator in (owner, cofacilitator):
        job = services.export_request(actor=facilitator, group=group)
        assert services.export_run(job_id=job.pk).status == ExportJob.Status.DONE
        assert group.name in _job(job).content

    with pytest.raises(PermissionDenied):
        services.export_request(actor=owner)
    assert ExportJob.objects.count() == 2


def test_an_admin_may_export_any_group_and_the_program(admin_user, group, outsider, no_nudge):
    other = outsider.facilitated_groups.get()
    program = services.export_request(actor=admin_user)
    one = services.export_request(actor=admin_user, group=other)

    assert (program.group_id, one.group_id) == (None, other.pk)
    assert AuditEntry.objects.filter(action="checkin.export_requested", actor_id=admin_user.pk).count() == 2


# --- A job whose worker died ----------------------------------------------------------


def test_the_lease_outlasts_the_export_tasks_hard_time_limit():
    longest = max(tasks.export_run.time_limit, tasks.exports_sweep.time_limit)
    assert EXPORT_LEASE.total_seconds() > longest


def test_a_stuck_running_export_is_taken_again_by_the_sweep_only_after_its_lease(
    admin_user, group, no_nudge, monkeypatch
):
    released_session(group, [{}] * 5)
    job = services.export_request(actor=admin_user)
    _killed_mid_export(job, monkeypatch)
    started = _job(job).started_at
    assert _job(job).status == ExportJob.Status.RUNNING and _job(job).attempts == 1

    # A redelivered message, and sweeps while a live worker may still hold the job.
    assert services.export_run(job_id=job.pk) is None
    assert services.exports_sweep(now=started + timedelta(minutes=5)) == 0
    assert services.exports_sweep(now=started + EXPORT_LEASE - timedelta(seconds=1)) == 0
    assert _job(job).status == ExportJob.Status.RUNNING and _job(job).attempts == 1

    assert services.exports_sweep(now=started + EXPORT_LEASE + timedelta(seconds=1)) == 1
    done = _job(job)
    assert done.status == ExportJob.Status.DONE and done.attempts == 2 and done.progress == 100
    assert group.name in done.content


def test_a_repeated_message_does_nothing_once_the_export_is_done(admin_user, group, no_nudge):
    released_session(group, [{}] * 5)
    job = services.export_request(actor=admin_user)
    assert services.export_run(job_id=job.pk).status == ExportJob.Status.DONE
    finished = _job(job).finished_at

    later = timezone.now() + EXPORT_LEASE * 2
    assert services.export_run(job_id=job.pk) is None
    assert services.export_run(job_id=job.pk, now=later) is None
    assert services.exports_sweep(now=later) == 0
    assert (_job(job).attempts, _job(job).finished_at) == (1, finished)


def test_an_export_that_keeps_killing_its_worker_fails_after_its_attempts(admin_user, no_nudge, monkeypatch):
    job = services.export_request(actor=admin_user)
    _killed_mid_export(job, monkeypatch)
    for _attempt in range(services.EXPORT_MAX_ATTEMPTS - 1):
        after_lease = _job(job).started_at + EXPORT_LEASE + timedelta(seconds=1)
        _killed_mid_export(job, monkeypatch, now=after_lease)
    assert _job(job).attempts == services.EXPORT_MAX_ATTEMPTS

    after_lease = _job(job).started_at + EXPORT_LEASE + timedelta(seconds=1)
    assert services.export_run(job_id=job.pk, now=after_lease) is None  # no attempt left
    assert services.exports_sweep(now=after_lease) == 0

    failed = _job(job)
    assert failed.status == ExportJob.Status.FAILED and failed.finished_at is not None
    assert failed.attempts == services.EXPORT_MAX_ATTEMPTS
    assert services.exports_sweep(now=after_lease + EXPORT_LEASE) == 0
    assert _job(job).status == ExportJob.Status.FAILED


def test_an_attempt_that_outlived_its_lease_does_not_overwrite_the_next(
    admin_user, group, no_nudge, monkeypatch
):
    released_session(group, [{}] * 5)
    job = services.export_request(actor=admin_user)

    def overtaken(**kwargs):
        # While this (wedged) attempt builds its CSV, its lease runs out and the sweep
        # runs the export again.
        ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - EXPORT_LEASE * 2)
        with monkeypatch.context() as inner:
            inner.setattr(exports, "export_csv", lambda **kw: "the later attempt's CSV")
            assert services.exports_sweep() == 1
        return "the wedged attempt's CSV"

    monkeypatch.setattr(exports, "export_csv", overtaken)
    assert services.export_run(job_id=job.pk) is None
    assert (_job(job).content, _job(job).attempts) == ("the later attempt's CSV", 2)


# --- Failures --------------------------------------------------------------------------


def test_a_database_error_puts_the_job_back_and_the_tasks_retry_finishes_it(
    admin_user, group, no_nudge, monkeypatch
):
    released_session(group, [{}] * 5)
    job = services.export_request(actor=admin_user)
    real = exports.export_csv
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(exports, "export_csv", flaky)
    result = tasks.export_run.apply(args=[str(job.pk)])

    assert result.successful() and len(calls) == 2
    done = _job(job)
    assert done.status == ExportJob.Status.DONE and done.attempts == 2
    assert group.name in done.content


def test_a_database_error_leaves_the_job_pending_for_the_sweep(admin_user, no_nudge, monkeypatch):
    job = services.export_request(actor=admin_user)

    def locked(**kwargs):
        raise OperationalError("database is locked")

    with monkeypatch.context() as patched:
        patched.setattr(exports, "export_csv", locked)
        with pytest.raises(OperationalError):
            services.export_run(job_id=job.pk)
    assert (_job(job).status, _job(job).attempts) == (ExportJob.Status.PENDING, 1)

    assert services.exports_sweep(now=timezone.now() + services.EXPORT_NUDGE_WAIT * 2) == 1
    assert _job(job).status == ExportJob.Status.DONE


def test_transient_failures_end_failed_after_the_last_attempt_and_are_not_retried(
    admin_user, no_nudge, monkeypatch
):
    job = services.export_request(actor=admin_user)
    calls = []

    def locked(**kwargs):
        calls.append(1)
        raise OperationalError("database is locked")

    monkeypatch.setattr(exports, "export_csv", locked)
    result = tasks.export_run.apply(args=[str(job.pk)])

    # The task's retries are the job's attempts; the last one is FAILED, not raised.
    assert result.successful()
    assert len(calls) == services.EXPORT_MAX_ATTEMPTS
    failed = _job(job)
    assert failed.status == ExportJob.Status.FAILED and failed.attempts == services.EXPORT_MAX_ATTEMPTS
    assert services.exports_sweep(now=timezone.now() + EXPORT_LEASE * 2) == 0
    assert len(calls) == services.EXPORT_MAX_ATTEMPTS


def test_a_bug_in_the_export_fails_the_job_at_once_and_the_task_does_not_retry(
    admin_user, no_nudge, monkeypatch
):
    job = services.export_request(actor=admin_user)
    calls = []

    def broken(**kwargs):
        calls.append(1)
        raise ValueError("bug")

    monkeypatch.setattr(exports, "export_csv", broken)
    result = tasks.export_run.apply(args=[str(job.pk)])

    assert result.successful() and calls == [1]
    assert (_job(job).status, _job(job).attempts) == (ExportJob.Status.FAILED, 1)
    assert services.export_run(job_id=job.pk) is None
    assert services.exports_sweep(now=timezone.now() + EXPORT_LEASE * 2) == 0
    assert calls == [1]


# --- jobs_status --------------------------------------------------------------------


def test_jobs_status_counts_an_export_stuck_running_until_the_sweep_takes_it(
    admin_user, no_nudge, monkeypatch
):
    job = services.export_request(actor=admin_user)
    _killed_mid_export(job, monkeypatch)
    started = _job(job).started_at

    assert health.overdue_work(now=started + EXPORT_LEASE)["exports_stuck_running"] == 0
    # The lease has run out and two sweeps could have taken it: a sweep is missing.
    long_after = started + EXPORT_LEASE + timedelta(minutes=health.GRACE["exports"], seconds=1)
    assert health.overdue_work(now=long_after)["exports_stuck_running"] == 1

    services.exports_sweep(now=long_after)
    assert health.overdue_work(now=long_after)["exports_stuck_running"] == 0


def test_time_limits_keep_a_real_workers_export_inside_its_lease():
    # The hard limit is what frees a job; the soft one must leave time to record the failure.
    for task in (tasks.export_run, tasks.exports_sweep):
        assert task.soft_time_limit < task.time_limit == EXPORT_TIME_LIMIT_SECONDS
    assert tasks.exports_sweep.soft_time_limit > services.EXPORT_SWEEP_BUDGET_SECONDS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_the_sweep_that_takes_a_stuck_export_again():
    from celery.contrib.testing.worker import start_worker

    from facilitator.celery import app
    from tests.factories import AdminFactory

    admin = AdminFactory(email="sweep-admin@example.org")
    job = ExportJob.objects.create(
        requested_by=admin,
        status=ExportJob.Status.RUNNING,
        attempts=1,
        started_at=timezone.now() - EXPORT_LEASE - timedelta(minutes=1),
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        tasks.exports_sweep.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _job(job).status != ExportJob.Status.DONE:
            time.sleep(0.1)
    done = _job(job)
    assert done.status == ExportJob.Status.DONE and done.attempts == 2


# --- Who may still see it -------------------------------------------------------------


def test_an_export_stays_downloadable_only_while_its_requester_may_still_ask_for_it(
    login, owner, cofacilitator, admin_user, group, no_nudge
):
    from http import HTTPStatus

    from django.http import Http404
    from django.urls import reverse

    from groups import services as group_services
    from groups.checkins import selectors

    released_session(group, [{}] * 5)
    theirs = services.export_request(actor=cofacilitator, group=group)
    program = services.export_request(actor=admin_user)
    for job in (theirs, program):
        services.export_run(job_id=job.pk)
    download = reverse("checkins:export_download", args=[theirs.pk])
    assert login(cofacilitator).get(download).status_code == HTTPStatus.OK
    # The requester alone: not even the group's owner.
    with pytest.raises(Http404):
        selectors.export_job_for_user(user=owner, job_id=theirs.pk)

    group_services.group_cofacilitator_remove(group=group, actor=owner, user_id=cofacilitator.pk)
    assert login(cofacilitator).get(download).status_code == HTTPStatus.NOT_FOUND

    assert selectors.export_job_for_user(user=admin_user, job_id=program.pk) == program
    admin_user.is_staff = False
    admin_user.save(update_fields=["is_staff"])
    with pytest.raises(Http404):
        selectors.export_job_for_user(user=admin_user, job_id=program.pk)
