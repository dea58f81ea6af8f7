"""What a load balancer probes: /livez (the process answers; touches nothing) and
/readyz (the database answers; Redis down is "degraded" and still 200, since check-ins
work without it). Both answer on the node's own address and over plain HTTP, as a
probe asks, and /healthz keeps the details for a person."""

from http import HTTPStatus

import pytest
from django.db import OperationalError

from facilitator import health

pytestmark = pytest.mark.django_db

NO_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_livez_answers_without_touching_the_database(client, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(health, "database_ok", lambda: pytest.fail("livez touched the database"))
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "alive"}
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_readyz_is_ready_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}


def test_readyz_stays_ready_but_degraded_while_redis_is_down(client, settings):
    settings.CELERY_BROKER_URL = NO_REDIS
    response = client.get("/readyz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "degraded", "checks": {"database": "ok", "broker": "unavailable"}}


def test_readyz_is_not_ready_without_the_database(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken)
    response = client.get("/readyz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["status"] == "unavailable"


@pytest.mark.parametrize("path", ["/livez", "/readyz"])
def test_a_probe_on_the_nodes_own_address_over_http_is_answered(client, settings, path):
    # Production: only the public name is allowed, and plain HTTP is redirected to HTTPS.
    settings.ALLOWED_HOSTS = ["groups.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(path, HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("path", ["/livez", "/readyz"])
def test_probes_refuse_writes(client, path):
    assert client.post(path).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_healthz_keeps_its_details_and_says_degraded_without_redis(client, settings):
    settings.CELERY_BROKER_URL = NO_REDIS
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "broker": "unavailable"},
        "failing": ["broker"],
    }
