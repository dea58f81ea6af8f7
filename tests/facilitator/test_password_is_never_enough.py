"""A password is never enough: an account without a second factor cannot sign in with
its password, so a stolen password cannot enrol the thief's authenticator. Such an
account gets its second factor through a single-use, expiring setup link, emailed
like an invitation; an admin's reset of an authenticator sends one."""

import re
from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse

from facilitator import services
from facilitator.models import AuditEntry, Invitation
from tests.factories import TEST_PASSWORD, GroupFactory, UserFactory, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def _steal_the_account(client, user, group) -> int:
    """The attack as it was seen: sign in with the password, re-enter it, take the
    setup page's secret, post its code, open the group. The status of the last step."""
    client.post(LOGIN, {"login": user.email, "password": TEST_PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session.get("mfa.totp.secret")
    if secret:
        client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    return client.get(reverse("groups:group_detail", args=[group.pk])).status_code


def test_an_invited_account_that_never_set_up_its_second_factor_cannot_be_taken_with_its_password():
    user = UserFactory(mfa=False)
    group = GroupFactory(owner=user)
    client = Client()

    response = client.post(LOGIN, {"login": user.email, "password": TEST_PASSWORD})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "no second step yet" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _steal_the_account(client, user, group) != HTTPStatus.OK
    assert not Authenticator.objects.filter(user=user).exists()


def test_after_an_admin_reset_a_password_alone_cannot_enrol_a_new_authenticator(admin_user):
    user = UserFactory()
    group = GroupFactory(owner=user)
    services.authenticator_reset(
        actor=admin_user, authenticator=Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    )

    assert _steal_the_account(Client(), user, group) != HTTPStatus.OK
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _link_in_the_last_email() -> str:
    return re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)


def test_an_admin_reset_emails_a_single_use_setup_link_that_leads_to_a_new_authenticator(
    admin_user, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "http://testserver"
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.authenticator_reset(
            actor=admin_user, authenticator=Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        )
    setup = Invitation.objects.get(for_account=user)
    services.invitation_send(invitation_id=setup.pk)
    assert mail.outbox[-1].to == [user.email]
    assert "second step" in mail.outbox[-1].subject.lower()
    link = _link_in_the_last_email().removeprefix("http://testserver")
    client = Client()

    page = client.get(link)
    assert page.status_code == HTTPStatus.OK and "Set up your second step" in page.content.decode()
    assert "_auth_user_id" not in client.session  # opening the link (a mail scanner) does nothing
    response = client.post(link)

    assert response["Location"] == reverse("mfa_activate_totp")
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # Single use: the link is spent.
    assert Client().get(link).status_code == HTTPStatus.NOT_FOUND
    assert AuditEntry.objects.filter(
        action="account.second_factor_setup_used", target_id=str(user.pk)
    ).exists()


def test_an_admin_can_send_a_setup_link_to_an_account_stuck_without_a_second_factor(admin_user):
    user = UserFactory(mfa=False)

    setup = services.second_factor_setup_create(actor=admin_user, user=user)

    assert setup.email == user.email and setup.for_account == user
    with pytest.raises(ValueError):
        services.second_factor_setup_create(actor=admin_user, user=UserFactory())  # has one already


def test_the_admin_action_sends_setup_links_only_to_accounts_without_a_second_factor(client, admin_user):
    stuck, fine = UserFactory(mfa=False), UserFactory()
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:facilitator_user_changelist"),
        {"action": "send_second_factor_setup_link", "_selected_action": [stuck.pk, fine.pk]},
        follow=True,
    )

    assert response.status_code == HTTPStatus.OK
    assert Invitation.objects.filter(for_account=stuck).count() == 1
    assert not Invitation.objects.filter(for_account=fine).exists()
