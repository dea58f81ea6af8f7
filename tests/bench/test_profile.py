"""bench/profile.py measures a real check-in in-process: every POST stored, CPU per
POST for the check-in and the floor, and a time for every step it names."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from bench import profile
from groups.checkins.models import Response
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="bench.urls", CHECKIN_RATE_PER_MINUTE=100_000)
def test_the_in_process_measure_stores_every_check_in_and_times_each_step(group):
    from groups.checkins.models import CheckinWindow

    now = timezone.now()
    windows = [
        CheckinWindow.objects.create(
            session=SessionFactory(group=group, starts_at=now - timedelta(hours=1)),
            opened_at=now,
            closes_at=now + timedelta(hours=2),
        )
        for _ in range(3)
    ]
    floor = windows.pop()

    measured = profile.measure(codes=[w.code for w in windows], floor_session=floor.session_id, count=10)

    assert measured["statuses"] == {"200": 40}
    assert measured["stored"] == 40
    # 20 warm-up, 10 timed and 10 profiled check-ins; the floor's 30 rows go to its own session.
    assert Response.objects.filter(session__in=[w.session for w in windows]).count() == 40
    assert measured["cpu_ms_checkin"] > measured["cpu_ms_floor"] > 0
    assert {s["step"] for s in measured["steps"]} == {label for label, _file, _fn in profile.STEPS}
    timed = {s["function"]: s["ms_per_checkin"] for s in measured["steps"]}
    assert all(ms > 0 for ms in timed.values()), timed
    assert timed["get_response"] >= timed["checkin_submit"]
