"""Retention: old free text (raw and released) and old raw answers go once rolled up;
the rollups' figures stay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from facilitator import health
from facilitator.schedule import BEAT_SCHEDULE
from groups.checkins import retention, tasks
from groups.checkins.models import Answer, Response, RollupComment, SessionRollup
from tests.checkins.helpers import closed_session, released_session, who5_all

pytestmark = pytest.mark.django_db

SIX_WITH_COMMENTS = [{"who5": who5_all(3), "comment": f"line {n}"} for n in range(6)]


def _comments(session) -> list[str]:
    return [
        answer.values.get("comment", "")
        for answer in Answer.objects.filter(response__session=session, version__instrument__key="program")
    ]


def _days_ago(days: int) -> dict:
    return {"starts_in": -timedelta(days=days)}


def test_free_text_older_than_the_comment_age_is_removed_once_released_and_scores_kept(group):
    old = released_session(group, SIX_WITH_COMMENTS, **_days_ago(181))
    rollup_before = SessionRollup.objects.get(session=old)
    assert RollupComment.objects.filter(session_rollup=rollup_before).count() == 6

    assert retention.comments_purge() == 6
    assert retention.released_comments_purge() == 6

    assert _comments(old) == [""] * 6
    assert Response.objects.filter(session=old).count() == 6  # the scores stay until the answer age
    scores = [a.values for a in Answer.objects.filter(response__session=old, version__instrument__key="who5")]
    assert scores == [who5_all(3)] * 6
    rollup = SessionRollup.objects.get(session=old)
    assert rollup.stats == rollup_before.stats
    assert not RollupComment.objects.exists()


def test_free_text_younger_than_the_comment_age_is_kept(group):
    recent = released_session(group, SIX_WITH_COMMENTS, **_days_ago(179))

    assert retention.comments_purge() == 0
    assert retention.released_comments_purge() == 0
    assert sorted(_comments(recent)) == [f"line {n}" for n in range(6)]
    assert RollupComment.objects.filter(session_rollup__session=recent).count() == 6


def test_nothing_is_purged_from_a_session_not_yet_rolled_up(group):
    unrolled = closed_session(group, SIX_WITH_COMMENTS, **_days_ago(800))

    assert retention.retention_purge() == retention.PurgeResult(comments_blanked=0, responses_deleted=0)
    assert Response.objects.filter(session=unrolled).count() == 6


def test_raw_answers_older_than_the_answer_age_are_deleted_once_rolled_up_and_the_rollup_kept(group):
    old = released_session(group, SIX_WITH_COMMENTS, **_days_ago(731))
    younger = released_session(group, SIX_WITH_COMMENTS, **_days_ago(700))

    result = retention.retention_purge()

    assert result.responses_deleted == 6
    assert not Response.objects.filter(session=old).exists()
    assert not Answer.objects.filter(response__session=old).exists()
    assert SessionRollup.objects.get(session=old).answers == 6
    assert Response.objects.filter(session=younger).count() == 6
    assert _comments(younger) == [""] * 6  # past the comment age, though


def test_a_suppressed_session_keeps_its_answers_until_its_block_is_pooled(group):
    small = [{"who5": who5_all(2), "comment": "x"}] * 2
    first = released_session(group, small, **_days_ago(900))
    assert SessionRollup.objects.get(session=first).status == SessionRollup.Status.SUPPRESSED

    assert retention.retention_purge().responses_deleted == 0
    assert Response.objects.filter(session=first).count() == 2

    for days in (890, 880, 870):  # the rest of the block of four
        released_session(group, small, **_days_ago(days))
    assert retention.retention_purge().responses_deleted == 8
    assert not Response.objects.exists()


def test_the_purge_is_idempotent(group):
    released_session(group, SIX_WITH_COMMENTS, **_days_ago(181))
    released_session(group, SIX_WITH_COMMENTS, **_days_ago(731))

    first = retention.retention_purge()
    second = retention.retention_purge()

    assert first == retention.PurgeResult(
        comments_blanked=6, responses_deleted=6, released_comments_deleted=12
    )
    assert second == retention.PurgeResult(
        comments_blanked=0, responses_deleted=0, released_comments_deleted=0
    )


def test_the_ages_come_from_settings(group, settings):
    settings.CHECKIN_COMMENT_RETENTION_DAYS = 30
    settings.CHECKIN_ANSWER_RETENTION_DAYS = 60
    month_old = released_session(group, SIX_WITH_COMMENTS, **_days_ago(31))
    two_months_old = released_session(group, SIX_WITH_COMMENTS, **_days_ago(61))

    assert retention.retention_purge() == retention.PurgeResult(
        comments_blanked=6, responses_deleted=6, released_comments_deleted=12
    )
    assert _comments(month_old) == [""] * 6
    assert not Response.objects.filter(session=two_months_old).exists()


def test_the_sweep_is_a_scheduled_task_and_its_backlog_shows_in_jobs_status(group):
    released_session(group, SIX_WITH_COMMENTS, **_days_ago(800))
    released_session(group, SIX_WITH_COMMENTS, **_days_ago(200))
    assert any(e["task"] == "groups.checkins.tasks.retention_sweep" for e in BEAT_SCHEDULE.values())
    backlog = health.overdue_work()
    assert backlog["comments_past_retention"] == 12
    assert backlog["released_comments_past_retention"] == 12
    assert backlog["responses_past_retention"] == 6

    assert tasks.retention_sweep() == {
        "comments_blanked": 6,
        "responses_deleted": 6,
        "released_comments_deleted": 12,
    }

    backlog = health.overdue_work()
    assert backlog["comments_past_retention"] == backlog["responses_past_retention"] == 0
    assert backlog["released_comments_past_retention"] == 0


def test_a_pooled_blocks_comments_go_by_the_age_of_its_last_session(group, settings):
    from groups.checkins.models import BlockRollup

    settings.CHECKIN_K_SCORES = settings.CHECKIN_K_COMMENTS = 5
    small = [{"who5": who5_all(2), "comment": "pooled line"}] * 2
    for days in (200, 190, 185, 170):  # a block of four small sessions, the last 170 days ago
        released_session(group, small, **_days_ago(days))
    block = BlockRollup.objects.get(group=group)
    assert block.is_released and RollupComment.objects.filter(block_rollup=block).count() == 8

    assert retention.released_comments_purge() == 0
    assert retention.released_comments_purge(now=timezone.now() + timedelta(days=11)) == 8
    assert not RollupComment.objects.exists()
    assert BlockRollup.objects.get(pk=block.pk).answers == 8


def test_a_results_page_past_the_comment_age_says_its_comments_were_deleted(client, owner, group):
    from django.urls import reverse

    old = released_session(group, SIX_WITH_COMMENTS, **_days_ago(181))
    recent = released_session(group, SIX_WITH_COMMENTS, **_days_ago(10))
    client.force_login(owner)

    # Even before the sweep has run, the page shows nothing past its retention.
    html = client.get(reverse("checkins:session_results", args=[old.pk])).content.decode()
    assert "Comments are deleted 180 days after the session" in html
    assert "line 0" not in html
    html = client.get(reverse("checkins:session_results", args=[recent.pk])).content.decode()
    assert "line 0" in html and "Comments are deleted" not in html
