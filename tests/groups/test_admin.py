from http import HTTPStatus

import pytest
from django.urls import reverse

from groups.models import Group, HelpResource, Session
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def test_an_admin_edits_a_help_resource_and_members_see_the_change(login, admin_user, client):
    resource = HelpResource.objects.get(name="Samaritans")
    admin = login(admin_user)

    response = admin.post(
        reverse("admin:groups_helpresource_change", args=[resource.pk]),
        {
            "name": "Samaritans",
            "country_code": "gb",
            "phone": "116 123",
            "text_line": "",
            "website": "https://www.samaritans.org/",
            "hours": "Day and night, every day",
            "description": "",
            "order": 5,
            "active": "on",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    resource.refresh_from_db()
    assert resource.country_code == "GB"
    client.logout()
    html = client.get(reverse("groups:member_help")).content.decode()
    assert "Day and night, every day" in html
    assert html.index("Samaritans") < html.index("National Domestic Abuse Helpline")


@pytest.mark.parametrize(
    "name",
    [
        "admin:groups_helpresource_changelist",
        "admin:groups_session_changelist",
        "admin:groups_reminder_changelist",
        "admin:groups_facilitatorpreference_changelist",
        "admin:groups_group_changelist",
    ],
)
def test_the_groups_admin_pages_open_for_an_admin(login, admin_user, group, name):
    SessionFactory(group=group)

    assert login(admin_user).get(reverse(name)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("model", ["group", "session"])
def test_an_admin_cannot_delete_a_group_or_a_session(login, admin_user, group, model):
    session = SessionFactory(group=group)
    obj = {"group": group, "session": session}[model]
    admin = login(admin_user)

    url = reverse(f"admin:groups_{model}_delete", args=[obj.pk])
    assert admin.get(url).status_code == HTTPStatus.FORBIDDEN
    assert admin.post(url, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN

    assert Group.objects.filter(pk=group.pk).exists()
    assert Session.objects.filter(pk=session.pk).exists()


@pytest.mark.parametrize("model", ["group", "session"])
def test_the_change_list_offers_no_delete_action_and_points_to_archiving(login, admin_user, group, model):
    session = SessionFactory(group=group)
    admin = login(admin_user)

    response = admin.get(reverse(f"admin:groups_{model}_changelist"))
    actions = (
        response.context["action_form"].fields["action"].choices if response.context["action_form"] else []
    )
    assert "delete_selected" not in [name for name, _label in actions]
    html = response.content.decode()
    assert "delete_selected" not in html
    assert ("archived, never deleted" if model == "group" else "cancelled, never deleted") in html

    obj = {"group": group, "session": session}[model]
    change = admin.get(reverse(f"admin:groups_{model}_change", args=[obj.pk])).content.decode()
    assert "never deleted" in change
    assert reverse(f"admin:groups_{model}_delete", args=[obj.pk]) not in change


def test_a_bulk_delete_posted_to_the_change_list_deletes_nothing(login, admin_user, group):
    admin = login(admin_user)

    admin.post(
        reverse("admin:groups_group_changelist"),
        {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"},
    )

    assert Group.objects.filter(pk=group.pk).exists()


def test_an_admin_archives_a_group_from_the_change_list(login, admin_user, group):
    admin = login(admin_user)

    response = admin.post(
        reverse("admin:groups_group_changelist"),
        {"action": "archive_selected", "_selected_action": [group.pk]},
        follow=True,
    )

    group.refresh_from_db()
    assert group.archived_at is not None
    assert "1 group archived." in response.content.decode()


def test_the_group_change_list_filters_active_and_archived_groups(login, admin_user, group, owner):
    from tests.factories import GroupFactory

    archived = GroupFactory(name="Old Monday group", owner=owner)
    admin = login(admin_user)
    admin.post(
        reverse("admin:groups_group_changelist"),
        {"action": "archive_selected", "_selected_action": [archived.pk]},
    )

    def listed(state: str) -> list[str]:
        response = admin.get(reverse("admin:groups_group_changelist"), {"state": state})
        return sorted(g.name for g in response.context["cl"].result_list)

    assert listed("active") == ["Tuesday group"]
    assert listed("archived") == ["Old Monday group"]


def test_the_reminder_list_shows_and_filters_the_reminders_given_up_on(login, admin_user, group):
    from datetime import timedelta

    from django.utils import timezone

    from groups.models import Reminder

    given_up, pending = SessionFactory(group=group), SessionFactory(group=group)
    due = timezone.now() - timedelta(hours=1)
    Reminder.objects.create(
        session=given_up,
        user=admin_user,
        session_starts_at=given_up.starts_at,
        due_at=due,
        attempts=4,
        failed_at=due,
        last_error="SMTPServerDisconnected",
    )
    Reminder.objects.create(session=pending, user=admin_user, session_starts_at=pending.starts_at, due_at=due)
    admin = login(admin_user)

    url = reverse("admin:groups_reminder_changelist")
    html = admin.get(url, {"failed_at__isempty": "0"}).content.decode()

    assert "SMTPServerDisconnected" in html and "Given up" in html
    assert "SMTPServerDisconnected" not in admin.get(url, {"failed_at__isempty": "1"}).content.decode()
