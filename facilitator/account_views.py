"""Accepting an invitation: the one way a new facilitator account comes to exist."""

from http import HTTPStatus

from allauth.account.internal.flows.login import record_authentication
from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from facilitator import selectors, services
from facilitator.forms import InvitationAcceptForm
from facilitator.models import invitation_token_hash

RATE_ACTION = "invitation_accept"


def _rate_allows(request: HttpRequest, key: str, *, dry_run: bool) -> bool:
    # limit_get: guessing links with GET must count too (allauth skips GETs by default).
    usage = ratelimit.consume(
        request, app="allauth.account", action=RATE_ACTION, key=key, dry_run=dry_run, limit_get=True
    )
    return bool(usage)


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    key = invitation_token_hash(token)
    if not _rate_allows(request, key, dry_run=True):
        return render(request, "account/invitation_limited.html", status=HTTPStatus.TOO_MANY_REQUESTS)

    invitation = selectors.invitation_for_token(token=token)
    if invitation is None:
        _rate_allows(request, key, dry_run=False)
        return render(request, "account/invitation_invalid.html", status=HTTPStatus.NOT_FOUND)

    if request.user.is_authenticated:
        return render(
            request, "account/invitation_accept.html", {"invitation": invitation, "signed_in": True}
        )

    if invitation.for_account_id is not None:
        return _second_factor_setup(request, invitation, key)

    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    invitation=invitation,
                    password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                # The password was typed seconds ago: setting up the authenticator
                # next should not ask for it again.
                record_authentication(request, user, method="password", reauthenticated=True)
                messages.success(
                    request, _("Your account is ready. One more step: set up your authenticator app.")
                )
                return redirect("mfa_activate_totp")
        _rate_allows(request, key, dry_run=False)
    return render(request, "account/invitation_accept.html", {"invitation": invitation, "form": form})


def _second_factor_setup(request: HttpRequest, invitation, key: str) -> HttpResponse:
    """A setup link: opening it shows a button (a mail scanner that opens links spends
    nothing); pressing it signs the account in, confined to setting up its second
    factor (RequireSecondFactorMiddleware), and leads there."""
    if request.method == "POST":
        try:
            user = services.second_factor_setup_use(invitation=invitation)
        except ValidationError:
            _rate_allows(request, key, dry_run=False)
            return render(request, "account/invitation_invalid.html", status=HTTPStatus.NOT_FOUND)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # The link proved the address; the authenticator is set up next, at once.
        record_authentication(request, user, method="password", reauthenticated=True)
        return redirect("mfa_activate_totp")
    return render(request, "account/second_factor_setup.html", {"invitation": invitation})
