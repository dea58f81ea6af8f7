"""The site's own error pages (handler400, handler403, handler404, handler500 and the
CSRF failure view), in the staff layout. On member paths
``groups.middleware.MemberErrorPagesMiddleware`` answers with the member layout instead,
keeping the status and headers set here.

The database or the cache being unreachable is a 503 with Retry-After, not a 500: it
passes, and a client (or a load balancer) should try again. The 500 and 503 pages are
rendered without the request, so that they touch neither the session nor the database.
"""

import sys
from http import HTTPStatus

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

RETRY_AFTER_SECONDS = 60
# What an unreachable database or cache raises.
UNAVAILABLE = (DatabaseError, RedisConnectionError, RedisTimeoutError)

PAGES = {
    HTTPStatus.BAD_REQUEST: (
        _("That request could not be read"),
        _("Something in what was sent did not make sense to the site. Go back and try again."),
    ),
    HTTPStatus.FORBIDDEN: (
        _("That could not be done from here"),
        _(
            "Your account may not do this, or the form had been open too long. "
            "Go back, reload the page and try again."
        ),
    ),
    HTTPStatus.NOT_FOUND: (
        _("We could not find that page"),
        _("The address may be mistyped, or the page may have been moved or removed."),
    ),
    HTTPStatus.TOO_MANY_REQUESTS: (
        _("Too many attempts"),
        _("Please wait a minute before you try again."),
    ),
    HTTPStatus.INTERNAL_SERVER_ERROR: (
        _("Something went wrong on our side"),
        _("It is not something you did. Please try again in a minute."),
    ),
    HTTPStatus.SERVICE_UNAVAILABLE: (
        _("The site is not available for a moment"),
        _("Please try again in a minute."),
    ),
}


def page_words(status: int) -> tuple[str, str]:
    """The heading and the sentence an error page says for ``status``: any other 4xx
    (405, say) reads as a bad request, any other 5xx as a server error."""
    return PAGES.get(status) or (PAGES[HTTPStatus.BAD_REQUEST] if status < 500 else PAGES[500])


def _page(request: HttpRequest | None, status: int) -> HttpResponse:
    heading, explanation = page_words(status)
    context = {"status": status, "heading": heading, "explanation": explanation}
    response = HttpResponse(render_to_string("errors/error.html", context, request=request), status=status)
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(request, HTTPStatus.BAD_REQUEST)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(request, HTTPStatus.FORBIDDEN)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(request, HTTPStatus.NOT_FOUND)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, HTTPStatus.FORBIDDEN)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the exception is being handled, so it is still in sys.exc_info().
    unavailable = isinstance(sys.exc_info()[1], UNAVAILABLE)
    return _page(None, HTTPStatus.SERVICE_UNAVAILABLE if unavailable else HTTPStatus.INTERNAL_SERVER_ERROR)
