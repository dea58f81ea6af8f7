"""Sharing the member link: a copy button beside each address (and the feed's), and a
printable card with the link's QR code that names nothing of what the group is about."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_group_page_has_a_copy_button_for_each_address_and_the_card(login, owner, group):
    page = login(owner).get(reverse("groups:group_detail", args=[group.pk])).content.decode()

    for field in ("member-url", "member-feed-url"):
        assert f'data-copy-target="{field}"' in page
    assert reverse("groups:member_card", args=[group.pk]) in page
    assert "facilitator/copy.js" in page


def test_the_facilitators_own_feed_has_a_copy_button(login, owner):
    page = login(owner).get(reverse("groups:reminder_settings")).content.decode()
    assert 'data-copy-target="feed-url"' in page and "facilitator/copy.js" in page


def test_the_card_holds_the_link_and_its_code_and_nothing_of_the_topic(login, owner, cofacilitator, group):
    group.name = "Abuse recovery circle"
    group.member_label = "Thursday book club"
    group.save()
    member_url = "http://testserver" + reverse("groups:member_group", args=[group.member_token])

    for user in (owner, cofacilitator):
        response = login(user).get(reverse("groups:member_card", args=[group.pk]))
        assert response.status_code == HTTPStatus.OK
        assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
        card = response.content.decode().split('<div class="member-cards"', 1)[1]
        assert card.count("<svg") == 4  # four cards to a sheet, to cut apart
        assert member_url.split("://", 1)[1] in card
        assert "Thursday book club" in card
        assert "Abuse" not in card and "recovery" not in card.lower()


def test_an_archived_groups_card_says_the_link_does_not_work(login, owner, group):
    group.archived_at = timezone.now()
    group.save()
    page = login(owner).get(reverse("groups:member_card", args=[group.pk])).content.decode()
    assert "<svg" not in page and "does not work" in page
