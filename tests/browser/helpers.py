"""What the browser tests share."""

import re

from django.test import Client
from playwright.sync_api import expect

from facilitator.demo import totp_code_now
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET


def sign_in(page, live_server, user) -> None:
    """Reuse a server-side login: the sign-in form and its second factor are tested
    elsewhere (test_accounts.py)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def sign_in_with_form(page, base_url: str, user, *, secret: str = TEST_TOTP_SECRET) -> None:
    """Sign in through the pages, as a person does: email and password, then the
    authenticator code."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(totp_code_now(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
