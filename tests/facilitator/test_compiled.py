"""facilitator/compiled.py: SQL compiled once and run with other values, and rows
inserted with their fields' own preparation."""

import uuid

import pytest
from django.db import DEFAULT_DB_ALIAS

from facilitator.compiled import compiled_sql, rows_insert
from groups.checkins import services
from groups.checkins.models import CheckinWindow, SentForm
from tests.checkins.helpers import open_window, submission

pytestmark = pytest.mark.django_db


def test_compiled_sql_takes_exactly_the_placeholders_it_was_built_with():
    queryset = CheckinWindow.objects.filter(code="", mode="")

    sql = compiled_sql(queryset, DEFAULT_DB_ALIAS, placeholders=("", ""))

    assert sql.count("%s") == 2
    with pytest.raises(RuntimeError, match="expected the parameters"):
        compiled_sql(queryset, DEFAULT_DB_ALIAS, placeholders=("",))


def test_rows_insert_stores_what_the_orm_reads_back_in_one_statement_on_postgresql(group):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    window = open_window(group)
    ids = [uuid.uuid4(), uuid.uuid4()]

    with CaptureQueriesContext(connection) as captured:
        rows_insert(
            (SentForm, [{"id": ids[0], "window": window.pk, "digest": "a" * 64}]),
            (SentForm, [{"id": ids[1], "window": window.pk, "digest": "b"}]),
            using=DEFAULT_DB_ALIAS,
        )

    stored = {row.pk: (row.window_id, row.digest) for row in SentForm.objects.all()}
    assert len(captured) == (1 if connection.vendor == "postgresql" else 2)
    assert stored == {ids[0]: (window.pk, "a" * 64), ids[1]: (window.pk, "b")}


def test_a_check_in_for_a_window_deleted_since_its_page_was_read_is_refused_as_closed(group):
    window = open_window(group)
    CheckinWindow.objects.filter(pk=window.pk).delete()

    with pytest.raises(services.CheckinRefused) as refused:
        services.checkin_submit(window=window, submission=submission(), send_key="k" * 24)

    assert refused.value.reason == services.CheckinRefused.CLOSED


def test_row_update_writes_the_fields_named_and_nothing_else(group):
    from django.utils import timezone

    from facilitator.compiled import row_update

    window = open_window(group)
    stale = CheckinWindow.objects.get(pk=window.pk)
    CheckinWindow.objects.filter(pk=window.pk).update(closed_at=timezone.now())
    stale.attempts, stale.attempts_since = 7, timezone.now()

    row_update(stale, ["attempts", "attempts_since"], using=DEFAULT_DB_ALIAS)

    stored = CheckinWindow.objects.get(pk=window.pk)
    assert (stored.attempts, stored.attempts_since) == (7, stale.attempts_since)
    assert stored.closed_at is not None  # not written back from the stale copy
