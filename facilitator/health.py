"""Health checks for the probes and /healthz. They touch no member data.

- /livez: the process answers. Nothing else is touched, so a slow database never
  makes a load balancer restart healthy web processes.
- /readyz: the database answers. The broker (Redis) down is reported as "degraded"
  and still 200: check-ins and pages work without it (jobs wait), so a load balancer
  must not take every web node out over it. 503 only when the database is down.
- /healthz: the same, with the failing parts named, for a person."""

import os
from pathlib import Path

from django.conf import settings
from django.db import connection

TIMEOUT_SECONDS = 2


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_ok() -> bool:
    """True when a message could be published now, decided within about two seconds."""
    url: str = settings.CELERY_BROKER_URL
    try:
        if url.startswith("filesystem://"):
            folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
            return folder.is_dir() and os.access(folder, os.W_OK)
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(
                url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
            )
            try:
                return bool(client.ping())
            finally:
                client.close()
        from kombu import Connection

        with Connection(url, connect_timeout=TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
        return True
    except Exception:
        return False


def readiness() -> tuple[int, dict]:
    """(HTTP status, body) of /readyz and /healthz: 200 "ready" or "degraded" (the
    broker down), 503 "unavailable" (the database down)."""
    checks = {"database": database_ok(), "broker": broker_ok()}
    if not checks["database"]:
        status, word = 503, "unavailable"
    elif not all(checks.values()):
        status, word = 200, "degraded"
    else:
        status, word = 200, "ready"
    return status, {
        "status": word,
        "checks": {name: "ok" if ok else "unavailable" for name, ok in checks.items()},
    }
