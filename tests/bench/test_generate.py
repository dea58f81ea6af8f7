from collections import Counter

import pytest

from bench import generate
from groups.checkins import rollups
from groups.checkins.models import Answer, BlockRollup, CheckinWindow, Response, RollupComment, SessionRollup
from groups.models import Group, GroupFacilitator, Session

SMALL = generate.Sizes(groups=3, weeks=12, checkin_weeks=8, trend_sizes=(2, 5), open_windows=2)


def _session_rows():
    return sorted(
        (r.group_id, r.session_id, r.ordinal, r.block, r.status, r.k_scores, r.k_comments, r.answers, r.stats)
        for r in SessionRollup.objects.all()
    )


def _block_rows():
    return sorted(
        (
            b.group_id,
            b.number,
            b.status,
            b.sessions_pooled,
            b.first_starts_at,
            b.last_starts_at,
            b.headcount,
            b.answers,
            b.stats,
        )
        for b in BlockRollup.objects.all()
    )


def _comment_texts():
    texts = Counter()
    for comment in RollupComment.objects.select_related("session_rollup", "block_rollup"):
        owner = (
            ("session", comment.session_rollup.session_id)
            if comment.session_rollup
            else ("block", comment.block_rollup.group_id, comment.block_rollup.number)
        )
        texts[(owner, comment.text)] += 1
    return texts


@pytest.mark.django_db
def test_generate_makes_the_program_it_reports():
    program = generate.generate(SMALL, seed=3)

    assert Group.objects.filter(name__startswith="Bench group ").count() == 3
    assert GroupFacilitator.objects.filter(group__name__startswith="Bench group ").count() == 6
    assert program.counts["answers"] == Answer.objects.count() == 2 * Response.objects.count()
    assert program.counts["responses"] == Response.objects.count()
    # 3 groups x 8 weeks with check-ins, plus the trend groups' whole histories.
    assert CheckinWindow.objects.filter(closed_at__isnull=False).count() == 3 * 8 + 2 + 5
    assert sorted(program.trend_group_ids) == [2, 5]
    for size, group_id in program.trend_group_ids.items():
        assert Session.objects.filter(group_id=group_id).count() == size
        assert SessionRollup.objects.filter(group_id=group_id).count() == size
    assert len(program.open_codes) == 2
    assert all(w.is_open for w in CheckinWindow.objects.filter(code__in=program.open_codes))


@pytest.mark.django_db
def test_generated_rollups_are_exactly_what_the_rollup_code_makes():
    generate.generate(SMALL, seed=3)
    bulk = (_session_rows(), _block_rows(), _comment_texts())
    statuses = {row[4] for row in bulk[0]}
    assert statuses == {"released", "suppressed", "empty"}
    assert bulk[1], "the sample must include at least one pooled block"

    RollupComment.objects.all().delete()
    BlockRollup.objects.all().delete()
    SessionRollup.objects.all().delete()
    closed = CheckinWindow.objects.filter(closed_at__isnull=False).order_by("closed_at", "pk")
    for session_id in closed.values_list("session_id", flat=True):
        rollups.session_rollup_compute(session_id=session_id)

    assert (_session_rows(), _block_rows(), _comment_texts()) == bulk


@pytest.mark.django_db
def test_reminders_due_makes_that_many_due_reminders():
    from groups.services import _due_reminders

    generate.generate(SMALL, seed=3)
    assert generate.reminders_due(10) == 10
    assert len(_due_reminders(generate.timezone.now())) == 10


@pytest.mark.django_db
def test_windows_closing_are_run_out_but_open_until_the_sweep():
    from groups.checkins.services import windows_sweep

    generate.generate(SMALL, seed=3)
    ids = generate.windows_closing(4)
    windows = CheckinWindow.objects.filter(session_id__in=ids)
    assert windows.count() == 4
    assert not windows.filter(closed_at__isnull=False).exists()

    _opened, closed = windows_sweep()

    assert closed == 4
    assert windows.filter(closed_at__isnull=True).count() == 0
