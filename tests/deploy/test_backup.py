"""A backup restores: deploy/backup.sh dumps a populated database, deploy/restore.sh
loads it into a fresh one, and the fresh one has the same released trends, readings
and accounts, and no live sign-in session. Runs on PostgreSQL (CI's second run)."""

import os
import secrets
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from content.models import Reading
from facilitator.models import User
from groups.checkins.demo import demo_trends_ensure
from groups.checkins.models import BlockRollup, SessionRollup
from groups.demo import demo_group_ensure
from tests.factories import ReadingFactory, UserFactory

# serialized_rollback: the data migrations' rows (instruments, help resources) come
# back after this test's flush, for the tests that run after it.
pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="backups are of PostgreSQL (CI runs this on its PostgreSQL pass)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DEPLOY = Path(settings.BASE_DIR) / "deploy"


def _url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _rows(url: str, table: str, columns: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608 - our names


@pytest.fixture
def populated(client):
    owner = UserFactory(email="dana@example.org")
    demo_trends_ensure(group=demo_group_ensure(owner=owner))
    ReadingFactory(title="The push and pull", slug="push-and-pull")
    client.force_login(owner)  # a live session, which must not be in the dump
    assert SessionRollup.objects.filter(status="released").exists()


def test_a_dump_restores_into_a_fresh_database_with_the_same_results(populated, tmp_path):
    source = _url(connection.settings_dict["NAME"])
    fresh = f"restore_{secrets.token_hex(4)}"
    env = {**os.environ, "DATABASE_URL": source}
    dump = subprocess.run(
        [str(DEPLOY / "backup.sh"), str(tmp_path)], env=env, capture_output=True, text=True, check=False
    )
    assert dump.returncode == 0, dump.stderr
    path = Path(dump.stdout.strip())
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"

    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restore = subprocess.run(
            [str(DEPLOY / "restore.sh"), str(path), _url(fresh)], capture_output=True, text=True, check=False
        )
        assert restore.returncode == 0, restore.stderr
        for model, columns in [
            (SessionRollup, "ordinal, status, answers, stats::text, signal"),
            (BlockRollup, "number, status, answers, stats::text, signal"),
            (Reading, "slug, title, md5(passage)"),
            (User, "email, password, is_staff"),
        ]:
            table = model._meta.db_table
            assert _rows(_url(fresh), table, columns) == _rows(source, table, columns), table
        assert _rows(source, "django_session", "session_key, expire_date") != []
        assert _rows(_url(fresh), "django_session", "session_key, expire_date") == []
        # A second restore into a database that has tables is refused.
        again = subprocess.run(
            [str(DEPLOY / "restore.sh"), str(path), _url(fresh)], capture_output=True, text=True, check=False
        )
        assert again.returncode != 0 and "empty one" in again.stderr
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
