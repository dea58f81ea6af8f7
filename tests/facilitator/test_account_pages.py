"""Every account page the product shows is the product's own: its layout, its words
("Account security", "second step", "passkeys"), never allauth's defaults
("Two-Factor Authentication", "Security Keys", "Generate"). And the onboarding does
not stop on the recovery codes: it goes on to the home page, which says what next."""

import time
from http import HTTPStatus
from pathlib import Path

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OURS = Path(settings.BASE_DIR) / "templates"
ALLAUTH_WORDS = [
    "Two-Factor Authentication",
    "Security Keys",
    "Recovery Codes",
    "Authenticator App",
    "Deactivate",
    ">Generate<",
    "Sign In",
    "Menu",
]
SIGNED_IN = [
    "mfa_index",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "account_change_password",
    "account_logout",
    "account_reauthenticate",
    "mfa_reauthenticate",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_deactivate_totp",
]
SIGNED_OUT = ["account_login", "account_reset_password", "account_reset_password_done"]


def _fresh_sign_in(client, user) -> None:
    """Signed in a moment ago with password and code, as the sign-in page leaves it."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email, "reauthenticated": True},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def _page_template(response) -> Path:
    return Path(response.templates[0].origin.name)


def _assert_ours(response, name) -> None:
    assert response.status_code == HTTPStatus.OK, (name, response.status_code)
    template = _page_template(response)
    assert OURS in template.parents, f"{name} is drawn by allauth's {template}"
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert [words for words in ALLAUTH_WORDS if words in html] == [], name


@pytest.mark.parametrize("name", SIGNED_IN)
def test_signed_in_account_pages_are_ours(client, name):
    user = UserFactory()
    RecoveryCodes.activate(user)
    _fresh_sign_in(client, user)
    _assert_ours(client.get(reverse(name)), name)


@pytest.mark.parametrize("name", ["mfa_edit_webauthn", "mfa_remove_webauthn"])
def test_the_pages_of_one_passkey_are_ours(client, name):
    from allauth.mfa.models import Authenticator

    user = UserFactory()
    key = Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "My phone", "credential": {}}
    )
    _fresh_sign_in(client, user)
    _assert_ours(client.get(reverse(name, kwargs={"pk": key.pk})), name)


@pytest.mark.parametrize("name", SIGNED_OUT)
def test_signed_out_account_pages_are_ours(client, name):
    _assert_ours(client.get(reverse(name)), name)


def test_the_recovery_codes_page_goes_on_to_the_home_page(client):
    user = UserFactory()
    RecoveryCodes.activate(user)
    _fresh_sign_in(client, user)
    html = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert f'href="{reverse("home")}"' in html and "Continue to your home page" in html
    assert reverse("mfa_download_recovery_codes") in html


# --- The onboarding ends on the home page, which says what next ----------------------


def test_a_new_facilitator_is_told_what_to_do_first(client):
    user = UserFactory()
    client.force_login(user)

    html = client.get(reverse("home")).content.decode()

    assert "What next" in html
    assert reverse("groups:group_create") in html
    assert "Schedule your group's sessions" in html and "Share the member link" in html


def test_with_a_group_the_next_step_is_its_sessions(client, owner, group):
    client.force_login(owner)
    html = client.get(reverse("home")).content.decode()
    assert "What next" in html
    assert reverse("groups:session_create", args=[group.pk]) in html
    assert "Done" in html  # the group step


def test_once_sessions_are_planned_the_steps_make_way(client, owner, group):
    from tests.factories import SessionFactory

    SessionFactory(group=group)
    client.force_login(owner)
    assert "What next" not in client.get(reverse("home")).content.decode()
