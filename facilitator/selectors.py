"""Reads that decide who someone is and what they may see at the account level.

Roles: an admin is an active staff account; a facilitator is any other active
account. Group-level permissions live in ``groups.selectors``.
"""

from allauth.mfa.models import Authenticator
from django.utils import timezone

from facilitator.models import Invitation, User, invitation_token_hash


def account_is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def account_has_second_factor(user) -> bool:
    """An authenticator app or a passkey. Recovery codes alone are not a second
    factor: they only back one up."""
    return Authenticator.objects.filter(
        user_id=user.pk, type__in=(Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
    ).exists()


def account_is_facilitator(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and not user.is_staff)


def invitation_for_token(*, token: str) -> Invitation | None:
    """The pending invitation whose link carries ``token``, or None."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.filter(
            token_hash=invitation_token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .exclude(token_hash="")
        .first()
    )


def invitations_visible_to(*, user: User):
    """Admins see every invitation; nobody else sees any."""
    if not account_is_admin(user):
        return Invitation.objects.none()
    return Invitation.objects.select_related("invited_by", "user")


def invitations_unsent_count(*, requested_before) -> int:
    """Invitations asked to be sent before ``requested_before`` and not sent yet."""
    return (
        Invitation.objects.filter(accepted_at__isnull=True, send_requested_at__lte=requested_before)
        .exclude(send_request="")
        .count()
    )
