"""Releasing aggregates: when, at which threshold, pooled how, and never in a way
that gives away a suppressed session."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from facilitator.models import AuditEntry
from groups.checkins import rollups, selectors, services, stats
from groups.checkins.models import BlockRollup, PrivacySettings, RollupComment, SessionRollup
from tests.checkins.helpers import closed_session, open_window, released_session, submission, who5_all

pytestmark = pytest.mark.django_db

FIVE = [{"who5": who5_all(3)}] * 5


def _rollup(session) -> SessionRollup:
    return SessionRollup.objects.get(session=session)


@pytest.mark.parametrize(("answers", "status"), [(4, "suppressed"), (5, "released"), (6, "released")])
def test_scores_are_released_only_from_k_answers(group, answers, status):
    session = released_session(group, [{"who5": who5_all(3)}] * answers)
    rollup = _rollup(session)
    assert rollup.status == status
    if status == "released":
        assert rollup.answers == answers and rollup.stats["who5"]["mean"] == 60
    else:
        assert rollup.answers is None and rollup.stats == {}


@pytest.mark.parametrize(("k", "status"), [(3, "released"), (4, "released"), (5, "suppressed")])
def test_an_admins_threshold_applies_at_k_minus_one_k_and_k_plus_one(group, admin_user, k, status):
    services.privacy_settings_update(k_scores=k, k_comments=k, actor=admin_user)
    assert _rollup(released_session(group, [{}] * 4)).status == status


def test_no_answers_is_distinct_from_fewer_than_k(group):
    empty = released_session(group, [])
    few = released_session(group, [{}] * 2, starts_in=timedelta(days=7))
    assert _rollup(empty).status == SessionRollup.Status.EMPTY
    assert _rollup(few).status == SessionRollup.Status.SUPPRESSED


def test_nothing_is_released_while_the_window_is_open(group):
    window = open_window(group)
    for _n in range(6):
        services.checkin_submit(window=window, submission=submission())
    assert rollups.session_rollup_compute(session_id=window.session_id) is None
    assert rollups.rollups_sweep() == 0
    row = selectors.released_aggregates(group=group)[0]
    assert (row.status, row.count_so_far, row.stats) == ("open", 6, {})


def test_closing_enqueues_the_release_after_commit(group, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("groups.checkins.tasks.session_rollup_compute.delay", sent.append)
    window = open_window(group)
    with django_capture_on_commit_callbacks(execute=True):
        services.window_close(window=window)
    assert sent == [window.session_id]


def test_a_lost_nudge_is_caught_by_the_sweep_and_a_repeat_changes_nothing(group):
    session = closed_session(group, FIVE)
    assert not SessionRollup.objects.exists()
    assert rollups.rollups_sweep() == 1
    first = _rollup(session)
    assert rollups.rollups_sweep() == 0
    assert rollups.session_rollup_compute(session_id=session.pk) == first
    assert SessionRollup.objects.count() == 1


def test_no_answer_arrives_after_close_and_the_release_never_changes(group, admin_user):
    session = released_session(group, FIVE)
    before = _rollup(session).stats
    window = session.checkin_window
    with pytest.raises(services.CheckinRefused) as refused:
        services.checkin_submit(window=window, submission=submission(who5=who5_all(0)))
    assert refused.value.reason == services.CheckinRefused.CLOSED
    # A lower threshold later does not reopen or recompute anything.
    services.privacy_settings_update(k_scores=3, k_comments=3, actor=admin_user)
    rollups.rollups_sweep()
    assert _rollup(session).stats == before


def test_the_confidence_interval_matches_a_hand_computed_value(group):
    # Scores 40, 60, 60, 80, 100: mean 68, s^2 = 2080/4 = 520, se = sqrt(104) = 10.198,
    # t(0.975, 4) = 2.776, half-width 28.31: 39.69 to 96.31.
    answers = [{"who5": who5_all(v)} for v in (2, 3, 3, 4, 5)]
    who5 = _rollup(released_session(group, answers)).stats["who5"]
    assert who5["mean"] == 68
    assert who5["low"] == pytest.approx(39.69, abs=0.01)
    assert who5["high"] == pytest.approx(96.31, abs=0.01)
    assert (who5["le50"], who5["le28"]) == (1, 0)
    assert who5["items"]["item1"] == pytest.approx(3.4)


def test_the_t_table_is_wide_for_small_samples_and_near_normal_for_large():
    assert stats.t_quantile_975(4) == 2.776
    assert stats.t_quantile_975(35) == 2.042  # next lower tabulated df: wider, never narrower
    assert stats.t_quantile_975(5000) == 1.96


def test_feeling_unsafe_is_released_only_as_at_least_one(group):
    answers = [{}] * 4 + [{"safe": "no"}]
    rollup = _rollup(released_session(group, answers))
    assert rollup.signal == "raised"
    assert "no" not in str(rollup.stats.get("safe", "")) and "unsafe" not in rollup.stats
    row = selectors.released_aggregates(group=group)[0]
    assert row.unsafe


def test_comments_need_k_comments_answers_and_come_shuffled(group, admin_user):
    services.privacy_settings_update(k_scores=3, k_comments=5, actor=admin_user)
    few = released_session(group, [{"comment": f"line {n}"} for n in range(4)])
    enough = released_session(
        group, [{"comment": f"line {n}"} for n in range(5)], starts_in=timedelta(days=7)
    )
    assert _rollup(few).is_released and not RollupComment.objects.filter(session_rollup__session=few).exists()
    shown = selectors.comments_shown(rollup=_rollup(enough))
    assert sorted(c.text for c in shown) == [f"line {n}" for n in range(5)]
    assert len({c.position for c in shown}) == 5
    assert selectors.comments_shown(rollup=_rollup(enough)) == shown  # stable


def test_hiding_a_comment_is_audited_with_ids_only(group, owner):
    session = released_session(group, [{"comment": "Sam said hi"}] + [{}] * 4)
    comment = RollupComment.objects.get()
    assert services.comment_hide(comment=comment, actor=owner)
    assert not selectors.comments_shown(rollup=_rollup(session))
    entry = AuditEntry.objects.get(action="checkin.comment_hidden")
    assert entry.actor_id == owner.pk and entry.target_id == str(comment.pk)
    assert "Sam" not in str(entry.ids)


def test_thresholds_have_a_floor_of_three_and_every_change_is_audited(admin_user):
    with pytest.raises((ValueError, ValidationError)):
        services.privacy_settings_update(k_scores=2, k_comments=5, actor=admin_user)
    services.privacy_settings_update(k_scores=6, k_comments=8, actor=admin_user)
    assert (rollups.thresholds().k_scores, rollups.thresholds().k_comments) == (6, 8)
    entry = AuditEntry.objects.get(action="checkin.thresholds_changed")
    assert entry.ids["k_scores"] == 6 and entry.ids["k_comments"] == 8 and entry.actor_id == admin_user.pk
    assert PrivacySettings.objects.count() == 1


# --- Pooling --------------------------------------------------------------------


def _week(n: int) -> timedelta:
    return timedelta(days=7 * n)


def test_small_sessions_pool_into_a_fixed_block_of_four(group):
    sizes = [2, 6, 2, 1, 3]  # block 1 = first four rolled-up sessions; the fifth starts block 2
    sessions = [
        released_session(group, [{"who5": who5_all(2)}] * size, starts_in=_week(i))
        for i, size in enumerate(sizes)
    ]
    assert [_rollup(s).block for s in sessions] == [1, 1, 1, 1, 2]
    block = BlockRollup.objects.get(group=group, number=1)
    # Only the suppressed sessions are pooled: 2 + 2 + 1 answers, not the released 6.
    assert (block.status, block.sessions_pooled, block.answers) == ("released", 3, 5)
    assert block.stats["who5"]["mean"] == 40
    assert not BlockRollup.objects.filter(number=2).exists()  # incomplete: not yet released


def test_a_block_that_stays_below_k_even_pooled_is_suppressed(group):
    for i in range(4):
        released_session(group, [{}] if i < 2 else [], starts_in=_week(i))
    block = BlockRollup.objects.get(group=group, number=1)
    assert block.status == "suppressed" and block.answers is None and block.stats == {}


def test_blocks_never_change_when_a_session_is_added_in_between(group):
    first = [released_session(group, [{}] * 2, starts_in=_week(i * 2)) for i in range(3)]
    # A one-off session scheduled between two of them closes later: it takes the next
    # ordinal, and the earlier sessions keep their blocks.
    blocks_before = [_rollup(s).block for s in first]
    released_session(group, [{}] * 2, starts_in=_week(1))
    assert [_rollup(s).block for s in first] == blocks_before
    assert SessionRollup.objects.filter(group=group, block=1).count() == 4
    assert BlockRollup.objects.get(number=1).sessions_pooled == 4


# --- Complementary suppression: trying to work out a suppressed value -------------


def test_a_block_minus_its_released_sessions_reveals_nothing(group):
    # Block 1: a released session of 5 (score 80 each) and one suppressed session of
    # 2 (scores 0) pooled with another suppressed session of 3 (scores 100).
    released_session(group, [{"who5": who5_all(4)}] * 5, starts_in=_week(0))
    lone = released_session(group, [{"who5": who5_all(0)}] * 2, starts_in=_week(1))
    released_session(group, [{"who5": who5_all(5)}] * 3, starts_in=_week(2))
    released_session(group, [], starts_in=_week(3))
    rows = selectors.released_aggregates(group=group)
    released = [row for row in rows if row.is_released]
    block = next(row for row in released if row.kind == "block")
    # Every released figure, with its answer count: the block holds just the two
    # suppressed sessions (5 answers, mean 60), so subtracting the released session
    # from it gives nothing, and the block alone mixes 0s and 100s.
    assert block.answers == 5 and block.who5["mean"] == 60
    totals = {(row.kind, row.answers, round(row.who5["mean"], 6)) for row in released}
    assert totals == {("session", 5, 80.0), ("block", 5, 60.0)}
    # No released figure holds the lone session's answers alone (2 answers, mean 0).
    assert all(not (row.answers == 2 or (row.who5 and row.who5["mean"] == 0)) for row in released)
    lone_row = next(row for row in rows if row.session == lone)
    assert lone_row.stats == {} and lone_row.answers is None


def test_the_export_and_program_view_have_no_total_that_includes_a_suppressed_session(group, admin_user):
    from groups.checkins import exports

    released_session(group, [{"who5": who5_all(3)}] * 5)
    released_session(group, [{"who5": who5_all(0)}] * 2, starts_in=timedelta(hours=2))
    csv_text = exports.group_csv(group=group)
    assert ",pooled,fewer than 5 answers: pooled in block 1," in csv_text
    assert ",0.0," not in csv_text  # the suppressed session's mean appears nowhere
    months = selectors.months_back(today=timezone_today(group), count=2)
    cells, totals = selectors.program_aggregates(user=admin_user, groups=[group], months=months)
    cell = cells[(group.pk, months[-1])]
    # The month combines only the released session: 5 answers, mean 60, one withheld.
    assert (cell.answers, cell.mean, cell.withheld) == (5, 60, 1)
    assert totals[months[-1]].answers == 5


def timezone_today(group):
    from django.utils import timezone

    return timezone.now().astimezone(group.tzinfo).date()


def test_an_expired_window_refuses_answers_and_is_released_only_once_closed(group):

    window = open_window(group)
    for _n in range(5):
        services.checkin_submit(window=window, submission=submission())
    late = window.closes_at + timedelta(minutes=1)
    with pytest.raises(services.CheckinRefused):
        services.checkin_submit(window=window, submission=submission(), now=late)
    assert rollups.session_rollup_compute(session_id=window.session_id) is None
    services.windows_sweep(now=late)
    assert rollups.rollups_sweep() == 1
    assert _rollup(window.session).answers == 5


def test_a_suppressed_session_page_links_to_its_released_block(client, owner, group):
    from django.urls import reverse

    sessions = [released_session(group, [{}] * 2, starts_in=_week(i)) for i in range(4)]
    client.force_login(owner)
    page = client.get(reverse("checkins:session_results", args=[sessions[0].pk])).content.decode()
    assert reverse("checkins:block_results", args=[group.pk, 1]) in page


def test_a_lost_race_for_an_ordinal_is_retried(group, monkeypatch):
    from django.db import IntegrityError

    session = closed_session(group, FIVE)
    real = rollups._session_rollup_make
    calls = []

    def racing(*, session):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("another worker took the ordinal")
        return real(session=session)

    monkeypatch.setattr(rollups, "_session_rollup_make", racing)
    assert rollups.session_rollup_compute(session_id=session.pk).ordinal == 1
    assert len(calls) == 2
