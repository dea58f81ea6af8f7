"""Data retention for check-ins: the raw answers are kept only as long as they are needed.

- Free-text values (items of kind "text", e.g. the program's comment) are blanked
  ``CHECKIN_COMMENT_RETENTION_DAYS`` (default 180) after the session, once the session
  is rolled up.
- Whole raw responses are deleted ``CHECKIN_ANSWER_RETENTION_DAYS`` (default 730)
  after the session, once it is rolled up.
- Released comments (the copies a rollup or pooled block shows to facilitators) are
  deleted at the same age, counted from the session (a block: from its last session).
- Rollups themselves (counts, means, intervals) are kept.

"Rolled up" means the session's rollup exists and nothing will read its raw answers
again: it was released or empty, or it was suppressed and its pooling block is
complete (``rollups.block_rollup_compute`` reads a suppressed session's raw answers
when its block completes). Answers carry no time of their own, by design, so age is
counted from the session's start. Both purges are idempotent: a sweep may run them as
often as it likes, and one that was down catches up on its next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from groups.checkins import answers
from groups.checkins.models import Item, RollupComment, SessionRollup
from groups.checkins.rollups import POOL_BLOCK_SIZE


@dataclass(frozen=True)
class PurgeResult:
    comments_blanked: int
    responses_deleted: int
    released_comments_deleted: int = 0


def _cutoffs(now: datetime) -> tuple[datetime, datetime]:
    return (
        now - timedelta(days=settings.CHECKIN_COMMENT_RETENTION_DAYS),
        now - timedelta(days=settings.CHECKIN_ANSWER_RETENTION_DAYS),
    )


def rolled_up_sessions(*, started_before: datetime) -> list[int]:
    """Ids of sessions started before the cutoff whose raw answers nothing will read again."""
    complete_blocks = set(
        SessionRollup.objects.values_list("group_id", "block")
        .annotate(members=Count("id"))
        .filter(members__gte=POOL_BLOCK_SIZE)
        .values_list("group_id", "block")
    )
    rollups = SessionRollup.objects.filter(session__starts_at__lt=started_before).values_list(
        "session_id", "status", "group_id", "block"
    )
    return [
        session_id
        for session_id, status, group_id, block in rollups
        if status != SessionRollup.Status.SUPPRESSED or (group_id, block) in complete_blocks
    ]


def _text_keys_by_version() -> dict[int, set[str]]:
    keys: dict[int, set[str]] = {}
    for version_id, key in Item.objects.filter(kind=Item.Kind.TEXT).values_list("version_id", "key"):
        keys.setdefault(version_id, set()).add(key)
    return keys


def comments_purge(*, now: datetime | None = None) -> int:
    """Blank the free text of rolled-up sessions past the comment age; how many answers changed."""
    comment_cutoff, _answer_cutoff = _cutoffs(now or timezone.now())
    sessions = rolled_up_sessions(started_before=comment_cutoff)
    with transaction.atomic():
        return answers.texts_blank(session_ids=sessions, text_keys=_text_keys_by_version())


def comments_past_retention(*, started_at: datetime, now: datetime | None = None) -> bool:
    """Whether the comments of a session (or block, by its last session) that started at
    ``started_at`` are past their retention: a results page then says they were removed."""
    comment_cutoff, _answer_cutoff = _cutoffs(now or timezone.now())
    return started_at < comment_cutoff


def _released_comments_past(cutoff: datetime):
    return RollupComment.objects.filter(
        Q(session_rollup__session__starts_at__lt=cutoff) | Q(block_rollup__last_starts_at__lt=cutoff)
    )


def released_comments_purge(*, now: datetime | None = None) -> int:
    """Delete the released comments of sessions and blocks past the comment age; how many."""
    comment_cutoff, _answer_cutoff = _cutoffs(now or timezone.now())
    return _released_comments_past(comment_cutoff).delete()[0]


def answers_purge(*, now: datetime | None = None) -> int:
    """Delete the raw responses of rolled-up sessions past the answer age; how many."""
    _comment_cutoff, answer_cutoff = _cutoffs(now or timezone.now())
    sessions = rolled_up_sessions(started_before=answer_cutoff)
    if not sessions:
        return 0
    with transaction.atomic():
        return answers.responses_delete(session_ids=sessions)


def retention_purge(*, now: datetime | None = None) -> PurgeResult:
    now = now or timezone.now()
    # Deleting first spares blanking text that is about to go anyway.
    deleted = answers_purge(now=now)
    return PurgeResult(
        comments_blanked=comments_purge(now=now),
        responses_deleted=deleted,
        released_comments_deleted=released_comments_purge(now=now),
    )


def purge_backlog(*, now: datetime | None = None, grace: timedelta = timedelta(days=1)) -> dict[str, int]:
    """What a purge should already have removed (sweep down for over ``grace``)."""
    comment_cutoff, answer_cutoff = _cutoffs((now or timezone.now()) - grace)
    return {
        "comments_past_retention": answers.texts_count(
            session_ids=rolled_up_sessions(started_before=comment_cutoff), text_keys=_text_keys_by_version()
        ),
        "released_comments_past_retention": _released_comments_past(comment_cutoff).count(),
        "responses_past_retention": answers.responses_count(
            session_ids=rolled_up_sessions(started_before=answer_cutoff)
        ),
    }
