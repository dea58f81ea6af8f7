import secrets
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from facilitator.audit import audit_record
from facilitator.celery import publish
from facilitator.models import (
    AuditEntry,
    Invitation,
    PasswordResetRequest,
    TaskHeartbeat,
    User,
    invitation_token_hash,
)
from facilitator.selectors import account_has_second_factor


def heartbeat_record(*, name: str) -> TaskHeartbeat:
    """Record that a periodic task ran now (idempotent per call: one row per task)."""
    now = timezone.now()
    updated = TaskHeartbeat.objects.filter(name=name).update(last_run_at=now, runs=F("runs") + 1)
    if not updated:
        TaskHeartbeat.objects.get_or_create(name=name, defaults={"last_run_at": now, "runs": 1})
    return TaskHeartbeat.objects.get(name=name)


# --- Password resets -------------------------------------------------------------


def password_reset_request(*, user: User | None) -> PasswordResetRequest:
    """Ask a worker to email ``user`` a password-reset link; for an address with no
    account (``user`` None) the same row and the same publish, and no mail later:
    the form's work and time do not depend on whether the account exists."""
    request = PasswordResetRequest.objects.create(user=user)
    transaction.on_commit(lambda: publish("facilitator.tasks.send_password_reset", request.pk))
    return request


def password_reset_send(*, request_id: int) -> bool:
    """Carry out one reset request, once: email the account its link (a request for
    an address without an account sends nothing) and delete the row. A failed send
    keeps the row (the transaction rolls back), for the task's retry or the sweep.
    True if a mail went out."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    with transaction.atomic():
        # No join: PostgreSQL cannot lock the nullable side of an outer join.
        request = PasswordResetRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            return False
        user = User.objects.filter(pk=request.user_id).first() if request.user_id else None
        request.delete()
        if user is None or not user.is_active:
            return False
        path = reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
        )
        context = {"reset_url": settings.SITE_URL + path, "site_url": settings.SITE_URL}
        subject = render_to_string("emails/password_reset_subject.txt", context).strip()
        body = render_to_string("emails/password_reset_body.txt", context)
        send_mail(subject, body, None, [user.email])
    return True


# --- Invitations ------------------------------------------------------------------


def invitation_create(*, invited_by: User, email: str) -> Invitation:
    """Invite ``email`` to become a facilitator; the email goes out from a worker.

    Only admins (staff) may invite. An address that already has an account cannot
    be invited; an earlier unaccepted invitation to the same address is withdrawn.
    """
    if not (invited_by.is_active and invited_by.is_staff):
        raise PermissionDenied(_("Only admins can invite facilitators."))
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("An account with this address already exists.")}, code="account_exists"
        )
    with transaction.atomic():
        Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True, for_account=None).update(
            token_hash="", expires_at=timezone.now(), send_request="", send_requested_at=None
        )
        invitation = Invitation.objects.create(email=email, invited_by=invited_by)
        audit_record(actor=invited_by, action="account.invitation_created", target=invitation)
        invitation_enqueue(invitation=invitation)
    return invitation


def invitation_enqueue(*, invitation: Invitation) -> None:
    """Ask for the invitation to be sent (or sent again) by a worker once the current
    transaction commits; only the newest request is ever carried out."""
    request = secrets.token_hex(16)
    Invitation.objects.filter(pk=invitation.pk).update(send_request=request, send_requested_at=timezone.now())
    # Bounded and non-fatal: with the broker down the request stays in the database
    # and the invitations sweep carries it out.
    transaction.on_commit(lambda: publish("facilitator.tasks.send_invitation", invitation.pk, request))


def invitation_send(*, invitation_id: int, request: str | None = None) -> bool:
    """Make a fresh link for a not-yet-accepted invitation and email it.

    With ``request``, only if that send request is still the one waiting: a message
    delivered twice, or one a newer request replaced, sends nothing. Without it (an
    explicit call), whenever the invitation is open. Returns False (and sends nothing)
    when the invitation is gone or accepted, or the request was already carried out.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None or invitation.accepted_at:
            return False
        if request is not None and invitation.send_request != request:
            return False
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invitation.token_hash = invitation_token_hash(token)
        invitation.sent_at = now
        invitation.expires_at = now + timedelta(hours=settings.INVITATION_TTL_HOURS)
        invitation.send_request = ""
        invitation.send_requested_at = None
        invitation.save(
            update_fields=["token_hash", "sent_at", "expires_at", "send_request", "send_requested_at"]
        )
        context = {
            "setup_only": invitation.for_account_id is not None,
            "accept_url": settings.SITE_URL + reverse("invitation_accept", kwargs={"token": token}),
            "expires_at": invitation.expires_at,
            "ttl_hours": settings.INVITATION_TTL_HOURS,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation_body.txt", context)
        # Inside the transaction: if the mail server refuses, the new token is not kept.
        send_mail(subject, body, None, [invitation.email])
        audit_record(actor=invitation.invited_by, action="account.invitation_sent", target=invitation)
    return True


def invitation_accept(*, invitation: Invitation, password: str, display_name: str) -> User:
    """Create the facilitator's account from a valid invitation.

    Opening the emailed link proves the address belongs to whoever holds it, so the
    address is stored as verified: this is the email verification of an invited
    account. The caller has checked the token; this re-checks it under a row lock
    so one link cannot create two accounts.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status() != Invitation.Status.PENDING:
            raise ValidationError(
                _("This invitation has expired or was already used."), code="invalid_invitation"
            )
        if User.objects.filter(email__iexact=locked.email).exists():
            raise ValidationError(_("An account with this address already exists."), code="account_exists")
        user = User.objects.create_user(
            email=locked.email, password=password, display_name=display_name.strip()
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        locked.accepted_at = timezone.now()
        locked.user = user
        locked.token_hash = ""
        locked.save(update_fields=["accepted_at", "user", "token_hash"])
        audit_record(actor=user, action="account.invitation_accepted", target=locked)
    return user


def invitations_expire() -> int:
    """Forget the token of every invitation past its expiry; return how many."""
    now = timezone.now()
    expired = list(
        Invitation.objects.filter(accepted_at__isnull=True, expires_at__lte=now)
        .exclude(token_hash="")
        .values_list("pk", flat=True)
    )
    for pk in expired:
        with transaction.atomic():
            if Invitation.objects.filter(pk=pk).exclude(token_hash="").update(token_hash=""):
                audit_record(actor=None, action="account.invitation_expired", invitation=pk)
    return len(expired)


def authenticator_reset(*, actor: User, authenticator) -> None:
    """An admin removes someone's authenticator (lost phone); audited with ids only."""
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only admins can reset a second step."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="account.mfa_reset_by_admin",
            target=authenticator.user,
            authenticator=authenticator.pk,
            kind=authenticator.type,
        )
        authenticator.delete()
        if not account_has_second_factor(authenticator.user):
            # The account gets a new one only through a link sent to its address: a
            # password alone never enrols an authenticator.
            second_factor_setup_create(actor=actor, user=authenticator.user)


def second_factor_setup_create(*, actor: User, user: User) -> Invitation:
    """Email ``user`` a single-use, expiring link to set up a second factor (the
    invitation's path): for an account without one, after a reset or an invitation
    that was left half-done. Earlier unused links for the account are withdrawn."""
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only admins can send a setup link."))
    if account_has_second_factor(user):
        raise ValueError("this account already has a second factor")
    with transaction.atomic():
        Invitation.objects.filter(for_account=user, accepted_at__isnull=True).update(
            token_hash="", expires_at=timezone.now(), send_request="", send_requested_at=None
        )
        setup = Invitation.objects.create(email=user.email, invited_by=actor, for_account=user)
        audit_record(actor=actor, action="account.second_factor_setup_created", target=user)
        invitation_enqueue(invitation=setup)
    return setup


def second_factor_setup_use(*, invitation: Invitation) -> User:
    """Spend a setup link: the account it was sent to, which then sets up its
    authenticator in the session the caller signs in. Re-checked under a row lock."""
    with transaction.atomic():
        # Not select_related: PostgreSQL cannot lock the nullable side of an outer join.
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        user = locked.for_account
        if (
            user is None
            or locked.status() != Invitation.Status.PENDING
            or not user.is_active
            or account_has_second_factor(user)
        ):
            raise ValidationError(_("This link has expired or was already used."), code="invalid_invitation")
        locked.accepted_at = timezone.now()
        locked.token_hash = ""
        locked.save(update_fields=["accepted_at", "token_hash"])
        audit_record(actor=user, action="account.second_factor_setup_used", target=user)
    return user


# --- Accounts changed by an admin in the Django admin -----------------------------

# The account fields that decide what it may do; each change is its own entry.
_ACCOUNT_ROLE_FLAGS = ("is_staff", "is_superuser")


def account_email_set_by_admin(*, user: User) -> None:
    """After an admin changed ``user.email`` in the admin: the new address becomes the
    account's only address, unverified, so sign-in asks the facilitator to confirm it
    and no sign-in link or password reset can go to the old one any more."""
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    EmailAddress.objects.update_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email, "primary": True, "verified": False},
    )


def account_admin_changes_audit(
    *, actor: User, user: User, changes: dict[str, tuple[Any, Any]]
) -> list[AuditEntry]:
    """Audit what an admin changed on ``user``'s account: one entry per change.

    ``changes`` maps each changed field to its (before, after) values; for ``groups``
    and ``user_permissions``, to sets of ids. An entry names the field, and a new
    value only where it is a flag or an id: an email address or a name never goes
    into the log."""
    entries = []
    for field, (before, after) in changes.items():
        if field in _ACCOUNT_ROLE_FLAGS:
            entries.append(
                audit_record(
                    actor=actor, action="account.role_changed", target=user, flag=field, granted=bool(after)
                )
            )
        elif field == "is_active":
            action = "account.reactivated" if after else "account.deactivated"
            entries.append(audit_record(actor=actor, action=action, target=user))
        elif field in ("groups", "user_permissions"):
            key = "permission_group" if field == "groups" else "permission"
            granted, revoked = ("added", "removed") if field == "groups" else ("granted", "revoked")
            for pk in sorted(after - before):
                entries.append(
                    audit_record(actor=actor, action=f"account.{key}_{granted}", target=user, **{key: pk})
                )
            for pk in sorted(before - after):
                entries.append(
                    audit_record(actor=actor, action=f"account.{key}_{revoked}", target=user, **{key: pk})
                )
        elif field == "email":
            # Where sign-in links and password resets go: worth its own action name.
            entries.append(audit_record(actor=actor, action="account.email_changed_by_admin", target=user))
        else:
            entries.append(
                audit_record(actor=actor, action="account.profile_changed_by_admin", target=user, field=field)
            )
    return entries


# --- Sends whose publish found the broker down -----------------------------------


def invitations_send_unsent(*, older_than_minutes: int = 5) -> int:
    """Carry out the send requests whose publish failed (the broker was down at the
    time): a new invitation or a "send again".

    Only requests left waiting for a few minutes, so a queued task normally gets there
    first; each is sent under its own request token, so it goes once."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    waiting = Invitation.objects.filter(accepted_at__isnull=True, send_requested_at__lte=cutoff).exclude(
        send_request=""
    )
    sent = 0
    for pk, request in waiting.values_list("pk", "send_request"):
        sent += invitation_send(invitation_id=pk, request=request)
    return sent


# A reset link asked for longer ago than this is not sent late: whoever asked has
# given up or asked again, and a link arriving an hour later only surprises.
PASSWORD_RESET_GIVE_UP_MINUTES = 60


def password_resets_send_waiting(*, older_than_minutes: int = 2) -> int:
    """Carry out the password-reset requests whose task never came (the broker was
    down): those waiting a few minutes, so a queued task normally gets there first;
    each is sent once (``password_reset_send`` deletes it). Requests older than
    ``PASSWORD_RESET_GIVE_UP_MINUTES`` are dropped unsent. Returns how many were sent."""
    now = timezone.now()
    PasswordResetRequest.objects.filter(
        created_at__lt=now - timedelta(minutes=PASSWORD_RESET_GIVE_UP_MINUTES)
    ).delete()
    waiting = PasswordResetRequest.objects.filter(
        created_at__lte=now - timedelta(minutes=older_than_minutes)
    ).values_list("pk", flat=True)
    return sum(password_reset_send(request_id=pk) for pk in list(waiting[:200]))
