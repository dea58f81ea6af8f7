"""The accessibility statement: a member page (quick exit, no cookie, no-store),
linked from the footer of every layout, with the contact an admin sets."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from groups.models import AccessibilityStatement

pytestmark = pytest.mark.django_db

URL = "/accessibility"


def test_it_is_a_member_page_that_says_what_a_reader_needs(client):
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"] and not response.cookies
    assert 'id="quick-exit"' in page
    for heading in ("How accessible it is", "What we know is not yet right", "How we checked"):
        assert heading in page
    assert "WCAG" in page and "Sun 6 Dec 2026" in page
    # No contact set yet: members are told who to tell instead.
    assert "Tell your group's facilitator" in page


def test_the_contact_and_the_date_an_admin_sets_are_shown(client, admin_user):
    client.force_login(admin_user)
    listing = client.get(reverse("admin:groups_accessibilitystatement_changelist"))
    assert listing.status_code == HTTPStatus.FOUND
    response = client.post(
        listing["Location"], {"contact": "access@charity.example, 0300 123 4567", "checked_on": "2027-01-15"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert AccessibilityStatement.objects.get().contact.startswith("access@charity.example")
    client.logout()
    page = client.get(URL).content.decode()
    assert 'href="mailto:access@charity.example"' in page and "0300 123 4567" in page
    assert "Fri 15 Jan 2027" in page


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (None, "/c/"),
        (None, "/help"),
        ("owner", "/"),
        ("owner", "/groups/"),
        (None, "/accounts/login/"),
        ("admin_user", "/admin/"),
    ],
)
def test_every_layout_links_to_it_from_its_footer(client, role, path, request):
    if role:
        client.force_login(request.getfixturevalue(role))
    page = client.get(path, follow=True).content.decode()
    footer = page[page.rindex("<footer") :]
    assert f'href="{URL}"' in footer, path
