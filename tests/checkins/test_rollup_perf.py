"""Closing many windows and releasing their rollups stays cheap per window: the
sweep closes windows in batches and asks for their rollups one message per batch,
and a rollup's queries do not grow with its answers. None of it changes what is
released, or that it is released once."""

import json
import time
from collections import Counter
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from facilitator.celery import app
from facilitator.models import AuditEntry
from groups.checkins import rollups, services
from groups.checkins.models import BlockRollup, CheckinWindow, Response, RollupComment, SessionRollup
from tests.checkins.helpers import closed_session, open_window, submission, who5_all
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def _answers(count: int, level: int = 3) -> list[dict]:
    return [{"who5": who5_all(level), "comment": f"line {n}"} for n in range(count)]


def _due_window(group, count: int, *, level: int = 3) -> CheckinWindow:
    """An open window with ``count`` answers whose time is up: the sweep closes it."""
    window = open_window(group)
    for given in _answers(count, level):
        services.checkin_submit(window=window, submission=submission(**given))
    CheckinWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    return window


def _stored(session_id: int) -> Counter:
    """A session's responses as comparable wholes (PostgreSQL reorders jsonb keys)."""
    stored = Counter()
    for response in Response.objects.filter(session_id=session_id).prefetch_related("answers"):
        stored[
            tuple(
                sorted((a.version_id, json.dumps(a.values, sort_keys=True)) for a in response.answers.all())
            )
        ] += 1
    return stored


def _released(group) -> list[tuple]:
    rows = SessionRollup.objects.filter(group=group).order_by("ordinal")
    blocks = BlockRollup.objects.filter(group=group).order_by("number")
    return [
        (
            r.ordinal,
            r.block,
            r.status,
            r.answers,
            r.k_scores,
            r.stats,
            sorted(c.text for c in r.comments.all()),
        )
        for r in rows
    ] + [(b.number, b.status, b.sessions_pooled, b.answers, b.headcount, b.stats) for b in blocks]


# --- Query counts -----------------------------------------------------------------


@pytest.mark.parametrize("batch", [False, True])
def test_a_rollup_takes_as_many_queries_for_many_answers_as_for_few(batch):
    few = closed_session(GroupFactory(owner=UserFactory()), _answers(5))
    many = closed_session(GroupFactory(owner=UserFactory()), _answers(25))

    def roll(session):
        with CaptureQueriesContext(connection) as queries:
            if batch:
                assert rollups.session_rollups_compute(session_ids=[session.pk]) == 1
            else:
                assert rollups.session_rollup_compute(session_id=session.pk).is_released
        return len(queries)

    assert roll(many) == roll(few)
    assert SessionRollup.objects.get(session=many).answers == 25


def test_completing_a_block_takes_as_many_queries_for_many_answers_as_for_few():
    # Each group's fourth rollup completes block 1 and pools its four suppressed
    # sessions: 8 answers, then 16, released either way.
    counts = []
    for size in (2, 4):
        group = GroupFactory(owner=UserFactory())
        sessions = [closed_session(group, _answers(size), starts_in=timedelta(days=7 * n)) for n in range(4)]
        rollups.session_rollups_compute(session_ids=[s.pk for s in sessions[:3]])
        with CaptureQueriesContext(connection) as queries:
            rollups.session_rollups_compute(session_ids=[sessions[3].pk])
        counts.append(len(queries))
        block = BlockRollup.objects.get(group=group, number=1)
        assert (block.status, block.sessions_pooled, block.answers) == ("released", 4, 4 * size)
    assert counts[0] == counts[1]


def test_a_batch_takes_as_many_queries_for_four_sessions_as_for_one():
    groups = [GroupFactory(owner=UserFactory()) for _n in range(5)]
    sessions = [closed_session(group, _answers(5 + 3 * n)) for n, group in enumerate(groups)]

    with CaptureQueriesContext(connection) as one:
        assert rollups.session_rollups_compute(session_ids=[sessions[0].pk]) == 1
    with CaptureQueriesContext(connection) as four:
        assert rollups.session_rollups_compute(session_ids=[s.pk for s in sessions[1:]]) == 4

    assert len(four) == len(one)
    assert RollupComment.objects.count() == sum(5 + 3 * n for n in range(5))


def test_the_sweep_closes_a_batch_with_one_audit_row_per_window_and_no_other_query_per_window():
    few = [_due_window(GroupFactory(owner=UserFactory()), 3) for _n in range(2)]
    with CaptureQueriesContext(connection) as closing_few:
        assert services.windows_sweep() == (0, 2)
    many = [_due_window(GroupFactory(owner=UserFactory()), 9) for _n in range(6)]
    with CaptureQueriesContext(connection) as closing_many:
        assert services.windows_sweep() == (0, 6)

    assert len(closing_many) == len(closing_few) + 4  # one audit row for each extra window
    closed = CheckinWindow.objects.filter(pk__in=[w.pk for w in few + many], closed_at__isnull=False)
    assert closed.count() == 8


# --- What the batches change, and what they do not --------------------------------


def test_a_batch_of_closes_keeps_each_sessions_responses_whole_under_new_keys():
    windows = [_due_window(GroupFactory(owner=UserFactory()), n, level=n % 6) for n in (0, 1, 4, 7)]
    before = {w.session_id: _stored(w.session_id) for w in windows}
    old_keys = set(Response.objects.values_list("pk", flat=True))

    assert services.windows_sweep() == (0, 4)

    assert {w.session_id: _stored(w.session_id) for w in windows} == before
    assert not set(Response.objects.values_list("pk", flat=True)) & old_keys
    for window in windows:
        assert (
            AuditEntry.objects.filter(action="checkin.window_closed", target_id=str(window.pk)).count() == 1
        )


def test_the_sweep_asks_for_rollups_once_per_batch(monkeypatch, django_capture_on_commit_callbacks):
    single, batches = [], []
    monkeypatch.setattr("groups.checkins.tasks.session_rollup_compute.delay", single.append)
    monkeypatch.setattr("groups.checkins.tasks.session_rollups_compute.delay", batches.append)
    monkeypatch.setattr(services, "CLOSE_BATCH", 2)
    windows = [_due_window(GroupFactory(owner=UserFactory()), 1) for _n in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        assert services.windows_sweep() == (0, 5)

    sessions = sorted(w.session_id for w in windows)
    assert [sorted(batch) for batch in batches] == [sessions[:2], sessions[2:4]]
    assert single == [sessions[4]]  # a batch of one goes as the single nudge


def test_a_batch_releases_exactly_what_one_at_a_time_releases(admin_user):
    # Two groups with the same history: one rolled up session by session, the other
    # in one batch, closing order kept. Released, suppressed, empty, pooled blocks.
    services.privacy_settings_update(k_scores=4, k_comments=5, actor=admin_user)
    sizes = [6, 2, 1, 0, 4, 3, 2, 2, 5]
    one_by_one, batched = GroupFactory(owner=UserFactory()), GroupFactory(owner=UserFactory())
    for group in (one_by_one, batched):
        sessions = [
            closed_session(group, _answers(size, level=week % 6), starts_in=timedelta(days=7 * week))
            for week, size in enumerate(sizes)
        ]
        if group is one_by_one:
            for session in sessions:
                rollups.session_rollup_compute(session_id=session.pk)
        else:
            assert rollups.session_rollups_compute(session_ids=[s.pk for s in sessions]) == len(sessions)

    assert _released(batched) == _released(one_by_one)
    assert BlockRollup.objects.filter(group=batched).count() == 2


def test_a_repeated_batch_changes_nothing_and_skips_windows_still_open():
    group = GroupFactory(owner=UserFactory())
    done = closed_session(group, _answers(5))
    still_open = open_window(group)
    ids = [done.pk, still_open.session_id]

    assert rollups.session_rollups_compute(session_ids=ids) == 1
    first = SessionRollup.objects.get(session=done)
    comments = sorted(RollupComment.objects.values_list("pk", "position"))

    assert rollups.session_rollups_compute(session_ids=ids) == 0
    assert rollups.session_rollup_compute(session_id=done.pk) == first
    assert SessionRollup.objects.get(session=done).stats == first.stats
    assert sorted(RollupComment.objects.values_list("pk", "position")) == comments
    assert not SessionRollup.objects.filter(session_id=still_open.session_id).exists()


def test_the_catch_up_sweep_releases_in_closing_order():
    group = GroupFactory(owner=UserFactory())
    first = closed_session(group, _answers(5), starts_in=timedelta(days=7))
    second = closed_session(group, _answers(2))  # scheduled earlier, closed later
    assert rollups.rollups_sweep() == 2
    assert SessionRollup.objects.get(session=first).ordinal == 1
    assert SessionRollup.objects.get(session=second).ordinal == 2


# --- A real worker ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_closes_due_windows_and_releases_them_from_one_nudge(wait_for):
    from groups.checkins import tasks

    windows = [_due_window(GroupFactory(owner=UserFactory()), size) for size in (5, 2, 0)]
    sessions = [w.session_id for w in windows]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        tasks.windows_sweep.delay()
        # The test database's shared-cache SQLite: the worker's transaction may hold the table.
        wait_for(
            lambda: SessionRollup.objects.filter(session_id__in=sessions).count() == 3,
            what="the worker's three rollups",
            ignore=(OperationalError,),
        )
        tasks.windows_sweep.delay()
        tasks.session_rollups_compute.delay(sessions)  # a repeated nudge
        time.sleep(0.5)
    statuses = dict(SessionRollup.objects.filter(session_id__in=sessions).values_list("session_id", "status"))
    assert [statuses[s] for s in sessions] == ["released", "suppressed", "empty"]
    assert SessionRollup.objects.count() == 3
    assert AuditEntry.objects.filter(action="checkin.window_closed").count() == 3
