import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from facilitator.models import AuditEntry
from groups.models import Group, Session
from tests.factories import ReadingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _day(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).date().isoformat()


def test_creating_a_group_makes_the_creator_its_owner_and_goes_on_to_scheduling(login, outsider):
    client = login(outsider)

    response = client.post(
        reverse("groups:group_create"),
        {
            "name": "Wednesday circle",
            "member_label": "Wednesday group",
            "timezone": "America/New_York",
            "meeting_mode": "online",
            "call_link": "https://call.example/abc",
        },
    )

    group = Group.objects.get(name="Wednesday circle")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("groups:session_create", args=[group.pk])
    assert group.facilitator_links.get().user == outsider


def test_a_group_form_with_mistakes_explains_them_and_keeps_what_was_typed(login, owner):
    client = login(owner)

    response = client.post(
        reverse("groups:group_create"),
        {"name": "Evening group", "timezone": "Mars/Olympus", "meeting_mode": "in_person", "location": ""},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert 'value="Evening group"' in html
    assert "Say where the group meets." in html
    assert "Select a valid choice" in html
    assert not Group.objects.filter(name="Evening group").exists()


def test_scheduling_a_series_from_the_form(login, owner, group):
    client = login(owner)

    response = client.post(
        reverse("groups:session_create", args=[group.pk]),
        {
            "first_day": _day(3),
            "start_time": "19:00",
            "duration_minutes": 90,
            "frequency": "weekly",
            "count": 10,
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    assert group.sessions.count() == 10
    assert {s.local_start.strftime("%H:%M") for s in group.sessions.select_related("group")} == {"19:00"}


def test_a_session_form_in_the_past_or_without_a_count_says_so(login, owner, group):
    client = login(owner)

    response = client.post(
        reverse("groups:session_create", args=[group.pk]),
        {
            "first_day": _day(-3),
            "start_time": "19:00",
            "duration_minutes": 90,
            "frequency": "weekly",
            "count": "",
        },
    )

    html = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The first session must be in the future." in html
    assert "How many sessions should the series have?" in html
    assert group.sessions.count() == 0


def test_moving_a_session_from_its_page(login, cofacilitator, group):
    session = SessionFactory(group=group)
    client = login(cofacilitator)

    response = client.post(
        reverse("groups:session_move", args=[session.pk]),
        {"move-new_day": _day(5), "move-new_time": "10:15", "move-duration_minutes": 60, "move-scope": "one"},
    )

    session.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert session.local_start.strftime("%H:%M") == "10:15"
    assert session.sequence == 1


def test_moving_a_session_into_the_past_is_refused_with_a_message(login, owner, group):
    session = SessionFactory(group=group)

    response = login(owner).post(
        reverse("groups:session_move", args=[session.pk]),
        {
            "move-new_day": _day(-2),
            "move-new_time": "10:15",
            "move-duration_minutes": 60,
            "move-scope": "one",
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "Choose a time in the future." in html
    # A valid date and time that was refused stays in the pickers.
    assert f'name="move-new_day" value="{_day(-2)}"' in html
    assert 'name="move-new_time" value="10:15"' in html


def test_an_outsider_cannot_touch_another_groups_session(login, outsider, group):
    session = SessionFactory(group=group)
    client = login(outsider)

    assert client.get(reverse("groups:session_detail", args=[session.pk])).status_code == HTTPStatus.NOT_FOUND
    response = client.post(reverse("groups:session_cancel", args=[session.pk]), {"cancel-scope": "one"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    session.refresh_from_db()
    assert not session.is_cancelled


def test_a_co_facilitator_may_not_add_facilitators_or_archive(login, cofacilitator, outsider, group):
    client = login(cofacilitator)

    add = client.post(reverse("groups:cofacilitator_add", args=[group.pk]), {"email": outsider.email})
    archive = client.post(reverse("groups:group_archive", args=[group.pk]))

    assert add.status_code == HTTPStatus.FORBIDDEN
    assert archive.status_code == HTTPStatus.FORBIDDEN
    group.refresh_from_db()
    assert not group.is_archived
    assert group.facilitator_links.count() == 2


def test_adding_an_unknown_co_facilitator_shows_why_on_the_group_page(login, owner, group):
    response = login(owner).post(
        reverse("groups:cofacilitator_add", args=[group.pk]), {"email": "who@example.org"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "There is no facilitator account with that email address" in response.content.decode()
    assert 'value="who@example.org"' in response.content.decode()


def test_rotating_the_member_link_stops_the_old_one_at_once(login, client, owner, group):
    old_url = reverse("groups:member_group", args=[group.member_token])
    assert client.get(old_url).status_code == HTTPStatus.OK

    login(owner).post(reverse("groups:member_token_rotate", args=[group.pk]))
    client.logout()

    group.refresh_from_db()
    assert client.get(old_url).status_code == HTTPStatus.NOT_FOUND
    assert client.get(reverse("groups:member_group", args=[group.member_token])).status_code == HTTPStatus.OK
    assert AuditEntry.objects.filter(action="group.member_token_rotated", actor_id=owner.pk).exists()


def test_the_member_page_shows_times_places_cancellations_and_readings(client, group):
    group.member_label = "Tuesday group"
    group.save()
    on = SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=2))
    off = SessionFactory(
        group=group, starts_at=timezone.now() + timedelta(days=9), status=Session.Status.CANCELLED
    )
    SessionFactory(group=group, starts_at=timezone.now() - timedelta(days=5))
    on.reading_assignments.create(
        reading=ReadingFactory(title="The push and pull", is_published=True), position=0
    )

    response = client.get(reverse("groups:member_group", args=[group.member_token]))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert html.split("<title>")[1].split("</title>")[0].strip() == "Tuesday group"
    assert on.local_start.strftime("%H:%M") in html
    assert f"{off.local_start:%a} {off.local_start.day} {off.local_start:%b %Y}" in html
    assert "Cancelled" in html
    assert "Community centre, room 2" in html
    assert "The push and pull" in html
    assert html.count('class="session-card') == 2
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_the_member_page_never_shows_the_facilitators_name_for_the_group(client, group):
    group.name = "Trauma bond recovery, north"
    group.save()

    html = client.get(reverse("groups:member_group", args=[group.member_token])).content.decode()

    assert "Trauma" not in html
    assert "alice@example.org" not in html


def test_an_archived_groups_member_link_stops_working(login, client, owner, group):
    login(owner).post(reverse("groups:group_archive", args=[group.pk]))
    client.logout()

    assert (
        client.get(reverse("groups:member_group", args=[group.member_token])).status_code
        == HTTPStatus.NOT_FOUND
    )


def test_recording_a_headcount_after_the_session(login, cofacilitator, group):
    session = SessionFactory(group=group, starts_at=timezone.now() - timedelta(hours=3))

    login(cofacilitator).post(reverse("groups:session_attendance", args=[session.pk]), {"attendance": 9})

    session.refresh_from_db()
    assert session.attendance == 9


def test_a_negative_headcount_is_refused_with_a_message(login, owner, group):
    session = SessionFactory(group=group, starts_at=timezone.now() - timedelta(hours=3))

    response = login(owner).post(reverse("groups:session_attendance", args=[session.pk]), {"attendance": -2})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "greater than or equal to 0" in response.content.decode()


def test_reminder_settings_are_saved_and_bad_values_explained(login, owner):
    client = login(owner)

    bad = client.post(
        reverse("groups:reminder_settings"), {"reminders_enabled": "on", "reminder_hours_before": 0}
    )
    good = client.post(reverse("groups:reminder_settings"), {"reminder_hours_before": 6})

    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert good.status_code == HTTPStatus.FOUND
    preference = owner.session_preferences
    preference.refresh_from_db()
    assert (preference.reminders_enabled, preference.reminder_hours_before) == (False, 6)


def test_the_home_page_lists_next_sessions_and_what_still_needs_readings(login, owner, group, outsider):
    prepared = SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=1))
    prepared.reading_assignments.create(reading=ReadingFactory(), position=0)
    bare = SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=8))
    SessionFactory(group=outsider.facilitated_groups.get())

    response = login(owner).get(reverse("home"))

    html = response.content.decode()
    next_sessions, to_prepare = html.split('id="prepare-heading"')
    assert f'href="{reverse("groups:session_detail", args=[prepared.pk])}"' in next_sessions
    assert f'href="{reverse("groups:session_detail", args=[bare.pk])}"' in next_sessions
    assert reverse("content:session_readings", args=[bare.pk]) in to_prepare
    assert reverse("content:session_readings", args=[prepared.pk]) not in to_prepare
    assert "Charlie" not in html
    assert reverse("groups:group_detail", args=[group.pk]) in html


def test_the_home_page_flags_a_session_whose_check_in_will_not_open(login, owner, group):
    from groups.checkins.services import window_ensure

    session = SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=1))
    session.reading_assignments.create(reading=ReadingFactory(), position=0)
    window = window_ensure(session=session)
    window.open_automatically = False
    window.save()

    html = login(owner).get(reverse("home")).content.decode()

    to_prepare = html.split('id="prepare-heading"')[1]
    assert reverse("checkins:window_manage", args=[session.pk]) in to_prepare
    assert "will not open on its own" in to_prepare


def test_the_group_detail_shows_the_member_link_only_to_the_groups_facilitators(
    login, owner, outsider, group
):
    owner_view = login(owner).get(reverse("groups:group_detail", args=[group.pk]))
    outsider_view = login(outsider).get(reverse("groups:group_detail", args=[group.pk]))

    assert group.member_token in owner_view.content.decode()
    assert outsider_view.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("sessions", [1, 12])
def test_the_member_page_and_feed_take_the_same_queries_however_many_sessions(
    client, group, sessions, django_assert_max_num_queries
):
    for day in range(sessions):
        session = SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=day + 1))
        session.reading_assignments.create(reading=ReadingFactory(is_published=True), position=0)

    page_url = reverse("groups:member_group", args=[group.member_token])
    feed_url = reverse("groups:member_feed", args=[group.member_token])

    with django_assert_max_num_queries(6):
        assert client.get(page_url).status_code == HTTPStatus.OK
    with django_assert_max_num_queries(2):
        assert client.get(feed_url).status_code == HTTPStatus.OK


@pytest.mark.parametrize("groups", [1, 6])
def test_the_home_page_takes_the_same_queries_however_many_groups(
    login, owner, groups, django_assert_max_num_queries
):
    from tests.factories import GroupFactory

    for n in range(groups):
        SessionFactory(group=GroupFactory(owner=owner), starts_at=timezone.now() + timedelta(days=n + 1))
    client = login(owner)

    # Two of them look for safety signals not yet seen (sessions, pooled blocks).
    with django_assert_max_num_queries(10):
        assert client.get(reverse("home")).status_code == HTTPStatus.OK


def test_the_session_page_says_which_series_it_belongs_to(login, owner, group):
    login(owner).post(
        reverse("groups:session_create", args=[group.pk]),
        {
            "first_day": _day(3),
            "start_time": "19:00",
            "duration_minutes": 90,
            "frequency": "fortnightly",
            "count": 6,
        },
    )
    session = group.sessions.first()

    html = login(owner).get(reverse("groups:session_detail", args=[session.pk])).content.decode()

    assert "Part of a series: Every two weeks, 6 sessions." in html


def test_removing_the_owner_as_a_co_facilitator_is_refused_with_a_message(login, owner, group):
    response = login(owner).post(
        reverse("groups:cofacilitator_remove", args=[group.pk, owner.pk]), follow=True
    )

    assert "That person is not a co-facilitator of this group." in response.content.decode()
    assert group.facilitator_links.filter(user=owner, role="owner").exists()


def test_an_old_member_link_explains_itself_in_the_member_layout(client):
    response = client.get(reverse("groups:member_group", args=["no-longer-valid"]))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "This link does not work" in html
    assert 'id="quick-exit"' in html
    assert "Samaritans" in html
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_a_date_or_time_no_picker_could_hold_is_not_put_back_into_the_picker(login, owner, group):
    """Only a script sends these: the message says what is wrong, and the pickers show
    nothing rather than a value that is invalid HTML (the browser would blank it)."""
    session = SessionFactory(group=group)

    response = login(owner).post(
        reverse("groups:session_move", args=[session.pk]),
        {
            "move-new_day": "2027-02-30",
            "move-new_time": "25:00",
            "move-duration_minutes": 60,
            "move-scope": "one",
        },
    )

    html = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert html.count("Enter a valid date.") == 1 and html.count("Enter a valid time.") == 1
    assert re.search(r'<input type="date" name="move-new_day" (?![^>]*value=)', html)
    assert re.search(r'<input type="time" name="move-new_time" (?![^>]*value=)', html)
