"""What an admin does to accounts in the Django admin lands in the audit log: who did
it, to which account, and a dotted action name; never an address or a name."""

import json
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group as PermissionGroup
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from facilitator.models import AuditEntry, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh admin-set passphrase 91"


@pytest.fixture
def admin(login, admin_user):
    client = login(admin_user)
    AuditEntry.objects.all().delete()  # signing in is audited too; these tests look at what follows
    return client


def _entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("id"))


def _summary(entries) -> list[tuple]:
    return [(entry.action, entry.target_id, entry.ids) for entry in entries]


def _assert_nothing_identifying(*people: User) -> None:
    stored = json.dumps(
        [[entry.action, entry.target_id, entry.ids] for entry in AuditEntry.objects.all()], default=str
    )
    for person in people:
        assert person.email not in stored
        if person.display_name:
            assert person.display_name not in stored


def _change(client, user: User, **fields):
    """Post the admin's change form for ``user`` as it stands, with ``fields`` changed."""
    user = User.objects.get(pk=user.pk)
    joined = timezone.localtime(user.date_joined)
    last_login = timezone.localtime(user.last_login) if user.last_login else None
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        # A field with a callable default is compared with the hidden copy the page sends.
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": last_login.strftime("%Y-%m-%d") if last_login else "",
        "last_login_1": last_login.strftime("%H:%M:%S") if last_login else "",
        "groups": list(user.groups.values_list("pk", flat=True)),
        "user_permissions": list(user.user_permissions.values_list("pk", flat=True)),
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if fields.pop(flag, getattr(user, flag)):
            data[flag] = "on"
    data.update(fields)
    response = client.post(reverse("admin:facilitator_user_change", args=[user.pk]), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    return response


def test_an_admin_creating_an_account_is_recorded_without_its_address(admin, admin_user):
    response = admin.post(
        reverse("admin:facilitator_user_add"),
        {"email": "newcomer@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == HTTPStatus.FOUND
    created = User.objects.get(email="newcomer@example.org")
    [entry] = _entries()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "account.admin_created",
        admin_user.pk,
        str(created.pk),
    )
    assert entry.ids == {"staff": False, "superuser": False}
    _assert_nothing_identifying(created)


def test_saving_an_account_unchanged_records_nothing(admin, owner):
    _change(admin, owner)

    assert _entries() == []


def test_granting_and_removing_admin_rights_is_recorded_flag_by_flag(admin, admin_user, owner):
    _change(admin, owner, is_staff=True, is_superuser=True)
    _change(admin, owner, is_superuser=False)

    target = str(owner.pk)
    assert _summary(_entries()) == [
        ("account.role_changed", target, {"flag": "is_staff", "granted": True}),
        ("account.role_changed", target, {"flag": "is_superuser", "granted": True}),
        ("account.role_changed", target, {"flag": "is_superuser", "granted": False}),
    ]
    assert {entry.actor_id for entry in _entries()} == {admin_user.pk}
    _assert_nothing_identifying(owner, admin_user)


def test_deactivating_and_reactivating_an_account_is_recorded(admin, owner):
    _change(admin, owner, is_active=False)
    owner.refresh_from_db()
    assert not owner.is_active
    _change(admin, owner, is_active=True)

    assert [entry.action for entry in _entries()] == ["account.deactivated", "account.reactivated"]
    assert {entry.target_id for entry in _entries()} == {str(owner.pk)}


def test_permission_groups_and_permissions_are_recorded_by_id(admin, owner):
    editors = PermissionGroup.objects.create(name="Library editors")
    permission = Permission.objects.get(codename="view_auditentry")

    _change(admin, owner, groups=[editors.pk], user_permissions=[permission.pk])
    _change(admin, owner, groups=[], user_permissions=[])

    target = str(owner.pk)
    assert _summary(_entries()) == [
        ("account.permission_group_added", target, {"permission_group": editors.pk}),
        ("account.permission_granted", target, {"permission": permission.pk}),
        ("account.permission_group_removed", target, {"permission_group": editors.pk}),
        ("account.permission_revoked", target, {"permission": permission.pk}),
    ]


def test_changing_the_address_or_name_is_recorded_without_either_value(admin, owner):
    old = User.objects.get(pk=owner.pk)

    _change(admin, owner, email="alice.new@example.org", display_name="Alice Newname")

    assert _summary(_entries()) == [
        ("account.email_changed_by_admin", str(owner.pk), {}),
        ("account.profile_changed_by_admin", str(owner.pk), {"field": "display_name"}),
    ]
    owner.refresh_from_db()
    _assert_nothing_identifying(old, owner)


def test_a_new_address_set_by_an_admin_replaces_the_old_one_and_must_be_confirmed(admin, owner):
    from allauth.account.models import EmailAddress
    from django.core import mail
    from django.test import Client

    from tests.factories import TEST_PASSWORD

    client = Client()

    old_address = owner.email
    assert EmailAddress.objects.get(user=owner).verified

    _change(admin, owner, email="alice.new@example.org")

    assert list(EmailAddress.objects.filter(user=owner).values_list("email", "primary", "verified")) == [
        ("alice.new@example.org", True, False)
    ]
    # No password reset link can go to the old address any more (at most the notice
    # that the address has no account).
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": old_address})
    to_old = [message.body for message in mail.outbox if old_address in message.to]
    assert not any("/accounts/password/reset/key/" in body for body in to_old)
    # Signing in with the new address asks for it to be confirmed first.
    mail.outbox.clear()
    response = client.post(
        reverse("account_login"), {"login": "alice.new@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("account_email_verification_sent")
    assert [message.to for message in mail.outbox] == [["alice.new@example.org"]]


def test_setting_a_password_in_the_admin_is_recorded(admin, admin_user, owner):
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[owner.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == HTTPStatus.FOUND
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    [entry] = _entries()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "account.password_set_by_admin",
        admin_user.pk,
        str(owner.pk),
    )
    assert NEW_PASSWORD not in json.dumps(entry.ids)


def test_turning_off_password_sign_in_is_recorded(admin, owner):
    admin.post(
        reverse("admin:auth_user_password_change", args=[owner.pk]),
        {"usable_password": "false", "unset-password": "1"},
    )

    owner.refresh_from_db()
    assert not owner.has_usable_password()
    assert [entry.action for entry in _entries()] == ["account.password_disabled_by_admin"]


@pytest.mark.parametrize(
    "data",
    [
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": "not the same one 12"},
        # Django redirects a conflicting submission without saving anything.
        {"usable_password": "false", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    ],
    ids=["mismatch", "conflicting"],
)
def test_a_password_form_that_saves_nothing_records_nothing(admin, owner, data):
    admin.post(reverse("admin:auth_user_password_change", args=[owner.pk]), data)

    owner.refresh_from_db()
    assert owner.has_usable_password()
    assert _entries() == []


def test_deleting_an_account_is_recorded_with_its_id(admin, admin_user, owner):
    response = admin.post(reverse("admin:facilitator_user_delete", args=[owner.pk]), {"post": "yes"})

    assert response.status_code == HTTPStatus.FOUND
    assert not User.objects.filter(pk=owner.pk).exists()
    [entry] = _entries()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "account.deleted",
        admin_user.pk,
        str(owner.pk),
    )
    _assert_nothing_identifying(owner)


def test_deleting_accounts_from_the_list_records_each_one(admin, owner, cofacilitator):
    response = admin.post(
        reverse("admin:facilitator_user_changelist"),
        {"action": "delete_selected", "_selected_action": [owner.pk, cofacilitator.pk], "post": "yes"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert not User.objects.filter(pk__in=[owner.pk, cofacilitator.pk]).exists()
    assert sorted(_summary(_entries())) == sorted(
        [("account.deleted", str(owner.pk), {}), ("account.deleted", str(cofacilitator.pk), {})]
    )


def test_a_facilitator_cannot_change_accounts_in_the_admin_and_nothing_is_recorded(
    login, owner, cofacilitator
):
    client = login(owner)
    AuditEntry.objects.all().delete()

    response = client.post(
        reverse("admin:facilitator_user_change", args=[cofacilitator.pk]),
        {"email": cofacilitator.email, "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response["Location"]
    cofacilitator.refresh_from_db()
    assert not cofacilitator.is_staff
    assert _entries() == []


def test_a_staff_account_without_the_user_permissions_is_refused_and_nothing_is_recorded(login, owner):
    staff = UserFactory(is_staff=True)
    client = login(staff)
    AuditEntry.objects.all().delete()

    response = client.post(
        reverse("admin:auth_user_password_change", args=[owner.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    owner.refresh_from_db()
    assert not owner.check_password(NEW_PASSWORD)
    assert _entries() == []
