from http import HTTPStatus

import pytest
from django.urls import reverse

from groups.models import HelpResource
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
