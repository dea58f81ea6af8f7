"""Headers every response carries, and the production-only ones."""

import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.urls import reverse

from tests.facilitator.test_settings import PRODUCTION_ENV

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


PAGES = [
    ("anonymous", "account_login"),
    ("anonymous", "account_reset_password"),
    ("anonymous", "healthz"),
    ("owner", "home"),
    ("owner", "mfa_index"),
    ("admin", "admin:index"),
]


@pytest.fixture
def people(owner, admin_user):
    return {"anonymous": None, "owner": owner, "admin": admin_user}


@pytest.mark.parametrize(("who", "url_name"), PAGES)
def test_every_page_carries_the_security_headers(client, people, who, url_name):
    if people[who] is not None:
        client.force_login(people[who])

    response = client.get(reverse(url_name))

    assert response.status_code == HTTPStatus.OK
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    _assert_permissions_policy(response)


DENIED = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "midi", "hid")


def _assert_permissions_policy(response) -> None:
    policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in DENIED:
        assert policy[feature] == "()", feature
    # Allowed only where a page uses it, and only for this site.
    assert {value for value in policy.values() if value != "()"} == {"(self)"}


@pytest.mark.parametrize("path", ["/help", "/c/ABCDEF", "/no-such-page/", "/favicon.ico"])
def test_member_and_error_pages_carry_the_permissions_policy(client, path):
    from groups.services import help_resources_add_defaults

    help_resources_add_defaults()
    _assert_permissions_policy(client.get(path))


@pytest.mark.parametrize(("who", "url_name"), PAGES)
def test_every_page_carries_a_strict_content_security_policy(client, people, who, url_name):
    if people[who] is not None:
        client.force_login(people[who])

    csp = _csp(client.get(reverse(url_name)))

    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    for directive, values in csp.items():
        assert "'unsafe-inline'" not in values, directive
        assert "'unsafe-eval'" not in values, directive
        assert not any(v.startswith(("http:", "https:")) or v == "*" for v in values), directive


def test_a_page_that_asks_for_a_nonce_gets_a_fresh_one_in_its_policy(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    first = CSPMiddleware(view)(rf.get("/"))
    second = CSPMiddleware(view)(rf.get("/"))

    nonces = [_csp(r)["script-src"][-1] for r in (first, second)]
    assert all(n.startswith("'nonce-") for n in nonces)
    assert nonces[0] != nonces[1]
    assert nonces[0].removeprefix("'nonce-").rstrip("'") in first.content.decode()


def test_error_pages_carry_the_headers_too(client, owner):
    client.force_login(owner)

    response = client.get("/no-such-page/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Content-Security-Policy" in response
    assert "no-store" in response["Cache-Control"]


def test_production_sends_hsts_secure_cookies_and_redirects_to_https():
    code = (
        "import django; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT,"
        " s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_NAME)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    hsts, subdomains, ssl_redirect, secure, httponly, csrf_secure, name = result.stdout.split()
    assert int(hsts) >= 31536000
    assert (subdomains, ssl_redirect, secure, httponly, csrf_secure) == ("True",) * 5
    assert name == "__Host-sessionid"


@pytest.mark.parametrize("path", ["/g/not-a-real-token/", "/c/not-a-real-code/", "/help/", "/safety/"])
def test_member_pages_are_never_stored_even_when_not_found(client, path):
    response = client.get(path)

    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    assert "sessionid" not in response.cookies
