"""The tab icon: a plain shape, linked from every layout, and /favicon.ico is no 404."""

import re
from http import HTTPStatus

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from tests.checkins.helpers import open_window

pytestmark = pytest.mark.django_db

ICON_LINKS = (
    f'<link rel="icon" href="{static("facilitator/favicon.ico")}" sizes="32x32">',
    f'<link rel="icon" href="{static("facilitator/favicon.svg")}" type="image/svg+xml">',
)


def test_favicon_ico_is_a_lasting_redirect_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == static("facilitator/favicon.ico")
    assert "public" in response["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", response["Cache-Control"])[1]) >= 86400


def test_the_icons_are_our_own_files_and_carry_no_words():
    ico = finders.find("facilitator/favicon.ico")
    svg = finders.find("facilitator/favicon.svg")
    assert ico and svg
    with open(ico, "rb") as f:
        assert f.read(4) == b"\x00\x00\x01\x00"  # an icon file
    with open(svg, encoding="utf-8") as f:
        drawing = f.read()
    assert "<text" not in drawing and "<title" not in drawing and "href" not in drawing


def _facilitator_page(client, owner, group):
    client.force_login(owner)
    return client.get(reverse("groups:group_detail", args=[group.pk]))


def _member_page(client, owner, group):
    return client.get(reverse("groups:member_group", args=[group.member_token]))


def _check_in_page(client, owner, group):
    return client.get(reverse("checkins:checkin", args=[open_window(group).code]))


def _sign_in_page(client, owner, group):
    return client.get(reverse("account_login"))


def _admin_page(client, owner, group):
    from tests.factories import AdminFactory

    client.force_login(AdminFactory())
    return client.get(reverse("admin:content_reading_changelist"))


@pytest.mark.parametrize(
    "page", [_facilitator_page, _member_page, _check_in_page, _sign_in_page, _admin_page]
)
def test_every_layout_links_the_icon(client, owner, group, page):
    response = page(client, owner, group)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for link in ICON_LINKS:
        assert html.count(link) == 1, link
