"""What a facilitator's inbox and calendar show: by default nothing of the topic and
nothing private (a neutral label, the time, the place, a link behind sign-in); the
group's name and readings only if the facilitator chose them; their note never."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from content.models import SessionNote
from facilitator.models import AuditEntry
from groups import services
from groups.models import FacilitatorPreference
from groups.services import reminders_send_due
from tests.factories import GroupFactory, ReadingFactory, SessionFactory

pytestmark = pytest.mark.django_db

GROUP_NAME = "Trauma bond recovery"
READING = "What a trauma bond is"
NOTE = "Sam may talk about the court date; check in with her first."


@pytest.fixture
def sensitive(owner, settings):
    settings.SITE_URL = "https://groups.example"
    group = GroupFactory(name=GROUP_NAME, owner=owner)
    # A Tuesday at 19:00 on the group's wall clock, within the next week.
    start = timezone.localtime(timezone.now() + timedelta(days=2), group.tzinfo).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    session = SessionFactory(group=group, starts_at=start)
    session.reading_assignments.create(reading=ReadingFactory(title=READING), position=0)
    SessionNote.objects.create(session=session, text=NOTE)
    return session


def _opt_in(user, on: bool = True):
    """Reminders a week ahead (so the session's is due), with or without the details."""
    services.facilitator_preference_get(user=user)
    return services.facilitator_preference_update(
        user=user, reminders_enabled=True, reminder_hours_before=168, details_by_mail=on
    )


def _reminder(user):
    if not FacilitatorPreference.objects.filter(user=user).exists():
        _opt_in(user, on=False)
    reminders_send_due()
    return next(message for message in mail.outbox if message.to == [user.email])


def _words(text: str) -> str:
    return text.lower()


def test_by_default_the_reminder_holds_nothing_of_the_topic(sensitive, owner):
    message = _reminder(owner)
    label = f"{sensitive.local_start:%A} group"
    for part in (message.subject, message.body):
        assert "trauma" not in _words(part) and "recovery" not in _words(part)
        assert NOTE not in part and "court" not in part
    assert message.subject.startswith(f"Reminder: {label}")
    assert "19:00" in message.subject
    assert f"https://groups.example/sessions/{sensitive.pk}/" in message.body
    assert sensitive.group.location in message.body


def test_a_neutral_label_the_facilitator_set_is_used(sensitive, owner):
    sensitive.group.member_label = "Thursday circle"
    sensitive.group.save()
    message = _reminder(owner)
    assert message.subject.startswith("Reminder: Thursday circle")


def test_with_the_choice_made_the_reminder_names_the_group_and_readings_but_never_the_note(sensitive, owner):
    _opt_in(owner)
    message = _reminder(owner)
    assert GROUP_NAME in message.subject
    assert GROUP_NAME in message.body and READING in message.body
    assert NOTE not in message.body and "court" not in message.body


def test_the_facilitators_feed_is_neutral_by_default(client, sensitive, owner):
    preference = services.facilitator_preference_get(user=owner)
    feed = client.get(reverse("groups:facilitator_feed", args=[preference.calendar_token])).content.decode()
    unfolded = feed.replace("\r\n ", "")
    assert "trauma" not in unfolded.lower() and "recovery" not in unfolded.lower()
    assert NOTE not in unfolded and "court" not in unfolded
    assert f"SUMMARY:{sensitive.local_start:%A} group" in unfolded
    assert f"https://groups.example/sessions/{sensitive.pk}/" in unfolded


def test_with_the_choice_made_the_feed_names_the_group_and_readings_but_never_the_note(
    client, sensitive, owner
):
    preference = _opt_in(owner)
    feed = client.get(reverse("groups:facilitator_feed", args=[preference.calendar_token])).content.decode()
    unfolded = feed.replace("\r\n ", "")
    assert f"SUMMARY:{GROUP_NAME}" in unfolded and READING in unfolded
    assert NOTE not in unfolded and "court" not in unfolded


def test_the_invitation_says_nothing_of_the_topic(admin_user):
    from facilitator import services as account_services

    invitation = account_services.invitation_create(email="new@example.org", invited_by=admin_user)
    account_services.invitation_send(invitation_id=invitation.pk)
    message = mail.outbox[-1]
    for part in (message.subject, message.body):
        assert not {"trauma", "abuse", "recovery", "survivor"} & set(_words(part).split())


def test_the_choice_is_made_on_the_settings_page_after_saying_what_it_means(client, owner):
    client.force_login(owner)
    url = reverse("groups:reminder_settings")
    page = client.get(url).content.decode()
    assert "Put group names and readings in my reminder emails and calendar feed" in page
    assert "lock screen" in page and "never sent" in page
    response = client.post(
        url, {"reminders_enabled": "on", "reminder_hours_before": "24", "details_by_mail": "on"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert FacilitatorPreference.objects.get(user=owner).details_by_mail
    entry = AuditEntry.objects.get(action="facilitator.mail_details_changed")
    assert entry.actor_id == owner.pk and entry.ids == {"details_by_mail": 1}
    client.post(url, {"reminders_enabled": "on", "reminder_hours_before": "24"})
    assert not FacilitatorPreference.objects.get(user=owner).details_by_mail


def test_a_flood_held_for_review_is_something_to_look_at_never_what(group, owner, settings):
    from groups.checkins import services as checkin_services
    from groups.checkins.models import CheckinWindow
    from tests.checkins.helpers import open_window

    settings.SITE_URL = "https://groups.example"
    window = open_window(group)
    checkin_services.window_close(window=window)
    CheckinWindow.objects.filter(pk=window.pk).update(review_reason=CheckinWindow.ReviewReason.RATE)
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    reminders_send_due()
    body = next(message for message in mail.outbox if message.to == [owner.email]).body
    assert "Before this session, please sign in and read what is waiting for you" in body
    assert "flood" not in body.lower() and "review" not in body.lower()
