"""The promise of PRODUCT.md's anonymity model, checked end to end: after members
check in from a distinctive address and browser, nothing anywhere holds either."""

import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from groups.checkins import services
from groups.checkins.models import Response
from tests.checkins.helpers import form_data, open_window

pytestmark = pytest.mark.django_db

IP = "198.51.100.231"
FORWARDED_IP = "2001:db8:4b1d::77"
USER_AGENT = "LeakProbe-Browser/7.7 (unique-9f3c2a41)"
NEEDLES = (IP, FORWARDED_IP, USER_AGENT, "unique-9f3c2a41", "LeakProbe")


def _every_row_of_every_table() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names
            chunks += [repr(row) for row in cursor.fetchall()]
    return "\n".join(chunks)


def _cache_contents() -> str:
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        client = cache._cache.get_client()
        return "\n".join(
            f"{key!r} {client.get(key)!r}" for key in client.scan_iter(match=f"*{cache.key_prefix}*")
        )
    # The database cache is one of the tables read above; read it here too for clarity.
    return "" if backend.endswith("DatabaseCache") else repr(getattr(cache, "_cache", ""))


def _broker_files() -> str:
    folder = Path(settings.DATA_DIR) / "broker"
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


# Loggers that do not propagate to the root, where caplog listens.
QUIET_LOGGERS = ("django.request", "django.server", "django.security", "celery")


@pytest.fixture
def every_log_record(caplog):
    caplog.set_level(logging.DEBUG)
    for name in QUIET_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
        logging.getLogger(name).addHandler(caplog.handler)
    yield caplog
    for name in QUIET_LOGGERS:
        logging.getLogger(name).removeHandler(caplog.handler)


def test_nothing_stores_logs_or_caches_the_members_address_or_browser(client, group, every_log_record):
    caplog = every_log_record
    window = open_window(group)
    headers = {
        "REMOTE_ADDR": IP,
        "HTTP_X_FORWARDED_FOR": f"{FORWARDED_IP}, {IP}",
        "HTTP_X_REAL_IP": IP,
        "HTTP_USER_AGENT": USER_AGENT,
    }
    url = reverse("checkins:checkin", kwargs={"code": window.code})
    # Every path a member can take: the form, an error, a help-needed answer, a
    # duplicate, a mistyped code, an unknown code and a closed window.
    client.get(reverse("checkins:enter"), {"code": "ZZ"}, **headers)
    client.get(url, **headers)
    client.post(url, {"who5__item1": "9"}, **headers)
    client.post(url, form_data(safe="no", program__comment="fine"), **headers)
    client.post(url, form_data(), **headers)
    client.get(reverse("checkins:checkin", kwargs={"code": "NOPE00"}), **headers)
    client.put(url, **headers)
    services.window_close(window=window)
    client.post(url, form_data(), **headers)
    assert Response.objects.count() == 1
    assert any("Not Found" in record.getMessage() for record in caplog.records)  # the logs were captured

    haystacks = {
        "database": _every_row_of_every_table(),
        "logs": caplog.text + "\n".join(repr(r.__dict__) for r in caplog.records),
        "cache": _cache_contents(),
        "task messages": _broker_files(),
    }
    for where, text in haystacks.items():
        for needle in NEEDLES:
            assert needle not in text, f"{needle!r} found in the {where}"


def test_the_stored_answer_carries_no_time_of_day_or_request_data(client, group):
    window = open_window(group)
    client.post(
        reverse("checkins:checkin", kwargs={"code": window.code}),
        form_data(),
        REMOTE_ADDR=IP,
        HTTP_USER_AGENT=USER_AGENT,
    )
    with connection.cursor() as cursor:
        for table in ("checkins_response", "checkins_answer"):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            assert not [c for c in columns if any(w in c for w in ("time", "date", "created", "ip", "agent"))]
    response = Response.objects.get()
    assert response.id.version == 4  # random, not time-based like uuid1/uuid7
