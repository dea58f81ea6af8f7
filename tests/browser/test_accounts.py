"""Account pages in a real browser: no sign-up, accessible, and working under the CSP."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from facilitator import services
from facilitator.demo import totp_code_now
from facilitator.models import Invitation, User
from tests.browser.helpers import sign_in_with_form
from tests.factories import TEST_PASSWORD, AdminFactory, UserFactory

# serialized_rollback: test_checkin.py restores migration data the same way; a plain
# flush here would recreate content types under new ids and break its restore.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_PASSWORD = "lantern orchard seventeen"


def _watch_csp(page) -> list[str]:
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return blocked


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/", "/accounts/signup/"])
def test_entrance_pages_offer_no_sign_up_and_pass_axe(live_server, page, axe_check, path):
    blocked = _watch_csp(page)

    page.goto(f"{live_server.url}{path}")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("sign up", re.IGNORECASE))).to_have_count(0)
    axe_check(page)
    assert blocked == []


def test_a_wrong_password_on_a_phone_gets_a_message_and_keeps_the_address(live_server, phone, axe_check):
    user = UserFactory()

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_label("Email").fill(user.email)
    phone.get_by_label("Password").fill("not my password")
    phone.get_by_role("button", name="Sign in").tap()

    expect(phone.get_by_text(re.compile("not correct", re.IGNORECASE))).to_be_visible()
    expect(phone.get_by_label("Email")).to_have_value(user.email)
    axe_check(phone)
    too_wide = phone.evaluate("document.documentElement.scrollWidth > 360")
    assert not too_wide


def test_an_invited_facilitator_sets_a_password_then_an_authenticator(live_server, page, axe_check):
    blocked = _watch_csp(page)
    admin = AdminFactory()
    invitation = Invitation.objects.create(email="dana@example.org", invited_by=admin)
    services.invitation_send(invitation_id=invitation.pk)
    link = re.search(r"https?://\S+(/accounts/invitation/[\w-]+/)", mail.outbox[-1].body).group(1)

    page.goto(f"{live_server.url}{link}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your facilitator account")
    axe_check(page)
    page.get_by_label("Your name").fill("Dana")
    page.get_by_label("Choose a password").fill("password")
    page.get_by_label("Type the password again").fill("password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(re.compile("too common", re.IGNORECASE))).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Dana")
    axe_check(page)

    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    axe_check(page)
    secret = page.get_by_label(re.compile("Secret")).input_value()
    page.get_by_label("Six-digit code from the app").fill(
        "000000" if totp_code_now(secret) != "000000" else "111111"
    )
    page.get_by_role("button", name="Turn on the second step").click()
    expect(page.get_by_role("alert")).to_be_visible()
    axe_check(page)
    page.get_by_label("Six-digit code from the app").fill(totp_code_now(secret))
    page.get_by_role("button", name="Turn on the second step").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_role("list", name="Unused codes").get_by_role("listitem")).to_have_count(10)
    axe_check(page)
    # The way on: the home page, which says what to do first.
    page.get_by_role("link", name="Continue to your home page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dana")
    expect(page.get_by_role("heading", name="What next")).to_be_visible()
    expect(page.get_by_role("link", name="Create your group")).to_be_visible()
    axe_check(page)
    assert User.objects.get(email="dana@example.org").display_name == "Dana"
    assert blocked == []


def test_a_password_reset_works_end_to_end(live_server, page, axe_check):
    blocked = _watch_csp(page)
    user = UserFactory()

    page.goto(f"{live_server.url}/accounts/password/reset/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name=re.compile("reset", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/"))
    axe_check(page)
    # A worker sends the link (never the request itself): do its work here.
    from facilitator.services import password_resets_send_waiting

    assert password_resets_send_waiting(older_than_minutes=0) == 1
    link = re.search(r"https?://\S+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(f"{live_server.url}{link}")
    axe_check(page)
    page.get_by_label(re.compile(r"^New password:?$", re.IGNORECASE)).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^New password \(again\)", re.IGNORECASE)).fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile("change password", re.IGNORECASE)).click()

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert blocked == []


def test_the_admin_works_under_the_content_security_policy(live_server, page, axe_check):
    admin = AdminFactory()
    facilitator = UserFactory()
    blocked = _watch_csp(page)
    sign_in_with_form(page, live_server.url, admin)

    for path in (
        "/admin/",
        f"/admin/facilitator/user/{facilitator.pk}/change/",
        "/admin/facilitator/invitation/add/",
        "/admin/facilitator/auditentry/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        expect(page.locator("#content")).to_be_visible()

    # The change form's scripts ran: the "show/hide" collapse and the date shortcuts need JS.
    page.goto(f"{live_server.url}/admin/facilitator/user/{facilitator.pk}/change/")
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    assert blocked == []


def test_an_account_without_a_second_factor_cannot_sign_in_with_its_password(live_server, page, axe_check):
    user = UserFactory(mfa=False)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your account needs its second step")
    axe_check(page)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_signed_in_account_pages_pass_axe_on_a_phone(live_server, phone, axe_check):
    user = UserFactory()
    blocked = _watch_csp(phone)
    sign_in_with_form(phone, live_server.url, user)

    for path in (
        "/accounts/2fa/",
        "/accounts/password/change/",
        "/accounts/logout/",
        "/accounts/reauthenticate/",
    ):
        phone.goto(f"{live_server.url}{path}")
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        axe_check(phone)
        assert not phone.evaluate("document.documentElement.scrollWidth > 360"), path
    assert blocked == []


def test_the_password_rules_are_the_new_password_fields_description(live_server, page):
    """A screen reader reads the rules with the field: aria-describedby points at the
    help, and the help still holds the rules once the browser has parsed the page."""
    sign_in_with_form(page, live_server.url, UserFactory())
    page.goto(f"{live_server.url}/accounts/password/change/")

    new_password = page.get_by_role("textbox", name="New Password:", exact=True)
    expect(new_password).to_have_accessible_description(re.compile("at least 8 characters"))
    rules = page.locator("#" + new_password.get_attribute("aria-describedby").split()[0])
    expect(rules.get_by_role("listitem").first).to_be_visible()
