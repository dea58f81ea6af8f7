"""Optional error reporting to Sentry (or a Sentry-compatible service such as
GlitchTip), on only when SENTRY_DSN is set; sentry-sdk is then needed
(`pip install -r requirements/sentry.txt`), and is not installed otherwise.

An event says what broke and where, never who was there: no personal data
(data_collection's user_info off), no request headers, cookies, body, query string or client
address, no local variables (a check-in view's locals hold a member's answers), and
every message, breadcrumb and exception text goes through the log's scrubber
(facilitator.logging.scrub), so an address a client sent is removed there too."""

from __future__ import annotations

from typing import Any

from facilitator.logging import scrub

# What an event's "request" keeps: the method and the path, as the access log does.
_REQUEST_KEEP = ("method", "url")


def _scrub_strings(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_strings(item) for key, item in value.items()}
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """``before_send`` and ``before_breadcrumb``'s work: what may leave the machine."""
    request = event.get("request")
    if isinstance(request, dict):
        kept = {key: request[key] for key in _REQUEST_KEEP if key in request}
        if "url" in kept:
            kept["url"] = kept["url"].split("?", 1)[0]
        event["request"] = kept
    user = event.get("user")
    if isinstance(user, dict):
        # The account's id only (never an address or an email); members have none.
        event["user"] = {"id": user["id"]} if "id" in user else {}
    event.pop("server_name", None)
    for key in ("contexts", "extra", "tags"):
        if isinstance(event.get(key), dict):
            event[key].pop("client_os", None)
            event[key].pop("browser", None)
            event[key].pop("device", None)
    return _scrub_strings(event)


def _scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return scrub_event(crumb, hint)


def init(*, dsn: str, environment: str, release: str = "", transport: Any = None) -> bool:
    """Start Sentry if ``dsn`` is set. Returns whether it started."""
    if not dsn:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as exc:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install -r requirements/sentry.txt"
        ) from exc
    options: dict[str, Any] = {
        "dsn": dsn,
        "environment": environment,
        # Nothing of a person, no request bodies, no frame variables, no SQL values;
        # scrub_event removes the rest of the request (headers, cookies, query string).
        "data_collection": {
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        "max_request_body_size": "never",
        "traces_sample_rate": 0.0,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "before_send": scrub_event,
        "before_breadcrumb": _scrub_breadcrumb,
    }
    if release:
        options["release"] = release
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
    return True
