from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.urls import reverse

from facilitator.demo import DEMO_FACILITATOR_EMAIL, demo_accounts_ensure, demo_login, totp_code_now
from facilitator.models import User

pytestmark = pytest.mark.django_db


def test_running_the_demo_setup_twice_reuses_the_accounts(capsys):
    first = demo_accounts_ensure()
    call_command("demo_setup")
    second = demo_accounts_ensure()

    assert first == second
    assert User.objects.count() == 2
    assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).count() == 2
    assert DEMO_FACILITATOR_EMAIL in capsys.readouterr().out


def test_the_demo_setup_prints_each_totp_secret_and_an_otpauth_uri(capsys):
    call_command("demo_setup")
    out = capsys.readouterr().out

    for login in demo_accounts_ensure():
        assert login.totp_secret in out
        assert login.otpauth_uri in out
        assert login.otpauth_uri.startswith("otpauth://totp/")
        assert f"secret={login.totp_secret}" in login.otpauth_uri


def test_demo_totp_prints_the_facilitators_current_code(capsys):
    facilitator = demo_login("facilitator")

    call_command("demo_totp")

    assert capsys.readouterr().out.strip() == totp_code_now(facilitator.totp_secret)


def test_demo_totp_prints_the_admins_code_when_asked(capsys):
    admin = demo_login("admin")

    call_command("demo_totp", "--role", "admin")

    assert capsys.readouterr().out.strip() == totp_code_now(admin.totp_secret)


def test_the_demo_secrets_survive_a_database_reset():
    before = demo_login("facilitator")
    User.objects.all().delete()

    after = demo_login("facilitator")

    assert (after.password, after.totp_secret) == (before.password, before.totp_secret)


def test_the_demo_facilitator_signs_in_with_the_printed_password_and_code(client):
    facilitator = demo_login("facilitator")

    first = client.post(
        reverse("account_login"), {"login": facilitator.email, "password": facilitator.password}
    )
    assert first["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": facilitator.current_code()}, follow=True)

    assert response.status_code == HTTPStatus.OK
    assert response.wsgi_request.user.email == DEMO_FACILITATOR_EMAIL
    assert response.redirect_chain[-1][0] == reverse("home")


def test_the_demo_admin_is_staff():
    admin = demo_login("admin")

    assert User.objects.get(email=admin.email).is_staff
