"""Request-wide security rules for signed-in accounts.

The paths that never require an account (member pages, health checks, static
files) are listed once, in ``PUBLIC_PREFIXES``; every middleware here uses them.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Member-facing pages have no login; the account pages are allauth's own and must
# stay reachable for an account that is still setting up its second factor.
PUBLIC_PREFIXES: tuple[str, ...] = ("/g/", "/c/", "/help", "/safety", "/healthz")
ACCOUNT_PREFIXES: tuple[str, ...] = ("/accounts/",)


def _static_prefixes() -> tuple[str, ...]:
    return tuple(p for p in ("/" + settings.STATIC_URL.lstrip("/"), "/favicon.ico") if p != "/")


def is_member_or_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES + _static_prefixes())


def is_account_path(path: str) -> bool:
    return path.startswith(ACCOUNT_PREFIXES)


def account_has_second_factor(user) -> bool:
    # Recovery codes alone are not a second factor: they only back one up.
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user_id=user.pk, type__in=(Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
    ).exists()


class RequireSecondFactorMiddleware:
    """Send a signed-in account without TOTP (or a passkey) to set one up first.

    Everything but the account pages, member pages and static files is out of
    reach until then, so an account whose password leaked is never one code away
    from group data.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not is_member_or_public_path(request.path_info)
            and not is_account_path(request.path_info)
            and not account_has_second_factor(user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
