"""Series keep their wall-clock time across daylight saving changes."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from groups.models import SessionSeries
from groups.recurrence import local_occurrences, series_rule
from groups.services import session_schedule
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db

WEEKLY = SessionSeries.Frequency.WEEKLY


@pytest.fixture
def frozen_2027(monkeypatch):
    """Schedule as if today were 1 January 2027, so the series below are in the future."""
    now = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def _schedule(tz: str, first: date, count: int, frequency=WEEKLY):
    group = GroupFactory(timezone=tz)
    return session_schedule(
        group=group,
        first_day=first,
        start_time=time(19, 0),
        duration_minutes=90,
        frequency=frequency,
        count=count,
    )


def _local(sessions, tz):
    return [s.starts_at.astimezone(ZoneInfo(tz)) for s in sessions]


def _utc_hours(sessions):
    return [s.starts_at.astimezone(UTC).hour for s in sessions]


def test_a_london_series_across_the_spring_change_stays_at_seven_pm(frozen_2027):
    # Clocks go forward on Sunday 28 March 2027.
    sessions = _schedule("Europe/London", date(2027, 3, 16), 4)

    assert [d.strftime("%a %d %b %H:%M") for d in _local(sessions, "Europe/London")] == [
        "Tue 16 Mar 19:00",
        "Tue 23 Mar 19:00",
        "Tue 30 Mar 19:00",
        "Tue 06 Apr 19:00",
    ]
    assert _utc_hours(sessions) == [19, 19, 18, 18]


def test_a_london_series_across_the_autumn_change_stays_at_seven_pm(frozen_2027):
    # Clocks go back on Sunday 31 October 2027.
    sessions = _schedule("Europe/London", date(2027, 10, 19), 3)

    assert [d.hour for d in _local(sessions, "Europe/London")] == [19, 19, 19]
    assert _utc_hours(sessions) == [18, 18, 19]


def test_a_new_york_series_across_the_spring_change_stays_at_seven_pm(frozen_2027):
    # US clocks go forward on Sunday 14 March 2027, two weeks before Europe's.
    sessions = _schedule("America/New_York", date(2027, 3, 9), 3)

    assert [d.hour for d in _local(sessions, "America/New_York")] == [19, 19, 19]
    assert _utc_hours(sessions) == [0, 23, 23]  # 19:00 EST is 00:00 UTC the next day


def test_a_new_york_series_across_the_autumn_change_stays_at_seven_pm(frozen_2027):
    # US clocks go back on Sunday 7 November 2027.
    sessions = _schedule("America/New_York", date(2027, 11, 2), 2)

    assert [d.hour for d in _local(sessions, "America/New_York")] == [19, 19]
    assert _utc_hours(sessions) == [23, 0]


def test_a_session_in_the_repeated_autumn_hour_takes_the_first_one(frozen_2027):
    group = GroupFactory(timezone="Europe/London")

    [session] = session_schedule(
        group=group, first_day=date(2027, 10, 31), start_time=time(1, 30), duration_minutes=60
    )

    session.refresh_from_db()
    assert session.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 01:30 BST, not GMT


def test_a_fortnightly_series_skips_a_week(frozen_2027):
    sessions = _schedule("Europe/London", date(2027, 2, 2), 3, SessionSeries.Frequency.FORTNIGHTLY)

    assert [d.date() for d in _local(sessions, "Europe/London")] == [
        date(2027, 2, 2),
        date(2027, 2, 16),
        date(2027, 3, 2),
    ]


def test_a_monthly_series_keeps_the_same_weekday_of_the_month(frozen_2027):
    # 9 February 2027 is the second Tuesday.
    sessions = _schedule("Europe/London", date(2027, 2, 9), 3, SessionSeries.Frequency.MONTHLY)

    assert [d.date() for d in _local(sessions, "Europe/London")] == [
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
    ]
    assert sessions[0].series.rrule == "FREQ=MONTHLY;BYDAY=+2TU;COUNT=3"


def test_a_monthly_series_from_a_fifth_weekday_means_the_last_one():
    rule = series_rule(frequency=SessionSeries.Frequency.MONTHLY, count=3, first=date(2027, 3, 30))

    starts = local_occurrences(rule=rule, first_local_start=datetime(2027, 3, 30, 19, 0))

    assert rule == "FREQ=MONTHLY;BYDAY=-1TU;COUNT=3"
    assert [d.date() for d in starts] == [date(2027, 3, 30), date(2027, 4, 27), date(2027, 5, 25)]


def test_a_weekly_series_has_exactly_the_number_of_sessions_asked_for(frozen_2027):
    sessions = _schedule("Europe/London", date(2027, 1, 5), 10)

    assert len(sessions) == 10
    assert sessions[0].series.count == 10
    assert {s.series_id for s in sessions} == {sessions[0].series_id}
