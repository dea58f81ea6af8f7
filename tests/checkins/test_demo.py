from datetime import timedelta

import pytest

from groups.checkins.demo import demo_checkin_ensure
from groups.checkins.models import CheckinWindow
from tests.checkins.helpers import session_for

pytestmark = pytest.mark.django_db


def test_the_demo_opens_one_check_in_and_reuses_it(group):
    session_for(group, starts_in=timedelta(days=2))
    first = demo_checkin_ensure(group=group)
    assert first is not None and first.is_open
    assert demo_checkin_ensure(group=group) == first
    assert CheckinWindow.objects.count() == 1


def test_the_demo_has_no_check_in_without_an_upcoming_session(group):
    assert demo_checkin_ensure(group=group) is None


def test_the_demo_history_has_a_line_a_pooled_block_and_a_suppressed_session(owner):
    from groups.checkins.demo import demo_trends_ensure
    from groups.checkins.models import BlockRollup, SessionRollup
    from groups.checkins.selectors import released_aggregates
    from groups.demo import demo_group_ensure

    group = demo_group_ensure(owner=owner)
    assert demo_trends_ensure(group=group) == 12
    rows = released_aggregates(group=group)
    points = [row for row in rows if row.is_released and row.who5]
    assert len(points) >= 8
    assert BlockRollup.objects.get(group=group, number=1).status == "released"
    lone = SessionRollup.objects.get(group=group, ordinal=11)
    assert lone.status == "suppressed"
    assert BlockRollup.objects.get(group=group, number=3).status == "suppressed"
    assert demo_trends_ensure(group=group) == 0  # idempotent
    assert SessionRollup.objects.filter(group=group).count() == 12
