"""Nonsense in the account flows gets a page with a message, never a server error."""

from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

NONSENSE = ["", " ", "x" * 10_000, "ä\u202e<script>", "\x00", "' OR 1=1 --", "a@b", "@@@"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("value", NONSENSE)
def test_the_sign_in_form_answers_nonsense_with_a_message(client, value):
    response = client.post(reverse("account_login"), {"login": value, "password": value})

    assert response.status_code == HTTPStatus.OK
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("value", NONSENSE)
def test_the_password_reset_form_answers_nonsense_without_an_error(client, value):
    response = client.post(reverse("account_reset_password"), {"email": value})

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)


@pytest.mark.parametrize("value", NONSENSE)
def test_the_second_step_answers_nonsense_with_a_message(client, owner, value):
    from tests.factories import TEST_PASSWORD

    client.post(reverse("account_login"), {"login": owner.email, "password": TEST_PASSWORD})

    response = client.post(reverse("mfa_authenticate"), {"code": value})

    assert response.status_code == HTTPStatus.OK
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("token", ["x", "x" * 500, "%00", "ä", "..", "a.b-c_d"])
def test_a_malformed_invitation_link_is_a_friendly_not_found(client, token):
    response = client.get(f"/accounts/invitation/{token}/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "does not work" in response.content.decode()


def test_the_second_step_without_a_first_sends_back_to_sign_in(client):
    response = client.get(reverse("mfa_authenticate"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))
