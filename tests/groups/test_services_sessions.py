from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from facilitator.models import AuditEntry
from groups import services
from groups.models import GroupFacilitator, Session, SessionSeries
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(monkeypatch):
    fixed = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    return fixed


@pytest.fixture
def series(group, now):
    # Tuesdays 19:00 London, from 2 March 2027, across the 28 March clock change.
    return services.session_schedule(
        group=group,
        first_day=date(2027, 3, 2),
        start_time=time(19, 0),
        duration_minutes=90,
        frequency=SessionSeries.Frequency.WEEKLY,
        count=6,
    )


def _locals(group):
    return [
        (s.local_start.strftime("%d %b %H:%M"), s.status)
        for s in Session.objects.filter(group=group).select_related("group")
    ]


def test_moving_one_session_leaves_the_rest_of_the_series_alone(group, series):
    moved = services.session_move(
        session=series[2], new_day=date(2027, 3, 17), new_time=time(18, 30), duration_minutes=60
    )

    assert moved == 1
    assert [when for when, _ in _locals(group)] == [
        "02 Mar 19:00",
        "09 Mar 19:00",
        "17 Mar 18:30",
        "23 Mar 19:00",
        "30 Mar 19:00",
        "06 Apr 19:00",
    ]
    changed = Session.objects.get(pk=series[2].pk)
    assert changed.sequence == 1
    assert changed.duration_minutes == 60
    assert Session.objects.get(pk=series[3].pk).sequence == 0


def test_moving_the_rest_of_a_series_keeps_wall_clock_time_across_the_clock_change(group, series):
    moved = services.session_move(
        session=series[3],
        new_day=date(2027, 3, 24),
        new_time=time(18, 0),
        duration_minutes=90,
        scope=services.FOLLOWING,
    )

    assert moved == 3
    assert [when for when, _ in _locals(group)][3:] == ["24 Mar 18:00", "31 Mar 18:00", "07 Apr 18:00"]


def test_past_sessions_are_never_moved_or_cancelled(group, series, monkeypatch):
    later = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: later)

    with pytest.raises(ValidationError):
        services.session_move(
            session=series[0], new_day=date(2027, 3, 25), new_time=time(19), duration_minutes=90
        )
    with pytest.raises(ValidationError):
        services.session_cancel(session=series[1])
    assert services.session_cancel(session=series[3], scope=services.FOLLOWING) == 3
    assert [status for _, status in _locals(group)] == ["scheduled"] * 3 + ["cancelled"] * 3


def test_moving_the_rest_of_a_series_does_not_drag_sessions_that_already_happened(group, series, monkeypatch):
    # Session 2 (9 March) has happened; moving "this and later" from session 1 is refused...
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 3, 10, 12, 0, tzinfo=UTC))
    with pytest.raises(ValidationError):
        services.session_move(
            session=series[0],
            new_day=date(2027, 3, 3),
            new_time=time(19),
            duration_minutes=90,
            scope="following",
        )
    # ...and from a future session it moves only the future ones.
    services.session_move(
        session=series[2],
        new_day=date(2027, 3, 18),
        new_time=time(19),
        duration_minutes=90,
        scope="following",
    )
    assert [when for when, _ in _locals(group)][:2] == ["02 Mar 19:00", "09 Mar 19:00"]


def test_cancelling_one_session_bumps_its_sequence_and_can_be_undone(group, series):
    assert services.session_cancel(session=series[1]) == 1

    cancelled = Session.objects.get(pk=series[1].pk)
    assert cancelled.is_cancelled
    assert cancelled.sequence == 1
    restored = services.session_restore(session=cancelled)
    assert not restored.is_cancelled
    assert restored.sequence == 2


def test_the_first_session_must_be_in_the_future(group, now):
    with pytest.raises(ValidationError) as error:
        services.session_schedule(
            group=group, first_day=date(2027, 2, 1), start_time=time(19), duration_minutes=90
        )

    assert "first_day" in error.value.message_dict


def test_an_archived_group_cannot_get_new_sessions(group, owner, now):
    services.group_archive(group=group, actor=owner)

    with pytest.raises(ValidationError):
        services.session_schedule(
            group=group, first_day=date(2027, 4, 1), start_time=time(19), duration_minutes=90
        )


def test_archiving_keeps_the_group_and_its_sessions_and_is_audited(group, owner):
    SessionFactory(group=group, starts_at=timezone.now() - timedelta(days=7))

    services.group_archive(group=group, actor=owner)

    group.refresh_from_db()
    assert group.is_archived
    assert group.sessions.count() == 1
    assert AuditEntry.objects.filter(action="group.archived", actor_id=owner.pk).exists()
    services.group_restore(group=group, actor=owner)
    group.refresh_from_db()
    assert not group.is_archived


def test_rotating_the_member_token_changes_it_and_records_who_did_it(group, cofacilitator):
    old = group.member_token

    services.group_member_token_rotate(group=group, actor=cofacilitator)

    group.refresh_from_db()
    assert group.member_token != old
    assert len(group.member_token) >= 32
    entry = AuditEntry.objects.get(action="group.member_token_rotated")
    assert entry.actor_id == cofacilitator.pk
    assert old not in str(entry.ids)


def test_the_owner_adds_a_co_facilitator_by_the_email_of_their_account(group, owner, outsider):
    services.group_cofacilitator_add(group=group, actor=owner, email="  CHARLIE@example.org ")

    link = GroupFacilitator.objects.get(group=group, user=outsider)
    assert link.role == GroupFacilitator.Role.CO_FACILITATOR
    assert AuditEntry.objects.filter(action="group.cofacilitator_added").exists()


def test_adding_an_unknown_or_existing_facilitator_explains_why(group, owner, cofacilitator):
    with pytest.raises(ValidationError) as unknown:
        services.group_cofacilitator_add(group=group, actor=owner, email="nobody@example.org")
    with pytest.raises(ValidationError) as existing:
        services.group_cofacilitator_add(group=group, actor=owner, email=cofacilitator.email)

    assert "no facilitator account" in str(unknown.value)
    assert "already facilitates" in str(existing.value)


def test_removing_a_co_facilitator_never_removes_the_owner(group, owner, cofacilitator):
    services.group_cofacilitator_remove(group=group, actor=owner, user_id=owner.pk)
    services.group_cofacilitator_remove(group=group, actor=owner, user_id=cofacilitator.pk)

    assert list(group.facilitator_links.values_list("user_id", "role")) == [(owner.pk, "owner")]


def test_a_headcount_is_recorded_only_once_the_session_has_started(group):
    future = SessionFactory(group=group)
    past = SessionFactory(group=group, starts_at=timezone.now() - timedelta(hours=2))

    with pytest.raises(ValidationError):
        services.session_attendance_record(session=future, headcount=8)
    services.session_attendance_record(session=past, headcount=8)

    past.refresh_from_db()
    assert past.attendance == 8


def test_correcting_the_time_zone_keeps_future_sessions_at_their_wall_clock_time(group, series):
    services.group_update(group=group, timezone="America/New_York")

    sessions = list(Session.objects.filter(group=group).select_related("group"))
    assert {s.local_start.strftime("%a %H:%M") for s in sessions} == {"Tue 19:00"}
    assert [s.local_start.tzinfo.key for s in sessions] == ["America/New_York"] * 6
    assert all(s.sequence == 1 for s in sessions)


def test_editing_only_the_description_does_not_disturb_calendars(group, series):
    services.group_update(group=group, description="We read together and talk.")

    assert set(Session.objects.filter(group=group).values_list("sequence", flat=True)) == {0}
    services.group_update(group=group, location="Library, room 4")
    assert set(Session.objects.filter(group=group).values_list("sequence", flat=True)) == {1}
