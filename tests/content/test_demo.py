import pytest

from content.demo import LEFT_TO_PREPARE, demo_readings_ensure
from content.models import SessionReading
from content.services import library_load
from tests.factories import GroupFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_the_demo_group_gets_the_shipped_plan_except_its_last_sessions(owner):
    library_load()
    group = GroupFactory(owner=owner)
    sessions = SessionFactory.create_batch(6, group=group)

    demo_readings_ensure(group=group)
    demo_readings_ensure(group=group)

    planned = set(SessionReading.objects.filter(session__group=group).values_list("session", flat=True))
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.pk))
    assert planned == {s.pk for s in ordered[:-LEFT_TO_PREPARE]}
    assert SessionReading.objects.filter(session__group=group).count() == len(ordered) - LEFT_TO_PREPARE
