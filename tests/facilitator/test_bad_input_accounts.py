"""Nonsense on the account pages a facilitator uses after signing in (turning on the
authenticator app, changing the password) and on the password reset link: each answers
with a message beside the field, keeps what may be kept, echoes no password back,
changes nothing, and is never a server error."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from facilitator.models import AuditEntry
from tests.factories import TEST_PASSWORD, UserFactory, sign_in_to_set_up, totp_code

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long passphrase 77"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth counts failures and posts in the shared cache: start every test from zero.
    cache.clear()
    yield
    cache.clear()


def _errors(response, field: str) -> list[str]:
    """The messages shown for ``field`` (allauth's and our templates both give the
    error list the id ``id_<field>_error``)."""
    html = response.content.decode()
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def _input(response, name: str) -> str:
    html = response.content.decode()
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, f"no input named {name}"
    return found.group(0)


def _echoes(response, typed: str) -> bool:
    html = response.content.decode()
    return typed in html or escape(typed) in html


# --- Turning on the authenticator app ---------------------------------------------


@pytest.fixture
def setting_up(client):
    """A facilitator at the "set up your authenticator app" step, as after a setup
    link: signed in by the link, shown the secret."""
    user = UserFactory(mfa=False)
    sign_in_to_set_up(client, user)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == HTTPStatus.OK
    return user, client.session[SECRET_SESSION_KEY]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        pytest.param("abcdef", "Incorrect code.", id="letters"),
        pytest.param("12345x", "Incorrect code.", id="a-letter-among-digits"),
        pytest.param("1" * 5000, "Incorrect code.", id="far-too-long"),
        pytest.param("1234567", "Incorrect code.", id="seven-digits"),
        pytest.param("١٢٣٤٥٦", "Incorrect code.", id="arabic-indic-digits"),
        pytest.param("' OR 1=1 --", "Incorrect code.", id="sql"),
        pytest.param("", "This field is required.", id="empty"),
        pytest.param("   ", "This field is required.", id="spaces"),
        pytest.param("12\x0034", "Null characters are not allowed.", id="nul"),
    ],
)
def test_a_nonsense_authenticator_code_gets_a_message_and_turns_nothing_on(client, setting_up, code, message):
    user, secret = setting_up

    response = client.post(reverse("mfa_activate_totp"), {"code": code})

    assert response.status_code == HTTPStatus.OK
    assert _errors(response, "code") == [message]
    assert 'aria-invalid="true"' in _input(response, "code")
    assert not Authenticator.objects.filter(user=user).exists()
    # The secret the app was given stays the same, so the account the facilitator
    # already added in the app still gives the right code.
    assert f'value="{secret}"' in response.content.decode()
    assert client.session[SECRET_SESSION_KEY] == secret


def test_after_a_wrong_code_the_right_one_still_turns_it_on(client, setting_up):
    user, secret = setting_up
    client.post(reverse("mfa_activate_totp"), {"code": "abcdef"})

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == HTTPStatus.FOUND
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_the_code_may_be_typed_with_spaces_as_apps_show_it(client, setting_up):
    user, secret = setting_up
    code = totp_code(secret)

    response = client.post(reverse("mfa_activate_totp"), {"code": f" {code[:3]} {code[3:]} "})

    assert response.status_code == HTTPStatus.FOUND
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_guessing_codes_is_stopped_with_a_message_not_an_error(client, setting_up):
    user, secret = setting_up
    for _ in range(5):
        assert _errors(client.post(reverse("mfa_activate_totp"), {"code": "000000"}), "code")

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS)
    assert "too many" in response.content.decode().lower()
    assert not Authenticator.objects.filter(user=user).exists()


# --- Changing the password --------------------------------------------------------


def _change(client, *, old: str = TEST_PASSWORD, new1: str, new2: str | None = None):
    return client.post(
        reverse("account_change_password"),
        {"oldpassword": old, "password1": new1, "password2": new1 if new2 is None else new2},
    )


# A new password (and its repeat, None for the same) that every password form refuses,
# the field the message goes beside, and the message.
BAD_NEW_PASSWORDS = [
    pytest.param(
        NEW_PASSWORD,
        "a different passphrase 88",
        "password2",
        "You must type the same password each time.",
        id="mismatched",
    ),
    pytest.param(
        "Sh0rt!",
        None,
        "password1",
        "This password is too short. It must contain at least 8 characters.",
        id="too-short",
    ),
    pytest.param("password123", None, "password1", "This password is too common.", id="common"),
    pytest.param("86753099127", None, "password1", "This password is entirely numeric.", id="numeric"),
    pytest.param("", "", "password1", "This field is required.", id="empty"),
]


def _password_unchanged(user) -> bool:
    user.refresh_from_db()
    return user.check_password(TEST_PASSWORD)


@pytest.mark.parametrize(
    ("new1", "new2", "field", "message"),
    [
        *BAD_NEW_PASSWORDS,
        pytest.param(
            "alice@example.org",
            None,
            "password1",
            "The password is too similar to the email address.",
            id="the-address",
        ),
        pytest.param("long\x00passphrase 1", None, "password1", "Null characters are not allowed.", id="nul"),
    ],
)
def test_a_bad_new_password_gets_a_message_and_changes_nothing(client, owner, new1, new2, field, message):
    client.force_login(owner)

    response = _change(client, new1=new1, new2=new2)

    assert response.status_code == HTTPStatus.OK
    assert message in _errors(response, field)
    assert 'aria-invalid="true"' in _input(response, field)
    assert _password_unchanged(owner)
    assert not AuditEntry.objects.filter(action="account.password_changed").exists()
    # No password comes back in the page: neither the current one nor the new ones.
    for typed in {TEST_PASSWORD, new1, new2 or ""} - {""}:
        assert not _echoes(response, typed), typed


def test_a_wrong_current_password_gets_a_message_and_changes_nothing(client, owner):
    client.force_login(owner)

    response = _change(client, old="not my password 123", new1=NEW_PASSWORD)

    assert response.status_code == HTTPStatus.OK
    assert _errors(response, "oldpassword") == ["Please type your current password."]
    assert _password_unchanged(owner)
    assert not _echoes(response, "not my password 123") and not _echoes(response, NEW_PASSWORD)


def test_an_absurdly_long_new_password_gets_the_same_message_as_on_the_invitation_page(client, owner):
    client.force_login(owner)

    response = _change(client, new1="x" * 5000)

    assert response.status_code == HTTPStatus.OK
    assert "at most 256 characters" in response.content.decode()
    assert _password_unchanged(owner)


def test_a_good_change_after_a_bad_one_goes_through(client, owner):
    client.force_login(owner)
    _change(client, new1="short")

    response = _change(client, new1=NEW_PASSWORD)

    assert response.status_code == HTTPStatus.FOUND
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


# --- The password reset link ------------------------------------------------------


def _reset_url(uidb36: str, key: str) -> str:
    return reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": key})


def _says_the_link_is_bad(response) -> None:
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "This link no longer works" in html and "A reset link works once" in html
    assert f'href="{reverse("account_reset_password")}"' in html
    assert 'name="password1"' not in html


@pytest.mark.parametrize(
    ("uidb36", "key"),
    [
        pytest.param(None, "not-a-key", id="wrong-key"),
        pytest.param(None, "x" * 3000, id="far-too-long-key"),
        pytest.param(None, "ä%00<script>", id="odd-characters"),
        pytest.param("0", "abc-def", id="no-such-account"),
        pytest.param("zzzzzzzzzzzz", "abc-def", id="account-number-too-big-for-the-database"),
        pytest.param("z" * 40, "abc-def", id="account-number-too-long"),
        pytest.param(None, "set-password", id="the-set-password-step-without-a-key"),
    ],
)
def test_a_bad_reset_link_says_so_and_offers_a_new_one(client, owner, uidb36, key):
    url = _reset_url(uidb36 or user_pk_to_url_str(owner), key)

    _says_the_link_is_bad(client.get(url))
    posted = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    _says_the_link_is_bad(posted)
    assert _password_unchanged(owner)


def test_a_used_reset_link_says_so(client, owner):
    key = default_token_generator.make_token(owner)
    url = _reset_url(user_pk_to_url_str(owner), key)
    set_password = client.get(url)["Location"]
    assert client.post(set_password, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == (
        HTTPStatus.FOUND
    )
    client.logout()

    _says_the_link_is_bad(client.get(url))


@pytest.fixture
def reset_form(client, owner) -> str:
    """The address of the "choose a new password" step, reached from a real link."""
    key = default_token_generator.make_token(owner)
    response = client.get(_reset_url(user_pk_to_url_str(owner), key))
    assert response.status_code == HTTPStatus.FOUND
    assert key not in response["Location"]  # the key leaves the address (no Referer leak)
    return response["Location"]


@pytest.mark.parametrize(
    ("new1", "new2", "field", "message"),
    [
        *BAD_NEW_PASSWORDS,
    ],
)
def test_a_bad_password_on_the_reset_link_gets_a_message_and_the_link_still_works(
    client, owner, reset_form, new1, new2, field, message
):
    response = client.post(reset_form, {"password1": new1, "password2": new1 if new2 is None else new2})

    assert response.status_code == HTTPStatus.OK
    assert message in _errors(response, field)
    assert _password_unchanged(owner)
    for typed in {new1, new2 or ""} - {""}:
        assert not _echoes(response, typed), typed

    retried = client.post(reset_form, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert retried.status_code == HTTPStatus.FOUND
    assert retried["Location"] == reverse("account_reset_password_from_key_done")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


def test_an_absurdly_long_password_on_the_reset_link_gets_the_invitation_pages_message(
    client, owner, reset_form
):
    response = client.post(reset_form, {"password1": "x" * 5000, "password2": "x" * 5000})

    assert response.status_code == HTTPStatus.OK
    assert "at most 256 characters" in response.content.decode()
    assert _password_unchanged(owner)


# --- What is kept: the address, never the password --------------------------------


def test_the_reset_request_keeps_a_malformed_address_and_says_what_is_wrong(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "alice at example"})

    assert response.status_code == HTTPStatus.OK
    assert _errors(response, "email") == ["Enter a valid email address."]
    assert 'value="alice at example"' in _input(response, "email")


def test_a_failed_sign_in_keeps_the_address_and_drops_the_password(client, owner):
    response = client.post(reverse("account_login"), {"login": owner.email, "password": "Wrong guess 123"})

    assert response.status_code == HTTPStatus.OK
    assert f'value="{owner.email}"' in _input(response, "login")
    assert "value=" not in _input(response, "password")
    assert not _echoes(response, "Wrong guess 123")


def test_too_many_posts_to_a_reset_link_get_the_sites_own_paused_page(client, owner):
    url = _reset_url(user_pk_to_url_str(owner), "not-a-key")
    for _ in range(5):
        client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    html = response.content.decode()
    assert "<h1>Too many attempts</h1>" in html and 'href="/static/' in html  # our layout, not a bare page
    assert f'href="{reverse("account_login")}"' in html
    assert _password_unchanged(owner)
