"""A flooded check-in is held for review: answers faster than any room gives them, or
more than the people the facilitator counted. Its results wait until a facilitator of
the group confirms them or voids the window (every answer deleted, audited, and the
trend says why the session has no point)."""

import contextlib
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from facilitator.models import AuditEntry
from groups.checkins import rollups, selectors, services
from groups.checkins.models import Answer, CheckinWindow, Response, SessionRollup
from tests.checkins.helpers import open_window, submission

pytestmark = pytest.mark.django_db


def _flooded(group, settings):
    settings.CHECKIN_RATE_PER_MINUTE = 5
    window = open_window(group)
    now = timezone.now()
    for n in range(7):
        with contextlib.suppress(services.CheckinRefused):
            services.checkin_submit(
                window=window, submission=submission(), now=now + timedelta(milliseconds=n)
            )
    services.window_close(window=window)
    window.refresh_from_db()
    return window


def _row(group, window):
    return next(row for row in selectors.released_aggregates(group=group) if row.session == window.session)


def test_answers_faster_than_any_room_hold_the_results(group, settings):
    window = _flooded(group, settings)

    assert window.review_reason == CheckinWindow.ReviewReason.RATE and window.is_held
    assert rollups.session_rollup_compute(session_id=window.session_id) is None
    assert rollups.rollups_sweep() == 0
    assert not SessionRollup.objects.exists()
    assert _row(group, window).status == "held"


def test_more_answers_than_people_present_hold_the_results(group):
    window = open_window(group)
    for _ in range(6):
        services.checkin_submit(window=window, submission=submission())
    window.session.attendance = 4
    window.session.save()
    services.window_close(window=window)

    assert rollups.rollups_sweep() == 0
    window.refresh_from_db()
    assert window.review_reason == CheckinWindow.ReviewReason.HEADCOUNT
    assert _row(group, window).status == "held"


def test_a_confirmed_window_is_released_as_usual(group, settings, owner):
    window = _flooded(group, settings)

    services.window_review_decide(window=window, actor=owner, void=False)

    rollup = rollups.session_rollup_compute(session_id=window.session_id)
    assert rollup is not None and rollup.answers == 5 and rollup.status == SessionRollup.Status.RELEASED
    assert AuditEntry.objects.filter(action="checkin.window_confirmed", actor_id=owner.pk).exists()


def test_a_voided_window_loses_its_answers_and_the_trend_says_why(group, settings, owner):
    window = _flooded(group, settings)

    services.window_review_decide(window=window, actor=owner, void=True)
    rollups.rollups_sweep()

    assert not Response.objects.filter(session=window.session).exists() and not Answer.objects.exists()
    assert _row(group, window).status == "voided"
    assert AuditEntry.objects.filter(action="checkin.window_voided", actor_id=owner.pk).exists()
    with pytest.raises(ValueError):
        services.window_review_decide(window=window, actor=owner, void=True)


@pytest.mark.parametrize("role", ["owner", "cofacilitator", "admin_user"])
def test_a_facilitator_of_the_group_decides_from_the_check_in_page(login, request, group, settings, role):
    window = _flooded(group, settings)
    client = login(request.getfixturevalue(role))
    url = reverse("checkins:window_manage", args=[window.session_id])
    page = client.get(url).content.decode()
    assert "Held for review" in page and "faster than any room" in page

    # The box not ticked: nothing happens.
    client.post(reverse("checkins:window_review", args=[window.session_id]), {"decision": "void"})
    window.refresh_from_db()
    assert window.is_held and Response.objects.exists()

    response = client.post(
        reverse("checkins:window_review", args=[window.session_id]), {"decision": "void", "understood": "yes"}
    )
    assert response.status_code == HTTPStatus.FOUND
    window.refresh_from_db()
    assert window.voided_at is not None and not Response.objects.exists()


def test_an_outsider_cannot_decide(login, outsider, group, settings):
    window = _flooded(group, settings)
    response = login(outsider).post(
        reverse("checkins:window_review", args=[window.session_id]), {"decision": "void", "understood": "yes"}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    window.refresh_from_db()
    assert window.is_held and Response.objects.exists()
