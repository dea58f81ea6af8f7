from datetime import timedelta

from django.utils import timezone

from facilitator.models import Invitation, invitation_token_hash
from tests.authz import OK, REDIRECT, Rule, World, everyone, per_role, signed_in

INVITATION_TOKEN = "authz-matrix-invitation-token"


def _pending_invitation(world: World) -> None:
    now = timezone.now()
    Invitation.objects.create(
        email="invitee@example.org",
        invited_by=world.users["admin"],
        token_hash=invitation_token_hash(INVITATION_TOKEN),
        sent_at=now,
        expires_at=now + timedelta(hours=1),
    )


RULES = [
    Rule("home", signed_in(OK)),
    Rule("healthz", everyone(OK)),
    Rule("favicon", everyone(REDIRECT)),
    Rule(
        "admin:index",
        per_role(anonymous=REDIRECT, owner=REDIRECT, cofacilitator=REDIRECT, outsider=REDIRECT, admin=OK),
    ),
    Rule(
        "admin:facilitator_auditentry_changelist",
        per_role(anonymous=REDIRECT, owner=REDIRECT, cofacilitator=REDIRECT, outsider=REDIRECT, admin=OK),
    ),
    Rule(
        "admin:facilitator_invitation_add",
        per_role(anonymous=REDIRECT, owner=REDIRECT, cofacilitator=REDIRECT, outsider=REDIRECT, admin=OK),
    ),
    Rule(
        "account_login",
        per_role(anonymous=OK, owner=REDIRECT, cofacilitator=REDIRECT, outsider=REDIRECT, admin=REDIRECT),
    ),
    Rule("account_reset_password", everyone(OK)),
    Rule("account_change_password", signed_in(OK)),
    Rule("mfa_index", signed_in(OK)),
    # Anyone holding a valid link sees the page; a signed-in account is told to sign out
    # first. An unknown link is a 404 for everyone (tests/facilitator/test_invitations.py).
    Rule(
        "invitation_accept",
        everyone(OK),
        kwargs=lambda world: {"token": INVITATION_TOKEN},
        setup=_pending_invitation,
    ),
]

# URL names owned by Django's admin and allauth, which carry their own access
# checks. Each prefix is sampled by at least one explicit rule above.
DELEGATED_PREFIXES = {
    "admin:": "Django admin: staff only, checked by admin.site.admin_view",
    "account_": "allauth account views: public entry points or login_required inside allauth",
    "mfa_": "allauth MFA views: login_required inside allauth",
}
