import pytest
from django.core.management import call_command
from django.utils import timezone

from facilitator.demo import DEMO_FACILITATOR_EMAIL
from groups.demo import DEMO_GROUP_NAME
from groups.models import Group

pytestmark = pytest.mark.django_db


def test_the_demo_setup_makes_one_demo_group_with_past_and_upcoming_weekly_sessions(capsys):
    call_command("demo_setup")
    call_command("demo_setup")

    group = Group.objects.get(name=DEMO_GROUP_NAME)
    assert group.facilitator_links.get().user.email == DEMO_FACILITATOR_EMAIL
    # The series; the check-in demo adds one-off sessions before it for the trend chart.
    sessions = list(group.sessions.filter(series__isnull=False).select_related("group"))
    assert len(sessions) == 12
    now = timezone.now()
    # Three on a Tuesday before the evening's session, four otherwise.
    assert 3 <= sum(s.starts_at < now for s in sessions) <= 4
    assert sum(s.starts_at > now for s in sessions) >= 8
    assert {s.local_start.strftime("%a %H:%M") for s in sessions} == {"Tue 19:00"}
    assert all(s.attendance is not None for s in sessions if s.starts_at < now)
    assert f"/g/{group.member_token}" in capsys.readouterr().out
