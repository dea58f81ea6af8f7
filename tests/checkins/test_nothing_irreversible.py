"""Nothing irreversible in one click (issue 17, point 1): closing a check-in early and
cancelling a session ask first, on a page that says what will happen; a check-in opened
before its session stays open for its hours after the session's start."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.checkins import services
from groups.models import Session
from tests.checkins.helpers import open_window, session_for

pytestmark = pytest.mark.django_db


def test_a_check_in_opened_days_early_stays_open_its_hours_after_the_session_starts(group):
    session = session_for(group, starts_in=timedelta(days=4))
    window = services.window_open(session=session)
    assert window.closes_at == session.starts_at + timedelta(hours=window.hours_open)


def test_a_check_in_opened_after_the_start_runs_its_hours_from_then(group):
    session = session_for(group, starts_in=timedelta(hours=-1))
    now = timezone.now()
    window = services.window_open(session=session, now=now)
    assert window.closes_at == now + timedelta(hours=window.hours_open)


def test_closing_early_first_asks_on_a_page_that_says_what_happens(login, owner, group):
    window = open_window(group)
    url = reverse("checkins:window_close", args=[window.session_id])
    client = login(owner)
    page = client.post(url)
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "Close the check-in now?" in text and "cannot open again" in text
    window.refresh_from_db()
    assert window.is_open
    # Going back changes nothing; confirming closes it.
    assert reverse("checkins:window_manage", args=[window.session_id]) in text
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    window.refresh_from_db()
    assert window.is_closed


def test_cancelling_first_asks_then_cancels_and_can_be_restored(login, owner, group):
    session = session_for(group, starts_in=timedelta(days=3))
    url = reverse("groups:session_cancel", args=[session.pk])
    client = login(owner)
    page = client.post(url, {"cancel-scope": "one"})
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "Cancel this session?" in text and "restore" in text.lower()
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED
    response = client.post(url, {"cancel-scope": "one", "confirm": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    client.post(url, {"restore": "1"})
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED
