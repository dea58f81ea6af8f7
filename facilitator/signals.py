"""Audit entries for account events, from Django's, allauth's and allauth MFA's signals.

Only ids go into the log: never the email address that was typed, a password, an
IP address or a user agent.
"""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from facilitator.audit import audit_record
from facilitator.middleware import session_lifetime_start


@receiver(auth_signals.user_logged_in, dispatch_uid="facilitator.logged_in")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_lifetime_start(request.session)
    audit_record(actor=user, action="account.logged_in", target=user)


@receiver(auth_signals.user_login_failed, dispatch_uid="facilitator.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The typed address is not stored; if it belongs to an account, that account's id is.
    typed = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    user = get_user_model().objects.filter(email__iexact=str(typed).strip()).first() if typed else None
    audit_record(actor=None, action="account.login_failed", target=user)


@receiver(auth_signals.user_logged_out, dispatch_uid="facilitator.logged_out")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="account.logged_out", target=user)


@receiver(account_signals.password_changed, dispatch_uid="facilitator.password_changed")
def _password_changed(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="account.password_changed", target=user)


@receiver(account_signals.password_set, dispatch_uid="facilitator.password_set")
def _password_set(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="account.password_set", target=user)


@receiver(account_signals.password_reset, dispatch_uid="facilitator.password_reset")
def _password_reset(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="account.password_reset", target=user)


@receiver(mfa_signals.authenticator_added, dispatch_uid="facilitator.mfa_added")
def _mfa_added(sender, request, user, authenticator, **kwargs) -> None:
    audit_record(
        actor=user,
        action="account.mfa_added",
        target=user,
        authenticator=authenticator.pk,
        kind=authenticator.type,
    )


@receiver(mfa_signals.authenticator_removed, dispatch_uid="facilitator.mfa_removed")
def _mfa_removed(sender, request, user, authenticator, **kwargs) -> None:
    audit_record(
        actor=user,
        action="account.mfa_removed",
        target=user,
        authenticator=authenticator.pk,
        kind=authenticator.type,
    )


@receiver(mfa_signals.authenticator_reset, dispatch_uid="facilitator.mfa_reset")
def _mfa_reset(sender, request, user, authenticator, **kwargs) -> None:
    audit_record(
        actor=user,
        action="account.mfa_reset",
        target=user,
        authenticator=authenticator.pk,
        kind=authenticator.type,
    )


@receiver(mfa_signals.authentication_failed, dispatch_uid="facilitator.mfa_failed")
def _mfa_failed(sender, request, user, authenticator, **kwargs) -> None:
    audit_record(
        actor=None,
        action="account.mfa_failed",
        target=user,
        kind=authenticator.type if authenticator else None,
    )
