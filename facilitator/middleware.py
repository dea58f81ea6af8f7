"""Request-wide security rules for signed-in accounts.

The paths that never require an account (member pages, health checks, static
files) are listed once, in ``PUBLIC_PREFIXES``; every middleware here uses them.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from facilitator import health
from facilitator.selectors import account_has_second_factor

# Member-facing pages have no login; the account pages are allauth's own and must
# stay reachable for an account that is still setting up its second factor.
MEMBER_PREFIXES: tuple[str, ...] = ("/g/", "/c/", "/help", "/safety", "/accessibility")
PUBLIC_PREFIXES: tuple[str, ...] = (*MEMBER_PREFIXES, "/healthz")
ACCOUNT_PREFIXES: tuple[str, ...] = ("/accounts/",)


def _static_prefixes() -> tuple[str, ...]:
    return tuple(p for p in ("/" + settings.STATIC_URL.lstrip("/"), "/favicon.ico") if p != "/")


def is_member_or_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES + _static_prefixes())


def is_member_path(path: str) -> bool:
    """A page in the member layout: no account, quick exit, help resources."""
    return path.startswith(MEMBER_PREFIXES)


def is_account_path(path: str) -> bool:
    return path.startswith(ACCOUNT_PREFIXES)


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


# Session keys (epoch seconds) written at login and refreshed while the account is active.
SESSION_STARTED_KEY = "facilitator.signed_in_at"
SESSION_SEEN_KEY = "facilitator.seen_at"
# Refresh "seen" at most this often, so an active session is not written on every request.
_SEEN_GRANULARITY = 60


def session_lifetime_start(session) -> None:
    now = int(time.time())
    session[SESSION_STARTED_KEY] = now
    session[SESSION_SEEN_KEY] = now


class SessionLifetimeMiddleware:
    """Sign an account out after ``SESSION_IDLE_TIMEOUT`` seconds without a request,
    or ``SESSION_ABSOLUTE_LIFETIME`` seconds after it signed in, whichever comes first.

    The request then goes on as an anonymous one, so a page that needs an account
    sends the person to sign in again and brings them back afterwards.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = int(time.time())
        session = request.session
        started = session.get(SESSION_STARTED_KEY)
        seen = session.get(SESSION_SEEN_KEY)
        if not isinstance(started, int) or not isinstance(seen, int):
            session_lifetime_start(session)
            return
        if now - seen > settings.SESSION_IDLE_TIMEOUT:
            logout(request)
            messages.info(request, _("You were signed out because the page was left unused for a while."))
        elif now - started > settings.SESSION_ABSOLUTE_LIFETIME:
            logout(request)
            messages.info(request, _("You were signed out because you have been signed in for a long time."))
        elif now - seen >= _SEEN_GRANULARITY:
            session[SESSION_SEEN_KEY] = now


# Every powerful browser feature no page of ours uses is switched off, for our pages
# and anything they could ever embed. Passkeys (WebAuthn) are used by the account
# pages; copying a link to the clipboard by the facilitator pages.
PERMISSIONS_POLICY = ", ".join(
    [
        *(
            f"{feature}=()"
            for feature in (
                "accelerometer",
                "ambient-light-sensor",
                "autoplay",
                "bluetooth",
                "camera",
                "display-capture",
                "encrypted-media",
                "fullscreen",
                "gamepad",
                "geolocation",
                "gyroscope",
                "hid",
                "idle-detection",
                "local-fonts",
                "magnetometer",
                "microphone",
                "midi",
                "payment",
                "picture-in-picture",
                "screen-wake-lock",
                "serial",
                "usb",
                "web-share",
                "xr-spatial-tracking",
            )
        ),
        "clipboard-write=(self)",
        "publickey-credentials-create=(self)",
        "publickey-credentials-get=(self)",
    ]
)


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header on every response (PERMISSIONS_POLICY)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class NoStoreMiddleware:
    """No page is kept by the browser or any cache: group data and member pages
    must not reappear from history on a shared or watched device.

    Static files are served (with long caching) by WhiteNoise before this runs,
    and are left alone when runserver serves them in development.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith(_static_prefixes()):
            add_never_cache_headers(response)
        return response


class LineEndingsMiddleware:
    """Text typed into any form reaches every view with "\n" line ends, and is
    otherwise as typed. Browsers send a text area's line ends as CR LF (the HTML
    standard says so), which stored a different text than was shown, made "Save"
    without an edit rewrite a reading, and counted each line end twice against a
    length limit. One place for every form: ours, the admin's and allauth's."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            posted = request.POST
            if any("\r" in value for _key, values in posted.lists() for value in values):
                normalised = posted.copy()
                for key, values in posted.lists():
                    normalised.setlist(
                        key, [value.replace("\r\n", "\n").replace("\r", "\n") for value in values]
                    )
                normalised._mutable = False
                request.POST = normalised
        return self.get_response(request)


class ProbeMiddleware:
    """/livez and /readyz, answered before anything else: a load balancer probes each
    node by its own address (not an allowed host) over plain HTTP (which production
    redirects), and a probe needs no session, cookie or security header work. See
    facilitator.health for what each says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in ("/livez", "/readyz"):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if request.path == "/livez":
            response = JsonResponse({"status": "alive"})
        else:
            status, body = health.readiness()
            response = JsonResponse(body, status=status)
        add_never_cache_headers(response)
        return response
