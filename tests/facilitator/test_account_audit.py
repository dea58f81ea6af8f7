"""Account events land in the audit log as ids and action names only."""

import json
from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from facilitator.models import AuditEntry
from tests.factories import TEST_PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def test_signing_in_and_out_is_recorded(client, owner, sign_in_with_code):
    AuditEntry.objects.all().delete()

    sign_in_with_code(client, owner)
    client.post(reverse("account_logout"))

    assert _actions() == ["account.logged_in", "account.logged_out"]
    assert set(AuditEntry.objects.values_list("actor_id", flat=True)) == {owner.pk}


def test_a_wrong_password_is_recorded_against_the_account_without_the_typed_text(client, owner):
    AuditEntry.objects.all().delete()

    client.post(reverse("account_login"), {"login": owner.email, "password": "Wrong guess 123"})

    entry = AuditEntry.objects.get()
    assert entry.action == "account.login_failed"
    assert entry.actor_id is None
    assert entry.target_id == str(owner.pk)
    stored = json.dumps([entry.ids, entry.target_id, entry.action])
    assert owner.email not in stored and "Wrong guess" not in stored


def test_a_wrong_password_for_an_unknown_address_is_recorded_without_the_address(client, db):
    client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "Wrong guess 123"})

    entry = AuditEntry.objects.get(action="account.login_failed")
    assert entry.target_id == ""
    assert "nobody" not in json.dumps(entry.ids)


def test_a_wrong_second_factor_code_is_recorded(client, owner):
    client.post(reverse("account_login"), {"login": owner.email, "password": TEST_PASSWORD})

    client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code() != "000000" else "111111"})

    entry = AuditEntry.objects.get(action="account.mfa_failed")
    assert entry.target_id == str(owner.pk)


def test_changing_the_password_is_recorded(client, owner, sign_in_with_code):
    sign_in_with_code(client, owner)

    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "another long passphrase 77",
            "password2": "another long passphrase 77",
        },
    )

    assert AuditEntry.objects.filter(action="account.password_changed", actor_id=owner.pk).exists()


def test_adding_totp_is_recorded(client, django_capture_on_commit_callbacks):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    from tests.factories import UserFactory, sign_in_to_set_up

    user = UserFactory(mfa=False)
    sign_in_to_set_up(client, user)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == HTTPStatus.FOUND
    entry = AuditEntry.objects.get(action="account.mfa_added", ids__kind="totp")
    assert entry.actor_id == user.pk
    assert entry.ids == {
        "authenticator": Authenticator.objects.get(user=user, type="totp").pk,
        "kind": "totp",
    }
