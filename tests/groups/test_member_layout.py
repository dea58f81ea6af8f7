from http import HTTPStatus

import pytest
from django.urls import reverse

from groups.models import HelpResource
from groups.selectors import help_resources
from groups.services import help_resources_add_defaults

pytestmark = pytest.mark.django_db

TOPIC_WORDS = ("abuse", "abusive", "trauma", "recovery", "violence")


def _title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0].strip()


@pytest.mark.parametrize("name", ["groups:member_help", "groups:member_safety"])
def test_member_pages_have_neutral_titles_no_cookies_and_no_store(client, name):
    response = client.get(reverse(name))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    title = _title(html).lower()
    assert not any(word in title for word in TOPIC_WORDS)
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert 'id="quick-exit"' in html
    assert 'data-quick-exit-url="https://www.bbc.co.uk/weather"' in html
    assert reverse("groups:member_safety") in html


@pytest.mark.parametrize("name", ["groups:member_help", "groups:member_safety"])
def test_member_pages_load_nothing_from_another_host(client, name):
    html = client.get(reverse(name)).content.decode()

    for attribute in ('src="http', 'src="//', 'rel="stylesheet" href="http'):
        assert attribute not in html
    assert "<style" not in html
    assert "style=" not in html
    assert "<script>" not in html


def test_the_quick_exit_target_comes_from_settings(client, settings):
    settings.QUICK_EXIT_URL = "https://weather.example/"

    html = client.get(reverse("groups:member_help")).content.decode()

    assert 'href="https://weather.example/"' in html


def test_the_default_helplines_for_great_britain_are_shown(client):
    html = client.get(reverse("groups:member_help")).content.decode()

    assert "National Domestic Abuse Helpline" in html
    assert 'href="tel:08082000247"' in html
    assert "Samaritans" in html
    assert 'href="tel:116123"' in html
    assert "988" not in html


def test_a_us_deployment_shows_the_us_helplines(client, settings):
    settings.HELP_COUNTRY = "US"

    html = client.get(reverse("groups:member_safety")).content.decode()

    assert "988 Suicide &amp; Crisis Lifeline" in html
    assert 'href="tel:18007997233"' in html
    assert "Text START to 88788" in html
    assert "Samaritans" not in html


def test_help_resources_leave_out_inactive_ones_and_include_those_for_everywhere():
    HelpResource.objects.filter(name="Samaritans").update(active=False)
    HelpResource.objects.create(name="An international line", phone="+1 555 0100", order=99)

    names = [resource.name for resource in help_resources(country="gb")]

    # The emergency number is a help resource too (named apart on the page).
    assert names == ["Emergency services", "National Domestic Abuse Helpline", "An international line"]


def test_the_safety_page_says_what_quick_exit_does_not_hide(client):
    html = client.get(reverse("groups:member_safety")).content.decode()

    assert "What it does not hide" in html
    assert "Other tabs" in html
    assert "Monitoring software" in html


def test_missing_default_helplines_can_be_added_back_without_touching_edited_ones():
    HelpResource.objects.filter(name="Samaritans").update(hours="Edited by an admin")
    HelpResource.objects.filter(country_code="US").delete()

    added = help_resources_add_defaults()

    assert added == 3  # two US helplines and the US emergency number
    assert HelpResource.objects.get(name="Samaritans").hours == "Edited by an admin"
    assert HelpResource.objects.count() == 6


def test_member_pages_read_the_helplines_once_a_minute_and_an_admin_edit_shows_at_once(
    client, django_assert_num_queries
):
    client.get(reverse("groups:member_safety"))
    with django_assert_num_queries(0):
        client.get(reverse("groups:member_safety"))

    samaritans = HelpResource.objects.get(name="Samaritans")
    samaritans.hours = "Every hour of every day"
    samaritans.save()  # as the admin does

    assert "Every hour of every day" in client.get(reverse("groups:member_safety")).content.decode()
