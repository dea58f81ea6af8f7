"""Feeds parsed back with icalendar, as a calendar app would read them."""

from datetime import UTC, date, datetime, time, timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groups import services
from groups.models import Group, SessionSeries
from tests.factories import GroupFactory, ReadingFactory, ReadingPlanFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _feed(client, url) -> Calendar:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/calendar")
    assert not response.cookies
    return Calendar.from_ical(response.content)


def _events(calendar: Calendar):
    return sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))


@pytest.fixture
def weekly(group):
    group.name = "Abuse recovery circle"  # what a glance at a lock screen must never show
    group.call_link = "https://call.example/room-42"
    group.meeting_mode = Group.MeetingMode.BOTH
    group.save()
    first = (timezone.now() + timedelta(days=2)).astimezone(group.tzinfo).date()
    return services.session_schedule(
        group=group,
        first_day=first,
        start_time=time(19, 0),
        duration_minutes=90,
        frequency=SessionSeries.Frequency.WEEKLY,
        count=3,
    )


def test_the_member_feed_is_neutral_and_carries_the_join_details_in_the_body(client, group, weekly):
    calendar = _feed(client, reverse("groups:member_feed", args=[group.member_token]))

    events = _events(calendar)
    assert len(events) == 3
    weekday = weekly[0].local_start.strftime("%A")
    assert {str(event["summary"]) for event in events} == {f"{weekday} group"}
    assert "Abuse" not in calendar.to_ical().decode()
    assert "Community centre, room 2" in str(events[0]["description"])
    assert "https://call.example/room-42" in str(events[0]["description"])
    assert "LOCATION" not in events[0]


def test_the_member_feed_uses_the_groups_own_neutral_label_when_it_has_one(client, group, weekly):
    group.member_label = "Book club"
    group.save()

    events = _events(_feed(client, reverse("groups:member_feed", args=[group.member_token])))

    assert {str(event["summary"]) for event in events} == {"Book club"}


def test_feed_times_carry_the_groups_time_zone_with_a_vtimezone(client, group, weekly):
    calendar = _feed(client, reverse("groups:member_feed", args=[group.member_token]))

    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["tzid"]) == "Europe/London"
    start = _events(calendar)[0].decoded("dtstart")
    assert (start.hour, start.minute) == (19, 0)
    assert start.tzinfo is not None
    assert start.astimezone(UTC) == weekly[0].starts_at.astimezone(UTC)
    assert _events(calendar)[0].decoded("dtend") - start == timedelta(minutes=90)


def test_uids_stay_the_same_while_a_move_bumps_the_sequence_and_a_cancellation_flows_through(
    client, group, weekly
):
    url = reverse("groups:member_feed", args=[group.member_token])
    before = {str(event["uid"]): event for event in _events(_feed(client, url))}
    first, second = weekly[0], weekly[1]
    new_day = second.local_start.date() + timedelta(days=1)

    services.session_move(session=second, new_day=new_day, new_time=time(18, 0), duration_minutes=90)
    services.session_cancel(session=first)

    after = {str(event["uid"]): event for event in _events(_feed(client, url))}
    assert set(after) == set(before)
    moved = after[second.calendar_uid]
    assert int(moved["sequence"]) == int(before[second.calendar_uid]["sequence"]) + 1
    assert moved.decoded("dtstart").date() == new_day
    assert (moved.decoded("dtstart").hour, moved.decoded("dtstart").minute) == (18, 0)
    cancelled = after[first.calendar_uid]
    assert str(cancelled["status"]) == "CANCELLED"
    assert int(cancelled["sequence"]) == 1
    assert str(after[weekly[2].calendar_uid]["status"]) == "CONFIRMED"


def _with_details(user):
    """The facilitator chose to get group names and readings in the feed (off by
    default: tests/groups/test_private_mail.py)."""
    preference = services.facilitator_preference_get(user=user)
    preference.details_by_mail = True
    preference.save()
    return preference


def test_the_facilitators_private_feed_covers_all_their_groups_and_nobody_elses(
    client, owner, group, outsider
):
    other_group = GroupFactory(name="Thursday evening", owner=owner, timezone="America/New_York")
    SessionFactory(group=group).reading_assignments.create(
        reading=ReadingFactory(title="Why they left first"), position=0
    )
    SessionFactory(group=other_group)
    SessionFactory(group=outsider.facilitated_groups.get())
    token = _with_details(owner).calendar_token

    calendar = _feed(client, reverse("groups:facilitator_feed", args=[token]))

    assert sorted(str(event["summary"]) for event in calendar.walk("VEVENT")) == [
        "Thursday evening",
        "Tuesday group",
    ]
    assert {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/London", "America/New_York"}
    assert all("/sessions/" in str(event["description"]) for event in calendar.walk("VEVENT"))
    assert any(
        "Readings: Why they left first" in str(event["description"]) for event in calendar.walk("VEVENT")
    )


def test_a_rotated_calendar_token_stops_the_old_feed(client, owner):
    old = services.facilitator_preference_get(user=owner).calendar_token

    services.facilitator_calendar_token_rotate(user=owner)

    assert client.get(reverse("groups:facilitator_feed", args=[old])).status_code == HTTPStatus.NOT_FOUND


def test_the_member_feed_of_an_archived_group_is_gone(client, group, owner):
    services.group_archive(group=group, actor=owner)

    response = client.get(reverse("groups:member_feed", args=[group.member_token]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_feed_leaves_out_old_history(client, group):
    SessionFactory(group=group, starts_at=datetime(2020, 1, 7, 19, tzinfo=UTC))
    SessionFactory(group=group)

    events = _feed(client, reverse("groups:member_feed", args=[group.member_token])).walk("VEVENT")

    assert len(events) == 1
    assert events[0].decoded("dtstart").date() != date(2020, 1, 7)


def test_changing_a_sessions_readings_bumps_its_sequence_so_the_facilitator_feed_refreshes(
    client, owner, group, weekly
):
    from content import services as content

    token = _with_details(owner).calendar_token
    url = reverse("groups:facilitator_feed", args=[token])
    first, second, third = weekly
    love, push = ReadingFactory(title="When it felt like love"), ReadingFactory(title="The push and pull")

    def feed() -> dict[str, tuple[int, str]]:
        return {
            str(event["uid"]): (int(event["sequence"]), str(event["description"]))
            for event in _events(_feed(client, url))
        }

    def sequence(session) -> int:
        return feed()[session.calendar_uid][0]

    start = sequence(first)
    content.session_reading_assign(session=first, reading=love)
    assert sequence(first) == start + 1
    assert "Readings: When it felt like love" in feed()[first.calendar_uid][1]

    second_assignment = content.session_reading_assign(session=first, reading=push)
    content.session_reading_move(assignment=second_assignment, offset=-1)
    bumped, body = feed()[first.calendar_uid]
    assert bumped == start + 3
    assert "Readings: The push and pull; When it felt like love" in body

    content.session_reading_remove(assignment=second_assignment)
    assert sequence(first) == start + 4
    assert "push" not in feed()[first.calendar_uid][1]

    untouched = sequence(third)
    plan = ReadingPlanFactory(readings=[push, love])
    content.reading_plan_apply(plan=plan, sessions=[first, second], replace=True)
    after = feed()
    assert after[first.calendar_uid][0] > start + 4
    assert "Readings: The push and pull" in after[first.calendar_uid][1]
    assert after[second.calendar_uid][0] > untouched
    assert "Readings: When it felt like love" in after[second.calendar_uid][1]
    assert after[third.calendar_uid][0] == untouched


def test_a_move_that_changes_nothing_and_a_note_leave_the_sequence_alone(client, owner, group, weekly):
    from content import services as content

    session = weekly[0]
    assignment = content.session_reading_assign(session=session, reading=ReadingFactory())
    session.refresh_from_db()
    before = session.sequence

    content.session_reading_move(assignment=assignment, offset=-1)  # already first
    content.session_reading_note_update(assignment=assignment, note="Pause after the first paragraph.")

    session.refresh_from_db()
    assert session.sequence == before
