"""A session's and a pooled block's results pages after years of history: each reads
its own rollup (and its block), never the group's whole trend, so a group that has
met hundreds of times costs what a new one does, and the page says what it said."""

import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.checkins import selectors, services
from groups.checkins.models import POOL_BLOCK_SIZE, BlockRollup, CheckinWindow, SessionRollup
from groups.models import Session
from tests.checkins.helpers import open_window, released_session, submission, who5_all
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db

# Weeks of history made in bulk before the recent sessions: about eight years.
OLD_WEEKS = 400


def _week(n: int) -> timedelta:
    return timedelta(days=7 * n)


def _recent(group) -> dict:
    """The same last weeks for every group: one block of four (released, suppressed twice and
    pooled into a released block, empty), then a session still open. Each page of
    the tests is asked for in one of these states."""
    start = -5
    released = released_session(
        group, [{"who5": who5_all(3), "comment": "A good week"}] * 6, starts_in=_week(start), attendance=9
    )
    suppressed = released_session(group, [{"who5": who5_all(2)}] * 3, starts_in=_week(start + 1))
    released_session(group, [{"who5": who5_all(4)}] * 3, starts_in=_week(start + 2))
    released_session(group, [], starts_in=_week(start + 3))
    window = open_window(group)
    services.checkin_submit(window=window, submission=submission())
    services.checkin_submit(window=window, submission=submission())
    return {
        "released": released,
        "suppressed": suppressed,
        "open": window.session,
        "block": suppressed.checkin_rollup.block,
    }


def _old_history(group, *, weeks: int, stats: dict) -> None:
    """``weeks`` weekly sessions before the recent ones, written directly: each block
    of four holds a released session, two suppressed ones pooled into a released
    block, and one nobody answered."""
    assert weeks % POOL_BLOCK_SIZE == 0
    first = timezone.now() - _week(weeks + 10)
    sessions = Session.objects.bulk_create(
        Session(group=group, starts_at=first + _week(n), attendance=8) for n in range(weeks)
    )
    CheckinWindow.objects.bulk_create(
        CheckinWindow(
            session=session,
            # Lower case: never a generated code, so never taken.
            code=f"z{n:05d}",
            opened_at=session.starts_at,
            closes_at=session.starts_at + timedelta(hours=24),
            closed_at=session.starts_at + timedelta(hours=24),
        )
        for n, session in enumerate(sessions)
    )
    rollups, blocks = [], []
    for n, session in enumerate(sessions):
        ordinal = n + 1
        block = (ordinal - 1) // POOL_BLOCK_SIZE + 1
        place = ordinal % POOL_BLOCK_SIZE
        common = {"session": session, "group": group, "ordinal": ordinal, "block": block, "k_scores": 5}
        if place == 1:
            rollups.append(SessionRollup(**common, k_comments=5, status="released", answers=6, stats=stats))
        elif place in (2, 3):
            rollups.append(SessionRollup(**common, k_comments=5, status="suppressed"))
        else:
            rollups.append(SessionRollup(**common, k_comments=5, status="empty"))
            blocks.append(
                BlockRollup(
                    group=group,
                    number=block,
                    status="released",
                    k_scores=5,
                    k_comments=5,
                    sessions_pooled=2,
                    first_starts_at=sessions[n - 3].starts_at,
                    last_starts_at=session.starts_at,
                    headcount=16,
                    answers=6,
                    stats=stats,
                )
            )
    SessionRollup.objects.bulk_create(rollups)
    BlockRollup.objects.bulk_create(blocks)


@pytest.fixture
def histories(owner):
    """A new group (one block of history) and an old one (the same recent weeks
    after OLD_WEEKS more), both the owner's."""
    new = GroupFactory(owner=owner)
    recent_new = _recent(new)
    old = GroupFactory(owner=owner)
    _old_history(old, weeks=OLD_WEEKS, stats=recent_new["released"].checkin_rollup.stats)
    recent_old = _recent(old)
    assert recent_old["block"] == recent_new["block"] + OLD_WEEKS // POOL_BLOCK_SIZE
    return {"new": (new, recent_new), "old": (old, recent_old)}


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def _session_url(session) -> str:
    return reverse("checkins:session_results", args=[session.pk])


def _block_url(group, number) -> str:
    return reverse("checkins:block_results", args=[group.pk, number])


@contextmanager
def _rows_read():
    """How many sessions, rollups and blocks a request builds from the database: what
    grows with a group's age when a page reads more than it shows."""
    built = Counter()

    def count(sender, **kwargs):
        built[sender.__name__] += 1

    post_init.connect(count, weak=False)
    try:
        yield built
    finally:
        post_init.disconnect(count)


@dataclass
class Cost:
    queries: int
    rows: dict  # sessions, rollups and blocks built, by model


def _cost(client, url: str) -> tuple[Cost, str]:
    with CaptureQueriesContext(connection) as queries, _rows_read() as built:
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    rows = {name: built[name] for name in ("Session", "SessionRollup", "BlockRollup")}
    return Cost(queries=len(queries), rows=rows), _text(response)


@pytest.mark.parametrize("state", ["released", "suppressed", "open"])
def test_a_sessions_results_take_as_many_queries_after_years_as_in_the_first_weeks(
    client, owner, histories, state
):
    client.force_login(owner)
    client.get(_session_url(histories["new"][1][state]))  # warm: one-off caches do not count
    costs, texts = {}, {}
    for age, (_group, recent) in histories.items():
        costs[age], texts[age] = _cost(client, _session_url(recent[state]))
    assert costs["new"] == costs["old"]
    # Before: 7 to 9 queries that built every session, rollup and block of the group.
    assert costs["old"].queries <= 7
    assert sum(costs["old"].rows.values()) <= 5
    expected = {
        "released": "60.0",
        "suppressed": "Fewer than 5 members answered, so this session's results are not shown on their own.",
        "open": "Open: 2 answers so far",
    }[state]
    assert expected in texts["new"] and expected in texts["old"]


def test_a_blocks_results_take_as_many_queries_after_years_as_in_the_first_weeks(client, owner, histories):
    client.force_login(owner)
    new_group, new_recent = histories["new"]
    client.get(_block_url(new_group, new_recent["block"]))  # warm
    costs, texts = {}, {}
    for age, (group, recent) in histories.items():
        costs[age], texts[age] = _cost(client, _block_url(group, recent["block"]))
    assert costs["new"] == costs["old"]
    # Before: 12 queries (one more per session of the block) and the whole trend.
    assert costs["old"].queries <= 7
    assert costs["old"].rows["SessionRollup"] == POOL_BLOCK_SIZE
    assert sum(costs["old"].rows.values()) <= 2 * POOL_BLOCK_SIZE + 2
    # The six pooled answers (three at 40, three at 80): a mean of 60, shown on both.
    for text in texts.values():
        assert "Pooled block" in text and "60.0" in text
        assert text.count("pooled here") == 2


def test_an_old_block_of_a_long_history_shows_its_own_pooled_results(client, owner, histories):
    group, _recent_weeks = histories["old"]
    client.force_login(owner)
    text = _text(client.get(_block_url(group, 1)))
    assert "Pooled block 1" in text
    assert text.count("pooled here") == 2 and text.count("shown on its own") == 1
    assert "6 " in text and "60.0" in text


def _key(row) -> tuple:
    # Not ``moved``: the results pages show no move mark (only the trend does).
    return (
        row.kind,
        row.status,
        row.k,
        row.session.pk if row.session else None,
        row.block_number,
        row.answers,
        row.headcount,
        row.stats,
        row.pooled_released,
        row.pooled_suppressed,
        row.count_so_far,
    )


def test_each_results_row_is_the_row_of_the_whole_trend(owner):
    # Released, suppressed (pooling into released and suppressed blocks), empty,
    # pending and open sessions: each session's and each block's results row is the
    # one the whole trend holds for it.
    group = GroupFactory(owner=owner)
    for week, size in enumerate([6, 2, 3, 0, 5, 1, 0, 0, 7, 2]):
        released_session(
            group, [{"who5": who5_all(week % 6)}] * size, starts_in=_week(week - 12), attendance=9
        )
    pending = open_window(group)
    services.checkin_submit(window=pending, submission=submission())
    services.window_close(window=pending)
    window = open_window(group)
    services.checkin_submit(window=window, submission=submission())

    whole = selectors.released_aggregates(group=group)
    sessions = [row for row in whole if row.kind == "session"]
    blocks = [row for row in whole if row.kind == "block"]
    assert {row.status for row in sessions} == {"released", "suppressed", "empty", "pending", "open"}
    assert {row.status for row in blocks} == {"released", "suppressed"}
    for expected in sessions:
        result = selectors.session_result(session=expected.session)
        assert _key(result.row) == _key(expected)
    for expected in blocks:
        assert _key(selectors.block_result(block=expected.block)) == _key(expected)


def test_a_session_whose_check_in_never_opened_has_no_row(group):
    session = Session.objects.create(group=group, starts_at=timezone.now())
    result = selectors.session_result(session=session)
    assert (result.rollup, result.row, result.pooled) == (None, None, None)
