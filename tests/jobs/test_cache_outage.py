"""Signing in and checking in while the Redis cache is down: no 500, rate limits still count."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.checkins.helpers import form_data, open_window
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every Redis call is refused at once.
REDIS_DOWN = {
    "default": {
        "BACKEND": "facilitator.cache.TolerantRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_PREFIX": "outage",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    "fallback": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"},
}


@pytest.fixture
def redis_cache_down(settings):
    settings.CACHES = REDIS_DOWN
    call_command("createcachetable", verbosity=0)  # exists unless the suite runs on Redis
    caches._settings = caches.settings = caches.configure_settings(None)
    for alias in ("default", "fallback"):
        caches[alias].clear()
    yield
    del caches["default"]
    del caches["fallback"]


def test_signing_in_works_while_redis_is_down(client, owner, redis_cache_down):
    response = client.post(reverse("account_login"), {"login": owner.email, "password": TEST_PASSWORD})

    # The password is accepted; the second step comes next, as on any day.
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")


def test_failed_sign_ins_are_still_limited_while_redis_is_down(client, owner, redis_cache_down):
    for n in range(5):
        response = client.post(reverse("account_login"), {"login": owner.email, "password": f"wrong {n}"})
        assert response.status_code == 200

    response = client.post(reverse("account_login"), {"login": owner.email, "password": TEST_PASSWORD})

    # Counted in the database cache meanwhile: the sixth is refused, right password or not.
    assert "Too many failed login attempts" in response.content.decode()


def test_a_check_in_is_stored_while_redis_is_down(client, group, redis_cache_down):
    window = open_window(group)

    response = client.post(f"/c/{window.code}", form_data())

    assert response.status_code == 200
    assert window.session.checkin_responses.count() == 1


def test_a_busy_window_is_still_limited_while_redis_is_down(client, group, redis_cache_down, settings):
    settings.CHECKIN_RATE_PER_MINUTE = 1
    window = open_window(group)

    first = Client().post(f"/c/{window.code}", form_data())
    second = Client().post(f"/c/{window.code}", form_data())

    assert first.status_code == 200
    assert second.status_code == 429 and "Please wait a few seconds" in second.content.decode()
    assert window.session.checkin_responses.count() == 1
