from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse

from facilitator.demo import DEMO_FACILITATOR_EMAIL, demo_accounts_ensure
from facilitator.models import User

pytestmark = pytest.mark.django_db


def test_running_the_demo_setup_twice_reuses_the_accounts(capsys):
    first = demo_accounts_ensure()
    call_command("demo_setup")
    second = demo_accounts_ensure()

    assert first == second
    assert User.objects.count() == 2
    assert DEMO_FACILITATOR_EMAIL in capsys.readouterr().out


def test_the_demo_facilitator_can_log_in_with_the_printed_password(client):
    facilitator = next(login for login in demo_accounts_ensure() if login.role == "facilitator")

    response = client.post(
        reverse("account_login"), {"login": facilitator.email, "password": facilitator.password}, follow=True
    )

    assert response.status_code == HTTPStatus.OK
    assert response.wsgi_request.user.email == DEMO_FACILITATOR_EMAIL


def test_the_demo_admin_is_staff():
    admin = next(login for login in demo_accounts_ensure() if login.role == "admin")

    assert User.objects.get(email=admin.email).is_staff
