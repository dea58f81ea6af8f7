import pytest
from django.core.exceptions import ValidationError

from content import services
from content.models import Reading, ReadingPlan, SessionReading
from groups.models import Session
from tests.content.support import weekly_sessions
from tests.factories import ReadingFactory, ReadingPlanFactory

pytestmark = pytest.mark.django_db


def _titles(session) -> list[str]:
    return [a.reading.title for a in session.reading_assignments.order_by("position")]


def test_assigning_readings_keeps_the_order_they_were_added(group):
    session = weekly_sessions(group, 1)[0]
    first, second = ReadingFactory(title="First"), ReadingFactory(title="Second")
    services.session_reading_assign(session=session, reading=first, note="  Read aloud.  ")
    services.session_reading_assign(session=session, reading=second)
    assert _titles(session) == ["First", "Second"]
    assert session.reading_assignments.get(reading=first).note == "Read aloud."


def test_a_reading_cannot_be_assigned_twice_to_one_session(group):
    session = weekly_sessions(group, 1)[0]
    reading = ReadingFactory()
    services.session_reading_assign(session=session, reading=reading)
    with pytest.raises(ValidationError, match="already assigned"):
        services.session_reading_assign(session=session, reading=reading)
    assert session.reading_assignments.count() == 1


def test_an_unpublished_reading_cannot_be_assigned(group):
    session = weekly_sessions(group, 1)[0]
    with pytest.raises(ValidationError, match="published"):
        services.session_reading_assign(session=session, reading=ReadingFactory(is_published=False))


def test_moving_and_removing_keep_a_gapless_order(group):
    session = weekly_sessions(group, 1)[0]
    a, _b, c = (
        services.session_reading_assign(session=session, reading=ReadingFactory(title=t)) for t in "ABC"
    )
    services.session_reading_move(assignment=c, offset=-1)
    assert _titles(session) == ["A", "C", "B"]
    services.session_reading_move(assignment=a, offset=-1)  # already first: stays
    assert _titles(session) == ["A", "C", "B"]
    services.session_reading_remove(assignment=a)
    assert list(session.reading_assignments.order_by("position").values_list("position", flat=True)) == [0, 1]
    assert _titles(session) == ["C", "B"]


def test_applying_a_plan_gives_each_session_the_next_reading_from_the_chosen_one_on(group):
    sessions = weekly_sessions(group, 4)
    readings = [ReadingFactory(title=f"Week {n}") for n in range(1, 4)]
    plan = ReadingPlanFactory(readings=readings)
    applied = services.reading_plan_apply(plan=plan, sessions=sessions[1:])
    assert len(applied.assigned) == 3
    assert _titles(sessions[0]) == []
    assert [_titles(s) for s in sessions[1:]] == [["Week 1"], ["Week 2"], ["Week 3"]]


def test_applying_a_plan_passes_over_cancelled_sessions(group):
    sessions = weekly_sessions(group, 3)
    Session.objects.filter(pk=sessions[1].pk).update(status=Session.Status.CANCELLED)
    sessions[1].refresh_from_db()
    plan = ReadingPlanFactory(readings=[ReadingFactory(title="One"), ReadingFactory(title="Two")])
    services.reading_plan_apply(plan=plan, sessions=sessions)
    assert [_titles(s) for s in sessions] == [["One"], [], ["Two"]]


def test_applying_a_plan_with_replace_removes_earlier_readings_and_without_it_adds_after(group):
    sessions = weekly_sessions(group, 2)
    old = ReadingFactory(title="Old")
    for session in sessions:
        services.session_reading_assign(session=session, reading=old)
    plan = ReadingPlanFactory(readings=[ReadingFactory(title="New 1"), ReadingFactory(title="New 2")])
    services.reading_plan_apply(plan=plan, sessions=sessions[:1])
    assert _titles(sessions[0]) == ["Old", "New 1"]
    services.reading_plan_apply(plan=plan, sessions=sessions, replace=True)
    assert [_titles(s) for s in sessions] == [["New 1"], ["New 2"]]


def test_applying_a_plan_twice_does_not_duplicate(group):
    sessions = weekly_sessions(group, 2)
    plan = ReadingPlanFactory(readings=[ReadingFactory(), ReadingFactory()])
    services.reading_plan_apply(plan=plan, sessions=sessions)
    again = services.reading_plan_apply(plan=plan, sessions=sessions)
    assert again.assigned == []
    assert SessionReading.objects.count() == 2


def test_applying_a_plan_reports_what_did_not_fit_and_skips_withdrawn_readings(group):
    sessions = weekly_sessions(group, 2)
    withdrawn = ReadingFactory(title="Withdrawn", is_published=False)
    plan = ReadingPlanFactory(
        readings=[ReadingFactory(title="A"), withdrawn, ReadingFactory(title="B"), ReadingFactory()]
    )
    applied = services.reading_plan_apply(plan=plan, sessions=sessions)
    assert [_titles(s) for s in sessions] == [["A"], ["B"]]
    assert applied.unused_readings == 1


def test_a_plan_is_saved_in_order_and_can_be_rewritten(owner):
    a, b, c = ReadingFactory(), ReadingFactory(), ReadingFactory()
    plan = services.reading_plan_save(
        plan=None, title="Ten weeks", description="", readings=[b, a], user=owner
    )
    assert plan.slug == "ten-weeks"
    assert plan.created_by == owner
    assert [i.reading for i in plan.items.order_by("position")] == [b, a]
    services.reading_plan_save(
        plan=plan, title="Ten weeks", description="Revised", readings=[c, b, a], user=owner
    )
    assert [i.reading for i in plan.items.order_by("position")] == [c, b, a]
    other = services.reading_plan_save(plan=None, title="Ten weeks", description="", readings=[a], user=owner)
    assert other.slug == "ten-weeks-2"
    with pytest.raises(ValidationError):
        services.reading_plan_save(plan=None, title="Empty", description="", readings=[], user=owner)
    assert ReadingPlan.objects.count() == 2


def test_publishing_records_each_change_in_the_history():
    readings = [ReadingFactory(is_published=False), ReadingFactory(is_published=True)]
    count, not_ready = services.readings_publish(
        readings=Reading.objects.filter(pk__in=[r.pk for r in readings]), published=True
    )
    assert (count, not_ready) == (1, [])
    assert readings[0].history.first().is_published is True
    assert readings[0].history.count() == 2


def test_a_reading_without_a_content_note_or_prompts_is_not_published():
    draft = ReadingFactory(is_published=False, content_note="", prompts="Only one prompt")
    count, not_ready = services.readings_publish(readings=[draft], published=True)
    assert (count, not_ready) == (0, [draft])
    draft.refresh_from_db()
    assert draft.is_published is False
    problems = services.reading_publish_problems(content_note="", prompts="One", summary="")
    assert len(problems) == 3


def test_moving_a_reading_renumbers_its_source():
    first = ReadingFactory(title="First", position=0)
    second = ReadingFactory(title="Second", position=1, source=first.source)
    third = ReadingFactory(title="Third", position=2, source=first.source)
    services.reading_move(reading=third, offset=-2)
    ordered = list(
        Reading.objects.filter(source=first.source).order_by("position").values_list("title", flat=True)
    )
    assert ordered == ["Third", "First", "Second"]
    assert second.pk
