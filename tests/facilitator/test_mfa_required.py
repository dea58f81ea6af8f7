from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_factory_accounts_have_totp_by_default():
    user = UserFactory()

    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_an_account_without_a_second_factor_is_sent_to_set_up_totp(client):
    client.force_login(UserFactory(mfa=False))

    response = client.get(reverse("home"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("mfa_activate_totp")


def test_an_admin_without_a_second_factor_cannot_reach_the_admin(client):
    client.force_login(AdminFactory(mfa=False))

    response = client.get(reverse("admin:index"))

    assert response["Location"] == reverse("mfa_activate_totp")


def test_posts_are_refused_too_until_a_second_factor_exists(client):
    client.force_login(UserFactory(mfa=False))

    response = client.post(reverse("admin:index"), {})

    assert response["Location"] == reverse("mfa_activate_totp")


def test_recovery_codes_alone_do_not_count_as_a_second_factor(client):
    user = UserFactory(mfa=False)
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00"})
    client.force_login(user)

    response = client.get(reverse("home"))

    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("url_name", ["mfa_activate_totp", "mfa_index", "account_change_password"])
def test_the_account_pages_stay_reachable_while_setting_up(client, url_name):
    client.force_login(UserFactory(mfa=False))

    response = client.get(reverse(url_name))

    # allauth may first ask a force_login()ed session to re-enter its password.
    assert response.status_code == HTTPStatus.OK or response["Location"].startswith(
        reverse("account_reauthenticate")
    )


def test_signing_out_stays_possible_while_setting_up(client):
    client.force_login(UserFactory(mfa=False))

    response = client.post(reverse("account_logout"))

    assert response.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", ["/healthz", "/g/abc/", "/c/abc/", "/help/", "/safety/", "/static/x.css"])
def test_member_pages_and_static_files_are_never_redirected(client, path):
    client.force_login(UserFactory(mfa=False))

    response = client.get(path)

    assert response.get("Location") != reverse("mfa_activate_totp")


def test_an_account_with_totp_goes_where_it_asked(client):
    client.force_login(UserFactory())

    response = client.get(reverse("home"))

    assert response.status_code == HTTPStatus.OK


def test_an_account_cannot_remove_its_only_second_factor():
    from allauth.mfa.adapter import get_adapter

    user = UserFactory()
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)

    assert not get_adapter().can_delete_authenticator(totp)


def test_recovery_codes_can_always_be_removed():
    from allauth.mfa.adapter import get_adapter

    user = UserFactory()
    codes = Authenticator.objects.create(
        user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00"}
    )

    assert get_adapter().can_delete_authenticator(codes)


def test_turning_off_the_only_authenticator_is_refused_with_an_explanation(client):
    from tests.factories import TEST_PASSWORD, totp_code

    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == HTTPStatus.OK
    assert "cannot be turned off" in response.content.decode()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_the_admin_login_page_cannot_skip_the_second_step(client, admin_user):
    from tests.factories import TEST_PASSWORD

    page = client.get(reverse("admin:login"))
    response = client.post(reverse("admin:login"), {"username": admin_user.email, "password": TEST_PASSWORD})

    assert page["Location"].startswith(reverse("account_login"))
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_admins_see_authenticators_but_never_their_secrets(client, admin_user):
    from tests.factories import TEST_TOTP_SECRET

    user = UserFactory()
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:mfa_authenticator_changelist"))
    detail = client.get(reverse("admin:mfa_authenticator_change", args=[totp.pk]))

    assert listing.status_code == detail.status_code == HTTPStatus.OK
    assert TEST_TOTP_SECRET not in detail.content.decode()
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == HTTPStatus.FORBIDDEN


def test_an_admin_resets_a_lost_authenticator_and_it_is_audited(client, admin_user):
    from facilitator.models import AuditEntry

    user = UserFactory()
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    client.force_login(admin_user)

    client.post(reverse("admin:mfa_authenticator_delete", args=[totp.pk]), {"post": "yes"})

    assert not Authenticator.objects.filter(pk=totp.pk).exists()
    entry = AuditEntry.objects.get(action="account.mfa_reset_by_admin")
    assert entry.actor_id == admin_user.pk
    assert entry.target_id == str(user.pk)
    assert entry.ids == {"authenticator": totp.pk, "kind": "totp"}
    client.force_login(user)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


def test_facilitators_cannot_reset_authenticators(client, owner):
    from facilitator.services import authenticator_reset

    totp = Authenticator.objects.get(user=owner, type=Authenticator.Type.TOTP)

    with pytest.raises(PermissionDenied):
        authenticator_reset(actor=owner, authenticator=totp)


def test_totp_secrets_are_encrypted_at_rest():
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import TEST_TOTP_SECRET, totp_code

    user = UserFactory()
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)

    assert TEST_TOTP_SECRET not in str(totp.data)
    assert totp.data["secret"].startswith("fernet:")
    assert TOTP(totp).validate_code(totp_code())


def test_secrets_stored_before_encryption_still_work():
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import TEST_TOTP_SECRET, totp_code

    user = UserFactory(mfa=False)
    legacy = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": TEST_TOTP_SECRET}
    )

    assert TOTP(legacy).validate_code(totp_code())
