from http import HTTPStatus

import pytest
from django.urls import reverse

from content.models import ReadingPlan, SessionReading
from groups.models import Session
from tests.content.support import weekly_sessions
from tests.factories import ReadingFactory, ReadingPlanFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(group):
    return weekly_sessions(group, 1)[0]


def test_the_library_lists_published_readings_and_filters_by_text_and_theme(client, owner):
    theme = ThemeFactory(name="Withdrawal and missing them", slug="withdrawal")
    ReadingFactory(title="Withdrawal", passage="memories pop back", themes=[theme])
    ReadingFactory(title="The push and pull", passage="breadcrumbs")
    ReadingFactory(title="A draft", is_published=False)
    client.force_login(owner)
    url = reverse("content:reading_list")
    body = client.get(url).content.decode()
    assert "Withdrawal" in body and "The push and pull" in body and "A draft" not in body
    body = client.get(url, {"q": "breadcrumbs"}).content.decode()
    assert "The push and pull" in body and "memories" not in body
    body = client.get(url, {"theme": "withdrawal"}).content.decode()
    assert "Withdrawal" in body and "The push and pull" not in body
    assert "From an unsigned article." in body  # the source's credit line
    response = client.get(url, {"theme": "<nonsense>"})
    assert response.status_code == HTTPStatus.OK
    assert "showing every reading" in response.content.decode()


def test_a_reading_shows_its_passage_prompts_content_note_and_credit(client, owner):
    reading = ReadingFactory(
        title="Withdrawal",
        passage="The cycle of abuse does not end when the abuser walks away.",
        prompts="What helps you through?\nWho can you call?",
        content_note="Describes intrusive memories.",
    )
    client.force_login(owner)
    body = client.get(reverse("content:reading_detail", kwargs={"slug": reading.slug})).content.decode()
    assert "<p>The cycle of abuse does not end when the abuser walks away.</p>" in body
    assert "<li>What helps you through?</li>" in body and "<li>Who can you call?</li>" in body
    assert "Describes intrusive memories." in body
    assert reading.source.credit_line in body


def test_an_unpublished_reading_is_not_found_in_the_library(client, owner):
    reading = ReadingFactory(is_published=False)
    client.force_login(owner)
    response = client.get(reverse("content:reading_detail", kwargs={"slug": reading.slug}))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_facilitator_assigns_a_reading_with_a_note(client, cofacilitator, session):
    reading = ReadingFactory(title="The hardest truth")
    client.force_login(cofacilitator)
    response = client.post(
        reverse("content:session_reading_add", kwargs={"session_id": session.pk}),
        {"reading": reading.pk, "note": "Give people time after this one."},
    )
    assert response.status_code == HTTPStatus.FOUND
    assignment = SessionReading.objects.get(session=session)
    assert (assignment.reading, assignment.note) == (reading, "Give people time after this one.")
    body = client.get(response["Location"]).content.decode()
    assert "The hardest truth" in body and "Give people time after this one." in body


def test_assigning_without_a_reading_says_why_and_keeps_the_note(client, owner, session):
    client.force_login(owner)
    response = client.post(
        reverse("content:session_reading_add", kwargs={"session_id": session.pk}),
        {"reading": "", "note": "My careful note"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert "This field is required." in body
    assert "My careful note" in body
    assert not SessionReading.objects.exists()


def test_assigning_the_same_reading_twice_says_so(client, owner, session):
    reading = ReadingFactory(title="Twice")
    SessionReading.objects.create(session=session, reading=reading)
    client.force_login(owner)
    response = client.post(
        reverse("content:session_reading_add", kwargs={"session_id": session.pk}), {"reading": reading.pk}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "already assigned" in response.content.decode()


def test_an_outsider_cannot_assign_to_another_groups_session(client, outsider, session):
    client.force_login(outsider)
    response = client.post(
        reverse("content:session_reading_add", kwargs={"session_id": session.pk}),
        {"reading": ReadingFactory().pk},
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not SessionReading.objects.exists()


def test_an_outsider_cannot_change_another_groups_assignment(client, outsider, session):
    assignment = SessionReading.objects.create(session=session, reading=ReadingFactory(), note="Mine")
    client.force_login(outsider)
    for name, data in (
        ("content:assignment_update", {f"a{assignment.pk}-note": "Theirs"}),
        ("content:assignment_move", {"direction": "up"}),
        ("content:assignment_remove", {}),
    ):
        response = client.post(reverse(name, kwargs={"assignment_id": assignment.pk}), data)
        assert response.status_code == HTTPStatus.NOT_FOUND, name
    assignment.refresh_from_db()
    assert assignment.note == "Mine"


def test_a_facilitator_edits_a_note_reorders_and_removes(client, owner, session):
    a = SessionReading.objects.create(session=session, reading=ReadingFactory(title="A"), position=0)
    b = SessionReading.objects.create(session=session, reading=ReadingFactory(title="B"), position=1)
    client.force_login(owner)
    client.post(
        reverse("content:assignment_update", kwargs={"assignment_id": a.pk}), {f"a{a.pk}-note": "Slowly"}
    )
    a.refresh_from_db()
    assert a.note == "Slowly"
    client.post(reverse("content:assignment_move", kwargs={"assignment_id": b.pk}), {"direction": "up"})
    assert list(
        session.reading_assignments.order_by("position").values_list("reading__title", flat=True)
    ) == [
        "B",
        "A",
    ]
    client.post(reverse("content:assignment_remove", kwargs={"assignment_id": b.pk}))
    assert list(session.reading_assignments.values_list("reading__title", flat=True)) == ["A"]


def test_a_note_that_is_too_long_is_refused_with_a_message(client, owner, session):
    a = SessionReading.objects.create(session=session, reading=ReadingFactory(), note="Short")
    client.force_login(owner)
    response = client.post(
        reverse("content:assignment_update", kwargs={"assignment_id": a.pk}),
        {f"a{a.pk}-note": "x" * 2001},
        follow=True,
    )
    assert response.status_code == HTTPStatus.OK
    assert "could not be saved" in response.content.decode()
    a.refresh_from_db()
    assert a.note == "Short"


def test_the_session_page_shows_what_members_will_see(client, owner, session):
    SessionReading.objects.create(
        session=session, reading=ReadingFactory(content_note="Mentions ghosting."), note="Private"
    )
    client.force_login(owner)
    body = client.get(reverse("content:session_readings", kwargs={"session_id": session.pk})).content.decode()
    member_part = body.split("What members will see", 1)[1]
    assert "Mentions ghosting." in member_part
    assert "Private" not in member_part


def test_a_facilitator_previews_and_applies_a_plan_from_a_session_onward(client, owner, group):
    sessions = weekly_sessions(group, 3)
    plan = ReadingPlanFactory(readings=[ReadingFactory(title="Week one"), ReadingFactory(title="Week two")])
    client.force_login(owner)
    url = reverse("content:session_plan_apply", kwargs={"session_id": sessions[1].pk})
    body = client.get(url, {"plan": plan.pk}).content.decode()
    assert "Week one" in body and "Week two" in body
    response = client.post(url, {"plan": plan.pk})
    assert response.status_code == HTTPStatus.FOUND
    assert [list(s.reading_assignments.values_list("reading__title", flat=True)) for s in sessions] == [
        [],
        ["Week one"],
        ["Week two"],
    ]


def test_applying_an_unknown_plan_is_a_clear_error_not_a_crash(client, owner, session):
    client.force_login(owner)
    response = client.post(
        reverse("content:session_plan_apply", kwargs={"session_id": session.pk}), {"plan": 999}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Select a valid choice" in response.content.decode()


def test_an_outsider_cannot_apply_a_plan_to_another_groups_sessions(client, outsider, session):
    plan = ReadingPlanFactory(readings=[ReadingFactory()])
    client.force_login(outsider)
    response = client.post(
        reverse("content:session_plan_apply", kwargs={"session_id": session.pk}), {"plan": plan.pk}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not SessionReading.objects.exists()


def test_a_facilitator_creates_a_plan_in_order(client, cofacilitator):
    a, b = ReadingFactory(title="A"), ReadingFactory(title="B")
    client.force_login(cofacilitator)
    response = client.post(
        reverse("content:plan_create"),
        {"title": "Two weeks", "description": "Short run", "step_1": b.pk, "step_3": a.pk},
    )
    plan = ReadingPlan.objects.get()
    assert response["Location"] == reverse("content:plan_detail", kwargs={"pk": plan.pk})
    assert [i.reading.title for i in plan.items.order_by("position")] == ["B", "A"]
    assert plan.created_by == cofacilitator


def test_a_plan_without_readings_is_refused_and_keeps_what_was_typed(client, owner):
    client.force_login(owner)
    response = client.post(reverse("content:plan_create"), {"title": "My careful title", "description": ""})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert "Choose at least one reading" in body and "My careful title" in body
    assert not ReadingPlan.objects.exists()


def test_the_author_edits_a_plan_and_a_co_facilitator_may_not(client, owner, cofacilitator):
    a, b = ReadingFactory(), ReadingFactory()
    plan = ReadingPlanFactory(created_by=owner, readings=[a])
    url = reverse("content:plan_edit", kwargs={"pk": plan.pk})
    client.force_login(cofacilitator)
    assert client.post(url, {"title": "Hijacked", "step_1": b.pk}).status_code == HTTPStatus.FORBIDDEN
    client.force_login(owner)
    assert f'value="{a.pk}" selected' in client.get(url).content.decode()
    client.post(url, {"title": "Renamed", "step_1": b.pk, "step_2": a.pk})
    plan.refresh_from_db()
    assert plan.title == "Renamed"
    assert [i.reading for i in plan.items.order_by("position")] == [b, a]


def test_deleting_a_plan_keeps_readings_already_assigned(client, owner, session):
    reading = ReadingFactory()
    plan = ReadingPlanFactory(created_by=owner, readings=[reading])
    SessionReading.objects.create(session=session, reading=reading)
    client.force_login(owner)
    client.post(reverse("content:plan_delete", kwargs={"pk": plan.pk}))
    assert not ReadingPlan.objects.exists()
    assert SessionReading.objects.filter(session=session).exists()


def test_the_sessions_overview_lists_upcoming_sessions_of_my_groups_only(client, owner, outsider, group):
    mine = weekly_sessions(group, 1)[0]
    theirs = weekly_sessions(outsider.facilitated_groups.get(), 1)[0]
    cancelled = weekly_sessions(group, 1, first_in_days=20)[0]
    Session.objects.filter(pk=cancelled.pk).update(status=Session.Status.CANCELLED)
    SessionReading.objects.create(session=mine, reading=ReadingFactory(title="Assigned here"))
    client.force_login(owner)
    body = client.get(reverse("content:session_list")).content.decode()
    assert reverse("content:session_readings", kwargs={"session_id": mine.pk}) in body
    assert reverse("content:session_readings", kwargs={"session_id": theirs.pk}) not in body
    assert reverse("content:session_readings", kwargs={"session_id": cancelled.pk}) not in body
    assert "Assigned here" in body


def test_editing_a_long_plan_keeps_every_reading_and_offers_room_to_grow(client, admin_user):
    readings = [ReadingFactory(title=f"Part {n}") for n in range(20)]
    plan = ReadingPlanFactory(readings=readings)
    client.force_login(admin_user)
    url = reverse("content:plan_edit", kwargs={"pk": plan.pk})
    form = client.get(url).context["form"]
    assert len(form.step_fields) == 24
    data = {
        "title": plan.title,
        **{f"step_{n + 1}": r.pk for n, r in enumerate(readings)},
        "step_24": readings[0].pk,
    }
    client.post(url, data)
    assert plan.items.count() == 21


def test_a_reading_page_offers_my_upcoming_sessions_and_marks_where_it_is_assigned(client, owner, group):
    reading = ReadingFactory()
    assigned, free = weekly_sessions(group, 2)
    SessionReading.objects.create(session=assigned, reading=reading)
    client.force_login(owner)
    body = client.get(reverse("content:reading_detail", kwargs={"slug": reading.slug})).content.decode()
    assert reverse("content:session_reading_add", kwargs={"session_id": free.pk}) in body
    assert reverse("content:session_reading_add", kwargs={"session_id": assigned.pk}) not in body
    assert "already assigned" in body


def test_a_plan_can_be_applied_to_the_sessions_series_only(client, owner, group):
    from groups.models import SessionSeries

    series = SessionSeries.objects.create(
        group=group,
        frequency="weekly",
        rrule="FREQ=WEEKLY;COUNT=2",
        first_date="2026-01-06",
        start_time="19:00",
        count=2,
    )
    sessions = weekly_sessions(group, 3)
    Session.objects.filter(pk__in=[sessions[0].pk, sessions[1].pk]).update(series=series)
    plan = ReadingPlanFactory(readings=[ReadingFactory(), ReadingFactory(), ReadingFactory()])
    client.force_login(owner)
    url = reverse("content:session_plan_apply", kwargs={"session_id": sessions[0].pk})
    body = client.get(url, {"plan": plan.pk, "only_series": "on"}).content.decode()
    assert 'name="only_series" value="on"' in body
    client.post(url, {"plan": plan.pk, "only_series": "on"})
    assert [s.reading_assignments.count() for s in sessions] == [1, 1, 0]


@pytest.mark.parametrize("name", ["content:reading_list", "content:session_list", "content:plan_list"])
def test_library_pages_make_the_same_number_of_queries_for_more_rows(client, owner, group, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)

    def add_rows(n: int) -> None:
        for session in weekly_sessions(group, n, first_in_days=1 + len(Session.objects.all())):
            for position in range(2):
                reading = ReadingFactory(themes=[ThemeFactory()])
                SessionReading.objects.create(session=session, reading=reading, position=position)
            ReadingPlanFactory(readings=[reading])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == HTTPStatus.OK
        return len(queries)

    add_rows(2)
    few = count()
    add_rows(6)
    assert count() == few


def test_facilitators_keep_a_note_per_session_that_members_never_see(
    client, owner, cofacilitator, outsider, session
):
    SessionReading.objects.create(session=session, reading=ReadingFactory())
    url = reverse("content:session_note_update", kwargs={"session_id": session.pk})
    client.force_login(owner)
    client.post(url, {"text": "  Bring printed copies; start with a grounding exercise.  "})
    client.force_login(cofacilitator)
    body = client.get(reverse("content:session_readings", kwargs={"session_id": session.pk})).content.decode()
    assert "Bring printed copies; start with a grounding exercise." in body
    assert "Bring printed copies" not in body.split("What members will see", 1)[1]
    member = client.get(reverse("groups:member_group", args=[session.group.member_token])).content.decode()
    assert "Bring printed copies" not in member
    client.force_login(outsider)
    assert client.post(url, {"text": "Overwritten"}).status_code == HTTPStatus.NOT_FOUND
    assert session.facilitator_note.text == "Bring printed copies; start with a grounding exercise."


def test_a_session_note_that_is_too_long_is_refused_and_kept_for_editing(client, owner, session):
    client.force_login(owner)
    text = "word " * 900
    response = client.post(
        reverse("content:session_note_update", kwargs={"session_id": session.pk}), {"text": text}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert "Ensure this value has at most 4000 characters" in body
    assert "word word word" in body


def test_the_library_search_box_is_a_search_box(client, owner):
    from html.parser import HTMLParser

    class Inputs(HTMLParser):
        found: list[list[tuple[str, str | None]]] = []

        def handle_starttag(self, tag, attrs):
            if tag == "input" and ("name", "q") in attrs:
                self.found.append(attrs)

    client.force_login(owner)
    parser = Inputs()
    parser.feed(client.get(reverse("content:reading_list"), {"q": "pull"}).content.decode())

    (attrs,) = parser.found
    # One type attribute: with two, browsers keep the first ("text").
    assert [value for name, value in attrs if name == "type"] == ["search"]
    assert ("value", "pull") in attrs
