"""The help section names the deployment's emergency number (999 in GB, 911 in US),
kept with the other help resources, where admins edit it."""

import pytest
from django.test import Client

from groups.models import HelpResource
from groups.selectors import help_resources_forget
from groups.services import help_resources_add_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _defaults():
    help_resources_add_defaults()


@pytest.mark.parametrize(("country", "number"), [("GB", "999"), ("US", "911")])
def test_the_help_section_names_the_countrys_emergency_number(settings, country, number):
    settings.HELP_COUNTRY = country
    html = Client().get("/help").content.decode()

    assert f'href="tel:{number}"' in html
    assert f"call {number}" in html
    assert "your local emergency number" not in html


def test_the_emergency_number_is_not_listed_as_a_helpline():
    html = Client().get("/help").content.decode()
    assert html.count('href="tel:999"') == html.count("call 999")  # only in the sentence


def test_an_admin_edits_the_emergency_number_with_the_other_help_resources():
    HelpResource.objects.filter(emergency=True, country_code="GB").update(phone="112")
    help_resources_forget()

    assert "call 112" in Client().get("/help").content.decode()


def test_without_an_emergency_number_the_sentence_stays_general():
    HelpResource.objects.filter(emergency=True).delete()
    help_resources_forget()

    assert "your local emergency number" in Client().get("/help").content.decode()
