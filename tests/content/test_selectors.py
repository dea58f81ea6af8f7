import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content import selectors
from content.models import SessionReading
from groups.models import Session
from tests.content.support import weekly_sessions
from tests.factories import GroupFactory, ReadingFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def test_readings_for_sessions_returns_each_sessions_list_in_order_in_two_queries(group, outsider):
    sessions = weekly_sessions(group, 5) + weekly_sessions(outsider.facilitated_groups.get(), 5)
    for session in sessions:
        for position in range(3):
            SessionReading.objects.create(
                session=session, reading=ReadingFactory(themes=[ThemeFactory()]), position=position
            )
    with CaptureQueriesContext(connection) as queries:
        result = selectors.readings_for_sessions(sessions=sessions)
        for assignments in result.values():
            for assignment in assignments:
                _ = (
                    assignment.reading.title,
                    assignment.reading.source.credit_line,
                    list(assignment.reading.themes.all()),
                )
    assert len(queries) == 2
    assert set(result) == {s.pk for s in sessions}
    assert [a.position for a in result[sessions[0].pk]] == [0, 1, 2]


def test_members_never_see_a_reading_withdrawn_after_it_was_assigned(group):
    session = weekly_sessions(group, 1)[0]
    SessionReading.objects.create(session=session, reading=ReadingFactory(title="Kept"), position=0)
    SessionReading.objects.create(
        session=session, reading=ReadingFactory(title="Withdrawn", is_published=False), position=1
    )
    members = selectors.readings_for_sessions(sessions=[session])[session.pk]
    facilitators = selectors.readings_for_sessions(sessions=[session], for_members=False)[session.pk]
    assert [a.reading.title for a in members] == ["Kept"]
    assert [a.reading.title for a in facilitators] == ["Kept", "Withdrawn"]


def test_readings_for_sessions_gives_an_empty_list_to_a_session_without_readings(group):
    session = weekly_sessions(group, 1)[0]
    assert selectors.readings_for_sessions(sessions=[session]) == {session.pk: []}
    assert selectors.readings_for_sessions(sessions=[]) == {}


def test_the_library_is_searched_by_words_and_filtered_by_theme():
    cycle = ThemeFactory(name="The push-and-pull cycle", slug="push-and-pull")
    ReadingFactory(title="The push and pull", passage="breadcrumbs of hope", themes=[cycle])
    ReadingFactory(title="Withdrawal", passage="memories pop back")
    ReadingFactory(title="Hidden", passage="breadcrumbs", is_published=False)
    assert [r.title for r in selectors.published_readings(query="breadcrumbs")] == ["The push and pull"]
    assert [r.title for r in selectors.published_readings(query="MEMORIES back")] == ["Withdrawal"]
    assert [r.title for r in selectors.published_readings(theme="push-and-pull")] == ["The push and pull"]
    assert [r.title for r in selectors.published_readings(query="push-and-pull")] == ["The push and pull"]
    assert list(selectors.themes_in_use()) == [cycle]


def test_a_facilitator_cannot_reach_another_groups_session(group, outsider, owner, admin_user):
    session = weekly_sessions(group, 1)[0]
    with pytest.raises(Http404):
        selectors.session_for_facilitator(user=outsider, session_id=session.pk)
    assert selectors.session_for_facilitator(user=owner, session_id=session.pk) == session
    assert selectors.session_for_facilitator(user=admin_user, session_id=session.pk) == session


def test_sessions_from_a_session_are_the_groups_later_scheduled_ones(group):
    sessions = weekly_sessions(group, 4)
    Session.objects.filter(pk=sessions[2].pk).update(status=Session.Status.CANCELLED)
    weekly_sessions(GroupFactory(), 2)
    assert selectors.sessions_from(session=sessions[1]) == [sessions[1], sessions[3]]


def test_only_a_plans_author_or_an_admin_may_change_it(owner, cofacilitator, admin_user):
    from tests.factories import ReadingPlanFactory

    plan = ReadingPlanFactory(created_by=owner)
    shipped = ReadingPlanFactory(created_by=None)
    assert selectors.plan_can_edit(user=owner, plan=plan)
    assert not selectors.plan_can_edit(user=cofacilitator, plan=plan)
    assert selectors.plan_can_edit(user=admin_user, plan=plan)
    assert not selectors.plan_can_edit(user=owner, plan=shipped)
    assert selectors.plan_can_edit(user=admin_user, plan=shipped)


def test_sessions_from_can_stay_within_the_sessions_series(group):
    from groups.models import SessionSeries

    series = SessionSeries.objects.create(
        group=group,
        frequency=SessionSeries.Frequency.WEEKLY,
        rrule="FREQ=WEEKLY;COUNT=2",
        first_date=timezone.now().date(),
        start_time=timezone.now().time(),
        count=2,
    )
    sessions = weekly_sessions(group, 4)
    Session.objects.filter(pk__in=[sessions[0].pk, sessions[1].pk]).update(series=series)
    sessions[0].refresh_from_db()
    assert selectors.sessions_from(session=sessions[0]) == sessions
    assert selectors.sessions_from(session=sessions[0], same_series=True) == sessions[:2]


def test_session_notes_are_read_for_many_sessions_in_one_query(group, django_assert_num_queries):
    from content.services import session_note_save

    first, second, third = weekly_sessions(group, 3)
    session_note_save(session=first, text="Bring copies")
    session_note_save(session=third, text="")
    with django_assert_num_queries(1):
        notes = selectors.session_notes_for_sessions(sessions=[first, second, third])
    assert notes == {first.pk: "Bring copies"}
