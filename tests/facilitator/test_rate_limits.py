from http import HTTPStatus

import pytest
from django.core import mail
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.urls import reverse

from tests.factories import TEST_PASSWORD, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The limits live in the shared cache; start every test from zero.
    cache.clear()
    yield
    cache.clear()


def _fail_login(client, email: str, *, forwarded_for: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(reverse("account_login"), {"login": email, "password": "not the password"}, **headers)


def _login(client, email: str, *, forwarded_for: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(reverse("account_login"), {"login": email, "password": TEST_PASSWORD}, **headers)


def test_five_failed_logins_still_let_the_right_password_through(client, owner):
    for _ in range(4):
        _fail_login(client, owner.email)

    response = _login(client, owner.email)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("mfa_authenticate")


def test_the_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(client, owner):
    for _ in range(5):
        assert _fail_login(client, owner.email).status_code == HTTPStatus.OK

    response = _login(client, owner.email)

    assert response.status_code == HTTPStatus.OK
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert response.wsgi_request.path == reverse("account_login")


def test_forging_x_forwarded_for_does_not_reset_the_count_for_an_account(client, owner):
    for n in range(5):
        _fail_login(client, owner.email, forwarded_for=f"198.51.100.{n}")

    response = _login(client, owner.email, forwarded_for="203.0.113.9")

    assert "Too many failed login attempts" in response.content.decode()


def test_one_client_trying_many_addresses_is_blocked_at_the_sixth_failure(client, owner):
    for n in range(5):
        _fail_login(client, f"someone{n}@example.org", forwarded_for=f"198.51.100.{n}")

    response = _login(client, owner.email, forwarded_for="203.0.113.9")

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS)
    assert "_auth_user_id" not in client.session
    assert response.get("Location") != reverse("mfa_authenticate")


def test_another_client_is_not_blocked_by_someone_elses_failures(client, owner, cofacilitator):
    for n in range(5):
        _fail_login(client, f"someone{n}@example.org", forwarded_for=f"198.51.100.{n}")

    other = client.post(
        reverse("account_login"),
        {"login": cofacilitator.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="192.0.2.50",
    )

    assert other["Location"] == reverse("mfa_authenticate")


def test_the_sixth_password_reset_request_within_five_minutes_is_refused(client, owner):
    responses = [client.post(reverse("account_reset_password"), {"email": owner.email}) for _ in range(6)]

    assert [r.status_code for r in responses[:5]] == [HTTPStatus.FOUND] * 5
    assert responses[5].status_code != HTTPStatus.FOUND
    # Five requests taken, each sent by a worker (the refused sixth made none).
    from facilitator.services import password_resets_send_waiting

    assert password_resets_send_waiting(older_than_minutes=0) == 5
    assert len(mail.outbox) == 5


def test_password_reset_requests_are_limited_per_client_despite_x_forwarded_for(client, db):
    responses = [
        client.post(
            reverse("account_reset_password"),
            {"email": f"nobody{n}@example.org"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        for n in range(6)
    ]

    assert [r.status_code for r in responses[:5]] == [HTTPStatus.FOUND] * 5
    assert responses[5].status_code != HTTPStatus.FOUND


def _cache_keys() -> list[str]:
    backend = caches["default"]
    if isinstance(backend, DatabaseCache):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT cache_key FROM {backend._table}")  # noqa: S608 - our own table name
            return [row[0] for row in cursor.fetchall()]
    return [key.decode() for key in backend._cache.get_client().keys("*")]


def test_the_rate_limit_cache_never_holds_a_client_address(client, owner):
    _fail_login(client, owner.email, forwarded_for="198.51.100.7")

    keys = _cache_keys()

    assert any(":login_failed:" in key for key in keys)
    assert not any("127.0.0.1" in key or "198.51.100.7" in key for key in keys)


def test_the_sixth_second_factor_code_is_refused_even_when_right(client, owner):
    client.post(reverse("account_login"), {"login": owner.email, "password": TEST_PASSWORD})
    wrong = "000000" if totp_code() != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong})

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert response.status_code == HTTPStatus.OK
    assert "_auth_user_id" not in client.session
