"""A moved session tells members it moved: "Moved from Tue 22 Dec, 19:00" on the group
page and in the calendar feed's description, not only the new time."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groups import services
from groups.models import SessionSeries

pytestmark = pytest.mark.django_db


@pytest.fixture
def weekly(group):
    group.timezone = "America/New_York"  # 19:00 there is midnight in UTC: the zone shows
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


def _short(local) -> str:
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def _move(login, user, session, *, days: int, at: str = "18:30", scope: str = "one"):
    new_day = session.local_start.date() + timedelta(days=days)
    response = login(user).post(
        reverse("groups:session_move", args=[session.pk]),
        {
            "move-new_day": new_day.isoformat(),
            "move-new_time": at,
            "move-duration_minutes": 90,
            "move-scope": scope,
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    return session


def _descriptions(client, group) -> dict[int, str]:
    feed = client.get(reverse("groups:member_feed", args=[group.member_token]))
    calendar = Calendar.from_ical(feed.content)
    return {
        int(str(event["uid"]).split("@")[0].removeprefix("session-")): str(event["description"])
        for event in calendar.walk("VEVENT")
    }


def test_members_see_where_a_moved_session_was_on_the_page_and_in_the_feed(client, login, owner, weekly):
    group = weekly[0].group
    first, second, _third = weekly
    was = first.local_start
    _move(login, owner, first, days=1)
    client.logout()

    page = client.get(reverse("groups:member_group", args=[group.member_token])).content.decode()
    assert f"Moved from {_short(was)}" in page
    assert page.count("Moved from") == 1  # the sessions that did not move say nothing

    descriptions = _descriptions(client, group)
    assert descriptions[first.pk].startswith(f"Moved from {_short(was)}")
    assert "Moved from" not in descriptions[second.pk]


def test_moved_twice_it_says_the_time_members_first_had(login, owner, group, weekly):
    first = weekly[0]
    was = first.starts_at
    _move(login, owner, first, days=1)
    _move(login, owner, first, days=1, at="20:00")
    assert first.moved_from == was


def test_moved_back_it_says_nothing(client, login, owner, group, weekly):
    first = weekly[0]
    _move(login, owner, first, days=2)
    _move(login, owner, first, days=-2, at="19:00")
    assert first.moved_from is None
    client.logout()
    page = client.get(reverse("groups:member_group", args=[group.member_token])).content.decode()
    assert "Moved from" not in page


def test_a_series_moved_together_gives_each_its_own_former_time(client, login, owner, group, weekly):
    was = [session.local_start for session in weekly]
    _move(login, owner, weekly[0], days=1, scope="following")
    client.logout()
    page = client.get(reverse("groups:member_group", args=[group.member_token])).content.decode()
    for local in was:
        assert f"Moved from {_short(local)}" in page


def test_the_facilitators_session_page_says_it_too(login, owner, group, weekly):
    first = weekly[0]
    was = first.local_start
    _move(login, owner, first, days=1)
    page = login(owner).get(reverse("groups:session_detail", args=[first.pk])).content.decode()
    assert f"Moved from {_short(was)}" in page


def test_a_new_time_zone_keeps_the_former_time_on_the_wall_clock_too(login, owner, group, weekly):
    first = weekly[0]
    was = first.local_start
    _move(login, owner, first, days=1)
    services.group_update(group=group, timezone="Europe/London")
    first.refresh_from_db()
    assert _short(first.local_moved_from) == _short(was)  # still 19:00, now London's
