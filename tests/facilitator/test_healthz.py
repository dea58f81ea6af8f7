from http import HTTPStatus

import pytest
from django.db import OperationalError
from django.urls import reverse

from facilitator import health

pytestmark = pytest.mark.django_db


def test_it_reports_ok_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
        "failing": [],
    }
    assert "no-cache" in response.headers["Cache-Control"]


def test_it_names_the_database_when_it_does_not_answer(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)

    response = client.get(reverse("healthz"))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["failing"] == ["database"]
    assert response.json()["checks"]["broker"] == "ok"


def test_it_names_the_broker_when_redis_does_not_answer(client, settings):
    # Nothing listens on port 1: the check must give up quickly and say so.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get(reverse("healthz"))

    # Degraded, not down: check-ins work without Redis (tests/facilitator/test_probes.py).
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"] == {"database": "ok", "broker": "unavailable"}


def test_it_names_the_broker_when_the_queue_folder_is_gone(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}

    response = client.get(reverse("healthz"))

    assert response.status_code == HTTPStatus.OK and response.json()["status"] == "degraded"
    assert response.json()["failing"] == ["broker"]


def test_it_refuses_other_methods(client):
    assert client.post(reverse("healthz")).status_code == HTTPStatus.METHOD_NOT_ALLOWED
