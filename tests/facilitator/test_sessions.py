import time
from http import HTTPStatus

import pytest
from django.urls import reverse

from facilitator.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from tests.factories import TEST_PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def _shift(client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_signing_in_issues_a_new_session_key(client, owner):
    client.get(reverse("account_login"))
    client.post(reverse("account_login"), {"login": owner.email, "password": TEST_PASSWORD})
    before = client.session.session_key
    assert before is not None  # the half-finished login lives in a session

    client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    after = client.session.session_key
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert after != before


def test_an_active_account_stays_signed_in(client, owner, settings, sign_in_with_code):
    sign_in_with_code(client, owner)
    _shift(client, SESSION_SEEN_KEY, settings.SESSION_IDLE_TIMEOUT - 60)

    response = client.get(reverse("home"))

    assert response.status_code == HTTPStatus.OK


def test_an_idle_account_is_signed_out_and_asked_to_sign_in_again(client, owner, settings, sign_in_with_code):
    sign_in_with_code(client, owner)
    _shift(client, SESSION_SEEN_KEY, settings.SESSION_IDLE_TIMEOUT + 1)

    response = client.get(reverse("home"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "signed out because the page was left unused" in page.content.decode()


def test_a_session_older_than_the_absolute_lifetime_ends_even_when_active(
    client, owner, settings, sign_in_with_code
):
    sign_in_with_code(client, owner)
    _shift(client, SESSION_STARTED_KEY, settings.SESSION_ABSOLUTE_LIFETIME + 1)

    response = client.get(reverse("home"))

    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_activity_moves_the_idle_deadline(client, owner, settings, sign_in_with_code):
    sign_in_with_code(client, owner)
    _shift(client, SESSION_SEEN_KEY, 120)
    before = client.session[SESSION_SEEN_KEY]

    client.get(reverse("home"))

    assert client.session[SESSION_SEEN_KEY] >= int(time.time()) - 1 > before


def test_the_timeouts_are_thirty_minutes_and_twelve_hours_by_default(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_LIFETIME == 12 * 60 * 60
    assert settings.SESSION_COOKIE_AGE <= settings.SESSION_ABSOLUTE_LIFETIME


def test_session_and_csrf_cookies_are_httponly(client, owner, sign_in_with_code):
    sign_in_with_code(client, owner)

    assert client.cookies["sessionid"]["httponly"]
