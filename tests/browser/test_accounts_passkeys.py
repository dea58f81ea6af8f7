"""A facilitator adds a passkey beside TOTP and signs in with it (Chromium's virtual authenticator)."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.browser.helpers import sign_in_with_form
from tests.browser.test_accounts import _watch_csp
from tests.factories import TEST_PASSWORD, UserFactory

# serialized_rollback: see test_accounts.py.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_a_facilitator_adds_a_passkey_and_signs_in_with_it(live_server, page, axe_check):
    blocked = _watch_csp(page)
    _virtual_authenticator(page)
    user = UserFactory()
    sign_in_with_form(page, live_server.url, user)

    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    if "reauthenticate" in page.url:
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name=re.compile("confirm", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/webauthn/add/"))
    axe_check(page)
    page.get_by_role("button", name="Add").click()
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()

    page.get_by_role("button", name="Sign out").first.click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    axe_check(page)
    page.get_by_role("button", name="Use a security key or passkey").click()

    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    expect(page.get_by_role("button", name="Sign out").first).to_be_visible()
    assert blocked == []
