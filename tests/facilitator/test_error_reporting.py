"""Optional error reporting: an event from a crash on a member's page reaches Sentry
with what broke, and nothing of who was there (address, forwarded address, user
agent, cookie, query string) nor the view's local variables."""

import json
from wsgiref.util import setup_testing_defaults

import pytest
import sentry_sdk
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from sentry_sdk.transport import Transport

from facilitator import error_reporting
from groups import selectors

pytestmark = pytest.mark.django_db

ADDRESS, FORWARDED, AGENT, COOKIE = "203.0.113.7", "198.51.100.9", "Secret-Agent/1.0", "cookie-value-123"


class _Kept(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


@pytest.fixture
def reported():
    kept = _Kept()
    dsn = "https://key@errors.example.invalid/1"
    assert error_reporting.init(dsn=dsn, environment="test", transport=kept)
    yield kept
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # off again for the tests that follow


def test_a_crash_on_a_member_page_is_reported_without_anything_of_the_member(reported, monkeypatch):
    def crash(*, token):
        answer = "-".join(["member", "said", "unsafe"])  # a local the report must not carry
        raise RuntimeError(f"boom for {ADDRESS} after {len(answer)} characters")

    monkeypatch.setattr(selectors, "group_by_member_token", crash)
    # Through the WSGI entry point, as gunicorn calls it: where Sentry reads the request.
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/g/some-token",
        "QUERY_STRING": "who=me",
        "REMOTE_ADDR": ADDRESS,
        "HTTP_USER_AGENT": AGENT,
        "HTTP_X_FORWARDED_FOR": FORWARDED,
        "HTTP_COOKIE": f"sessionid={COOKIE}",
        "HTTP_HOST": "testserver",
    }
    setup_testing_defaults(environ)
    statuses = []
    # As Django's test client does: the handler must not close the test's connection
    # (on PostgreSQL it holds the test's transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        get_wsgi_application()(environ, lambda status, headers, *args: statuses.append(status))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    sentry_sdk.flush()

    assert statuses[0].startswith("500"), statuses
    (event,) = reported.events
    text = json.dumps(event)
    assert "RuntimeError" in text and "/g/some-token" in text
    for secret in (ADDRESS, FORWARDED, AGENT, COOKIE, "who=me", "member-said-unsafe"):
        assert secret not in text, secret
    frames = [frame for value in event["exception"]["values"] for frame in value["stacktrace"]["frames"]]
    assert frames and not any("vars" in frame for frame in frames)
    assert set(event["request"]) <= {"method", "url"}


def test_without_a_dsn_nothing_starts():
    assert error_reporting.init(dsn="", environment="test") is False
