import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from facilitator import services, tasks
from facilitator.models import AuditEntry, Invitation, User, invitation_token_hash
from facilitator.schedule import BEAT_SCHEDULE

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "lantern orchard seventeen"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def invite(monkeypatch, django_capture_on_commit_callbacks):
    """Invite someone as an admin; the email task runs in-process once the transaction commits."""
    monkeypatch.setattr(tasks.send_invitation, "delay", lambda *args: tasks.send_invitation.apply(args=args))

    def _invite(admin_user, email="newperson@example.org") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            services.invitation_create(invited_by=admin_user, email=email)
        return _link_from(mail.outbox[-1])

    return _invite


def _link_from(message) -> str:
    match = re.search(r"https?://\S+/accounts/invitation/[\w-]+/", message.body)
    assert match, message.body
    return "/" + match.group(0).split("://", 1)[1].split("/", 1)[1]


def _accept(client, link, password=GOOD_PASSWORD, password2=None, name="Dana"):
    return client.post(
        link,
        {
            "display_name": name,
            "password1": password,
            "password2": password if password2 is None else password2,
        },
    )


def test_an_admin_invitation_emails_a_link_after_the_transaction_commits(admin_user, invite):
    invite(admin_user, email="NewPerson@Example.org")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newperson@example.org"]
    assert "/accounts/invitation/" in message.body
    invitation = Invitation.objects.get()
    assert invitation.status() == Invitation.Status.PENDING
    assert invitation.expires_at > timezone.now() + timedelta(hours=71)


def test_nothing_is_sent_before_the_transaction_commits(
    admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.send_invitation, "delay", lambda pk, request: sent.append(pk))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = services.invitation_create(invited_by=admin_user, email="newperson@example.org")

    assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [invitation.pk]


def test_the_database_holds_only_a_hash_of_the_link(admin_user, invite):
    link = invite(admin_user)
    token = link.rstrip("/").rsplit("/", 1)[1]

    invitation = Invitation.objects.get()
    assert invitation.token_hash == invitation_token_hash(token)
    assert token not in str(Invitation.objects.values().get())


def test_facilitators_cannot_invite(owner):
    with pytest.raises(PermissionDenied):
        services.invitation_create(invited_by=owner, email="newperson@example.org")


def test_an_address_with_an_account_cannot_be_invited(admin_user, owner):
    with pytest.raises(ValidationError):
        services.invitation_create(invited_by=admin_user, email=owner.email.upper())


def test_inviting_again_withdraws_the_earlier_link(admin_user, client, invite):
    first = invite(admin_user)
    second = invite(admin_user)

    assert client.get(first).status_code == HTTPStatus.NOT_FOUND
    assert client.get(second).status_code == HTTPStatus.OK


def test_the_invitation_page_shows_the_address_and_a_password_form(admin_user, client, invite):
    link = invite(admin_user)

    response = client.get(link)

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "newperson@example.org" in page
    assert 'autocomplete="new-password"' in page
    assert "sign up" not in page.lower()


def test_accepting_creates_a_verified_account_and_asks_for_totp_next(admin_user, client, invite):
    link = invite(admin_user)

    response = _accept(client, link)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("mfa_activate_totp")
    user = User.objects.get(email="newperson@example.org")
    assert user.display_name == "Dana"
    assert not user.is_staff
    assert user.check_password(GOOD_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None and invitation.user == user
    assert invitation.token_hash == ""
    # The authenticator set-up opens straight away, without asking for the password again.
    assert client.get(reverse("mfa_activate_totp")).status_code == HTTPStatus.OK
    # ... and nothing else does until it is done.
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


def test_a_link_works_only_once(admin_user, client, invite):
    link = invite(admin_user)
    _accept(client, link)
    client.logout()

    response = client.get(link)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "does not work" in response.content.decode()


def test_an_expired_link_is_refused_with_a_clear_message(admin_user, client, invite):
    link = invite(admin_user)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = _accept(client, link)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="newperson@example.org").exists()


@pytest.mark.parametrize(
    ("password", "password2", "message"),
    [
        ("short1!", None, "too short"),
        ("password123", None, "too common"),
        ("12345678901234", None, "entirely numeric"),
        ("newperson@example.org", None, "too similar"),
        (GOOD_PASSWORD, "something else entirely", "not the same"),
    ],
)
def test_a_weak_or_mismatched_password_is_refused_and_the_name_kept(
    admin_user, client, invite, password, password2, message
):
    link = invite(admin_user)

    response = _accept(client, link, password=password, password2=password2, name="Dana Q")

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert message in page
    assert 'value="Dana Q"' in page
    assert not User.objects.filter(email="newperson@example.org").exists()


def test_a_64_character_passphrase_is_accepted(admin_user, client, invite):
    link = invite(admin_user)
    passphrase = "correct horse battery staple " * 2 + "x" * 6
    assert len(passphrase) == 64

    _accept(client, link, password=passphrase)

    assert User.objects.get(email="newperson@example.org").check_password(passphrase)


def test_an_absurdly_long_password_gets_a_message_not_an_error(admin_user, client, invite):
    link = invite(admin_user)

    response = _accept(client, link, password="x" * 5000)

    assert response.status_code == HTTPStatus.OK
    assert "at most 256 characters" in response.content.decode()


def test_a_signed_in_account_is_asked_to_sign_out_first(admin_user, client, owner, invite):
    link = invite(admin_user)
    client.force_login(owner)

    response = client.get(link)

    assert response.status_code == HTTPStatus.OK
    assert "Sign out first" in response.content.decode()
    assert Invitation.objects.get().accepted_at is None


def test_guessing_links_is_blocked_by_the_sixth_wrong_one(admin_user, client, invite):
    link = invite(admin_user)
    for n in range(5):
        response = client.get(f"/accounts/invitation/guess{n}/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert response.status_code == HTTPStatus.NOT_FOUND

    response = client.get(link, HTTP_X_FORWARDED_FOR="203.0.113.1")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many attempts" in response.content.decode()


def test_five_failed_submissions_for_one_link_pause_it(admin_user, client, invite):
    link = invite(admin_user)
    for _ in range(5):
        _accept(client, link, password="short", password2=None)
        client.cookies.clear()

    response = client.post(
        link,
        {"display_name": "Dana", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
        REMOTE_ADDR="192.0.2.44",
    )

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_sending_and_accepting_are_audited_with_ids_only(admin_user, client, invite):
    link = invite(admin_user)
    _accept(client, link)

    invitation = Invitation.objects.get()
    entries = AuditEntry.objects.filter(target_id=str(invitation.pk)).order_by("id")
    assert [e.action for e in entries] == [
        "account.invitation_created",
        "account.invitation_sent",
        "account.invitation_accepted",
    ]
    assert entries[1].actor_id == admin_user.pk
    assert entries[2].actor_id == invitation.user_id


def test_the_sweep_forgets_expired_links(admin_user, invite):
    invite(admin_user)
    invite(admin_user, email="other@example.org")
    Invitation.objects.filter(email="other@example.org").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    tasks.expire_invitations.apply()

    assert Invitation.objects.get(email="other@example.org").token_hash == ""
    assert Invitation.objects.get(email="newperson@example.org").token_hash != ""
    assert AuditEntry.objects.filter(action="account.invitation_expired").count() == 1


def test_the_expiry_sweep_is_scheduled():
    tasks_scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}

    assert "facilitator.tasks.expire_invitations" in tasks_scheduled


def test_sending_again_makes_a_new_link_and_kills_the_old_one(admin_user, client, invite):
    first = invite(admin_user)

    tasks.send_invitation.apply(args=[Invitation.objects.get().pk])
    second = _link_from(mail.outbox[-1])

    assert first != second
    assert client.get(first).status_code == HTTPStatus.NOT_FOUND
    assert client.get(second).status_code == HTTPStatus.OK


def test_an_accepted_invitation_is_never_sent_again(admin_user, client, invite):
    link = invite(admin_user)
    _accept(client, link)
    sent = len(mail.outbox)

    assert services.invitation_send(invitation_id=Invitation.objects.get().pk) is False
    assert len(mail.outbox) == sent


def test_an_admin_invites_from_the_admin_and_the_email_goes_out(
    admin_user, client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.send_invitation, "delay", lambda *args: tasks.send_invitation.apply(args=args))
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:facilitator_invitation_add"), {"email": "newperson@example.org"}
        )

    assert response.status_code == HTTPStatus.FOUND
    assert Invitation.objects.get().invited_by == admin_user
    assert mail.outbox[-1].to == ["newperson@example.org"]


def test_the_admin_form_refuses_an_address_that_has_an_account(admin_user, client, owner):
    client.force_login(admin_user)

    response = client.post(reverse("admin:facilitator_invitation_add"), {"email": owner.email})

    assert response.status_code == HTTPStatus.OK
    assert "already exists" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_admin_form_refuses_a_malformed_address(admin_user, client):
    client.force_login(admin_user)

    response = client.post(reverse("admin:facilitator_invitation_add"), {"email": "not an address"})

    assert response.status_code == HTTPStatus.OK
    assert "valid email" in response.content.decode()


def test_admins_can_send_an_invitation_again_from_the_list(
    admin_user, client, invite, django_capture_on_commit_callbacks
):
    invite(admin_user)
    client.force_login(admin_user)
    invitation = Invitation.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:facilitator_invitation_changelist"),
            {"action": "send_again", "_selected_action": [invitation.pk]},
        )

    assert len(mail.outbox) == 2


def test_facilitators_cannot_reach_invitations_in_the_admin(owner, client):
    client.force_login(owner)

    response = client.get(reverse("admin:facilitator_invitation_changelist"))

    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response["Location"]


def _requested(admin_user, monkeypatch, django_capture_on_commit_callbacks, email="newperson@example.org"):
    """Invite, keeping the published message (invitation id, request) instead of running it."""
    published = []
    monkeypatch.setattr(tasks.send_invitation, "delay", lambda *args: published.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(invited_by=admin_user, email=email)
    return published


def test_the_same_send_message_delivered_twice_emails_once(
    admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    [message] = _requested(admin_user, monkeypatch, django_capture_on_commit_callbacks)

    tasks.send_invitation.apply(args=message)
    tasks.send_invitation.apply(args=message)

    assert len(mail.outbox) == 1
    assert Invitation.objects.get().send_request == ""


def test_a_send_message_replaced_by_a_newer_send_again_sends_only_the_newer(
    admin_user, client, monkeypatch, django_capture_on_commit_callbacks
):
    [first] = _requested(admin_user, monkeypatch, django_capture_on_commit_callbacks)
    published = []
    monkeypatch.setattr(tasks.send_invitation, "delay", lambda *args: published.append(args))
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:facilitator_invitation_changelist"),
            {"action": "send_again", "_selected_action": [Invitation.objects.get().pk]},
        )
    [second] = published

    tasks.send_invitation.apply(args=first)  # arrives late, after the admin asked again
    tasks.send_invitation.apply(args=second)
    tasks.send_invitation.apply(args=second)

    assert len(mail.outbox) == 1
    assert client.get(_link_from(mail.outbox[0])).status_code == HTTPStatus.OK


def test_a_send_again_whose_message_was_lost_is_sent_by_the_sweep(
    admin_user, client, monkeypatch, django_capture_on_commit_callbacks, invite
):
    invite(admin_user)
    monkeypatch.setattr(tasks.send_invitation, "delay", lambda *args: None)  # the message is lost
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:facilitator_invitation_changelist"),
            {"action": "send_again", "_selected_action": [Invitation.objects.get().pk]},
        )
    Invitation.objects.update(send_requested_at=timezone.now() - timedelta(minutes=6))

    tasks.expire_invitations()
    tasks.expire_invitations()

    assert len(mail.outbox) == 2


def test_a_replaced_invitation_is_never_sent_by_the_sweep(
    admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    _requested(admin_user, monkeypatch, django_capture_on_commit_callbacks)  # its message was lost
    _requested(admin_user, monkeypatch, django_capture_on_commit_callbacks)  # invited again: replaces it
    Invitation.objects.update(send_requested_at=timezone.now() - timedelta(minutes=6))

    tasks.expire_invitations()

    assert len(mail.outbox) == 1
    assert Invitation.objects.filter(sent_at__isnull=False).count() == 1
    assert Invitation.objects.order_by("-created_at").first().sent_at is not None
