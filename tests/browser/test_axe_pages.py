"""axe-core on the pages no other browser test checks: the facilitator's group list, a
reading plan's edit form, the members' help page and an unknown member link, and the
admin's reading list and change form."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from content.models import Reading
from content.services import library_load
from groups.services import help_resources_add_defaults
from tests.content.support import weekly_sessions
from tests.factories import AdminFactory, GroupFactory, ReadingPlanFactory, UserFactory

# serialized_rollback: keep the helplines the data migration loaded (see test_member.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sign_in(page, live_server, user) -> None:
    """Reuse a server-side login: the sign-in form and its second factor are tested elsewhere."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_the_group_list_and_a_plans_edit_form_pass_axe(live_server, page, axe_check):
    library_load()
    owner = UserFactory(email="alice@example.org", display_name="Alice")
    group = GroupFactory(name="Tuesday group", owner=owner)
    GroupFactory(name="Thursday evening", owner=owner)
    weekly_sessions(group, 2)
    plan = ReadingPlanFactory(
        title="Two weeks on leaving",
        created_by=owner,
        readings=list(Reading.objects.filter(is_published=True).order_by("position")[:2]),
    )
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/groups/")
    expect(page.get_by_role("link", name="Tuesday group")).to_be_visible()
    axe_check(page)

    page.goto(f"{live_server.url}/library/plans/{plan.pk}/edit/")
    expect(page.get_by_label("Title")).to_have_value("Two weeks on leaving")
    axe_check(page)


def test_the_help_page_and_an_unknown_member_link_pass_axe_on_a_phone(live_server, phone, axe_check):
    help_resources_add_defaults()  # an earlier transactional test flushed the migration's rows

    phone.goto(f"{live_server.url}/help")
    expect(phone.get_by_role("link", name="Leave this site")).to_be_visible()
    axe_check(phone)

    response = phone.goto(f"{live_server.url}/g/not-a-real-token")
    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    axe_check(phone)


def test_the_admins_reading_list_and_change_form_pass_axe(live_server, page, axe_check):
    library_load()
    sign_in(page, live_server, AdminFactory(email="admin@example.org", display_name="Admin"))

    page.goto(f"{live_server.url}/admin/content/reading/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("reading")
    axe_check(page)

    reading = Reading.objects.get(slug="withdrawal")
    page.goto(f"{live_server.url}/admin/content/reading/{reading.pk}/change/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change reading")
    axe_check(page)


def test_the_admins_group_list_with_its_no_delete_hint_passes_axe(live_server, page, axe_check):
    GroupFactory(name="Tuesday group", owner=UserFactory())
    sign_in(page, live_server, AdminFactory(email="admin@example.org", display_name="Admin"))

    page.goto(f"{live_server.url}/admin/groups/group/")
    expect(page.locator(".no-delete-hint")).to_contain_text("archived, never deleted")
    expect(page.get_by_label("Action:")).not_to_contain_text("Delete")
    axe_check(page)
