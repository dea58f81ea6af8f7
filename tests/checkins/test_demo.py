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
