from http import HTTPStatus

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from facilitator.audit import audit_record
from facilitator.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_audit_record_stores_actor_action_target_and_ids(owner, group):
    entry = audit_record(actor=owner, action="group.token_rotated", target=group, previous_token_id=7)

    entry.refresh_from_db()
    assert entry.actor_id == owner.pk
    assert entry.action == "group.token_rotated"
    assert entry.target_type == ContentType.objects.get_for_model(group)
    assert entry.target_id == str(group.pk)
    assert entry.ids == {"previous_token_id": 7}
    assert entry.created_at is not None


def test_audit_record_accepts_no_actor_for_system_events():
    entry = audit_record(actor=None, action="account.invitation_expired", invitation_id=3)

    assert entry.actor_id is None
    assert entry.target_type is None
    assert entry.target_id == ""


def test_audit_record_stores_a_model_passed_as_an_id_by_its_primary_key(owner, group):
    entry = audit_record(actor=owner, action="group.facilitator_added", group=group)

    assert entry.ids == {"group": group.pk}


def test_audit_record_keeps_the_actor_id_after_the_account_is_deleted(owner):
    entry = audit_record(actor=owner, action="account.login")
    owner_id = owner.pk
    owner.delete()

    entry.refresh_from_db()
    assert entry.actor_id == owner_id


@pytest.mark.parametrize("action", ["login", "Account.Login", "account.", "account login", ""])
def test_audit_record_refuses_an_action_that_is_not_a_dotted_name(owner, action):
    with pytest.raises(ValueError):
        audit_record(actor=owner, action=action)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "ids",
    [
        {"note": "a" * 65},
        {"reason": ["a", "list"]},
        {"payload": {"nested": 1}},
        {"Bad-Key": 1},
        {f"id_{n}": n for n in range(11)},
    ],
)
def test_audit_record_refuses_anything_but_a_few_short_ids(owner, ids):
    with pytest.raises(ValueError):
        audit_record(actor=owner, action="group.updated", **ids)
    assert not AuditEntry.objects.exists()


def test_audit_record_refuses_an_unsaved_target(owner):
    from groups.models import Group

    with pytest.raises(ValueError):
        audit_record(actor=owner, action="group.updated", target=Group(name="unsaved"))


def test_admins_can_read_the_audit_log_in_the_admin(client, admin_user, owner):
    entry = audit_record(actor=owner, action="account.login")
    client.force_login(admin_user)

    listing = client.get(reverse("admin:facilitator_auditentry_changelist"))
    detail = client.get(reverse("admin:facilitator_auditentry_change", args=[entry.pk]))

    assert listing.status_code == HTTPStatus.OK
    assert b"account.login" in listing.content
    assert detail.status_code == HTTPStatus.OK


def test_staff_without_model_permissions_can_still_read_the_audit_log(client, db):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=False)
    client.force_login(staff)

    response = client.get(reverse("admin:facilitator_auditentry_changelist"))

    assert response.status_code == HTTPStatus.OK


def test_nobody_can_add_change_or_delete_audit_entries_in_the_admin(client, admin_user, owner):
    entry = audit_record(actor=owner, action="account.login")
    client.force_login(admin_user)

    add = client.get(reverse("admin:facilitator_auditentry_add"))
    delete = client.post(reverse("admin:facilitator_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    change = client.post(reverse("admin:facilitator_auditentry_change", args=[entry.pk]), {"action": "x.y"})

    assert add.status_code == HTTPStatus.FORBIDDEN
    assert delete.status_code == HTTPStatus.FORBIDDEN
    assert change.status_code == HTTPStatus.FORBIDDEN
    entry.refresh_from_db()
    assert entry.action == "account.login"


def test_facilitators_cannot_see_the_audit_log(client, owner):
    client.force_login(owner)

    response = client.get(reverse("admin:facilitator_auditentry_changelist"))

    assert response.status_code == HTTPStatus.FOUND
