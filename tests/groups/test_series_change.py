"""A series can grow and skip: "add 4 more sessions" continues its pattern after the
last one, and skipping a date cancels that session (members see it cancelled) and
keeps what was assigned to it. Nothing already planned changes."""

import calendar
import itertools
from datetime import time, timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from content.models import SessionReading
from groups import services
from groups.models import Session, SessionSeries
from tests.factories import ReadingFactory

pytestmark = pytest.mark.django_db


def _series(group, *, frequency=SessionSeries.Frequency.WEEKLY, count=3, days=2):
    first = (timezone.now() + timedelta(days=days)).astimezone(group.tzinfo).date()
    sessions = services.session_schedule(
        group=group,
        first_day=first,
        start_time=time(19, 0),
        duration_minutes=75,
        frequency=frequency,
        count=count,
    )
    return sessions[0].series, sessions


def _extend(client, series, count, *, seen=None):
    return client.post(
        reverse("groups:series_extend", args=[series.pk]),
        {"count": count, "seen": series.count if seen is None else seen},
    )


def test_adding_sessions_continues_the_pattern_and_keeps_what_was_planned(login, owner, group):
    series, sessions = _series(group)
    reading = ReadingFactory()
    SessionReading.objects.create(session=sessions[2], reading=reading, position=0)
    before = {s.pk: (s.starts_at, s.sequence) for s in sessions}

    response = _extend(login(owner), series, 4)

    assert response.status_code == HTTPStatus.FOUND
    every = list(series.sessions.order_by("starts_at"))
    assert len(every) == 7
    locals_ = [s.local_start for s in every]
    assert all(b - a == timedelta(weeks=1) for a, b in itertools.pairwise(locals_))
    assert {(s.local_start.hour, s.local_start.minute, s.duration_minutes) for s in every} == {(19, 0, 75)}
    assert {s.pk: (s.starts_at, s.sequence) for s in every[:3]} == before
    assert SessionReading.objects.get(reading=reading).session_id == sessions[2].pk
    series.refresh_from_db()
    assert series.count == 7 and "COUNT=7" in series.rrule


def test_a_monthly_series_keeps_its_weekday_of_the_month(login, owner, group):
    series, sessions = _series(group, frequency=SessionSeries.Frequency.MONTHLY, count=2)
    _extend(login(owner), series, 2)
    every = list(series.sessions.order_by("starts_at"))
    assert len(every) == 4
    assert {s.local_start.weekday() for s in every} == {sessions[0].local_start.weekday()}
    if sessions[0].local_start.day > 28:  # "the last Tuesday"
        assert all(
            s.local_start.day + 7 > calendar.monthrange(s.local_start.year, s.local_start.month)[1]
            for s in every
        )
    else:  # "the second Tuesday"
        assert len({(s.local_start.day - 1) // 7 for s in every}) == 1


def test_a_series_that_ended_long_ago_grows_from_today_not_in_the_past(login, owner, group):
    series, _sessions = _series(group, count=2)
    Session.objects.filter(series=series).update(starts_at=timezone.now() - timedelta(days=60))
    SessionSeries.objects.filter(pk=series.pk).update(first_date=(timezone.now() - timedelta(days=70)).date())
    series.refresh_from_db()

    _extend(login(owner), series, 3)

    added = list(series.sessions.filter(starts_at__gt=timezone.now()))
    assert len(added) == 3


def test_a_double_click_adds_the_sessions_once(login, owner, group):
    series, _sessions = _series(group)
    client = login(owner)
    seen = series.count

    first = _extend(client, series, 2, seen=seen)
    second = _extend(client, series, 2, seen=seen)

    assert first.status_code == second.status_code == HTTPStatus.FOUND
    assert series.sessions.count() == 5
    page = client.get(second.url).content.decode()
    assert "already added" in page


@pytest.mark.parametrize("count", ["", "0", "-3", "500", "four"])
def test_a_bad_number_gets_a_message_and_keeps_what_was_typed(login, owner, group, count):
    series, _sessions = _series(group)

    response = _extend(login(owner), series, count)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert 'class="errorlist' in html or "error" in html
    assert f'value="{count}"' in html or count == ""
    assert series.sessions.count() == 3


def test_the_series_page_lists_every_date_with_a_way_to_skip_each(login, owner, cofacilitator, group):
    series, sessions = _series(group)
    services.session_cancel(session=sessions[1])

    page = login(cofacilitator).get(reverse("groups:series_detail", args=[series.pk])).content.decode()

    for session in sessions:
        assert reverse("groups:session_detail", args=[session.pk]) in page
    assert page.count("Skip this date") == 2  # the cancelled one can be put back instead
    assert "Cancelled" in page


def test_skipping_a_date_asks_first_then_cancels_only_that_session_and_keeps_its_readings(
    login, owner, group
):
    series, sessions = _series(group)
    reading = ReadingFactory()
    SessionReading.objects.create(session=sessions[1], reading=reading, position=0)
    client = login(owner)
    url = reverse("groups:session_cancel", args=[sessions[1].pk])

    asked = client.post(url, {"cancel-scope": "one", "next": "series"})
    assert asked.status_code == HTTPStatus.OK and "Cancel this session?" in asked.content.decode()
    assert not Session.objects.filter(status=Session.Status.CANCELLED).exists()

    done = client.post(url, {"cancel-scope": "one", "confirm": "yes", "next": "series"})

    assert done.status_code == HTTPStatus.FOUND
    assert done.url == reverse("groups:series_detail", args=[series.pk])
    assert list(Session.objects.filter(status=Session.Status.CANCELLED)) == [sessions[1]]
    assert SessionReading.objects.filter(session=sessions[1], reading=reading).exists()
    member_page = client.get(reverse("groups:member_group", args=[group.member_token])).content.decode()
    assert "Cancelled" in member_page


def test_the_session_page_leads_to_its_series(login, owner, group):
    series, sessions = _series(group)
    page = login(owner).get(reverse("groups:session_detail", args=[sessions[0].pk])).content.decode()
    assert reverse("groups:series_detail", args=[series.pk]) in page


def test_an_archived_groups_series_does_not_grow(login, owner, group):
    series, _sessions = _series(group)
    group.archived_at = timezone.now()
    group.save()
    response = _extend(login(owner), series, 2)
    assert response.status_code in {HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND}
    assert series.sessions.count() == 3
