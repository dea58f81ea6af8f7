"""CSV exports of released aggregates, built from rollups only. Each row says what
it is in ``status``: released (its figures are given), pooled (a session with too
few answers; they count in its block), suppressed (a block with too few answers in
all), open (the check-in is open or its results are being prepared), empty (no
answers) or voided (answers deleted), and ``note`` says why in words. A figure that
is withheld or was not measured is an empty cell, never a zero and never words in a
number column, so a spreadsheet sums only what was released. No totals.

Every CSV is written by ``csv_document``: UTF-8 with a byte-order mark (so that a
spreadsheet program reads its letters right), and a text cell that begins like a
formula (=, +, -, @, a tab, a carriage return) gets a leading apostrophe, the OWASP
rule against formula injection: a group named =HYPERLINK(...) stays a name."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from django.utils import timezone

from groups.checkins import selectors
from groups.checkins.models import ExportJob, Signal
from groups.models import Group

GROUP_COLUMNS = [
    "group",
    "row",
    "date",
    "status",
    "note",
    "answers",
    "headcount",
    "response_rate",
    "who5_mean",
    "who5_ci_low",
    "who5_ci_high",
    "share_at_or_below_50",
    "share_at_or_below_28",
    "who5_item1_mean",
    "who5_item2_mean",
    "who5_item3_mean",
    "who5_item4_mean",
    "who5_item5_mean",
    "pull_to_contact_mean",
    "connection_mean",
    "someone_felt_unsafe",
    "instrument_versions",
    "readings_resonated",
]


BYTE_ORDER_MARK = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs: numbers stay numbers."""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class _SafeWriter:
    def __init__(self, out) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_document(write) -> str:
    """The text of a CSV file: ``write`` gets a writer that neutralises each cell."""
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    write(_SafeWriter(out))
    return out.getvalue()


def _num(value, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}"


def row_status(row: selectors.TrendRow) -> tuple[str, str]:
    """What a row of the CSV is (its ``status`` cell) and why, in words (its ``note``)."""
    if row.is_released:
        return "released", ""
    if row.status in {"open", "pending", "held"}:
        return "open", {
            "open": "check-in still open",
            "pending": "check-in closed: results being prepared",
            "held": "check-in closed: held for a facilitator's review",
        }[row.status]
    if row.status == "suppressed" and row.kind == "session":
        return "pooled", f"fewer than {row.k} answers: pooled in block {row.block_number}"
    if row.status == "suppressed":
        return "suppressed", f"fewer than {row.k} answers in the block"
    if row.status == "voided":
        return "voided", "the answers did not come from the room and were deleted"
    return "empty", "no answers"


def signal_cell(row: selectors.TrendRow) -> str:
    """The safety signal, released from 3 answers whether or not the scores are: one
    bit ("yes" at least one member said they do not feel safe, "no"); empty when
    there were too few answers to report it (the note and status say why)."""
    return {Signal.RAISED: "yes", Signal.CLEAR: "no"}.get(row.signal, "")


def readings_cell(figures: list[selectors.ReadingFigure]) -> str:
    """A released unit's readings: "title: chose of answers" each, "; " between."""
    if not figures:
        return ""
    return "; ".join(f"{figure.title}: {figure.resonated} of {figure.answers}" for figure in figures)


def _group_rows(group: Group) -> list[list[str]]:
    rows = []
    readings = selectors.reading_figures_by_unit(group=group)
    for row in selectors.released_aggregates(group=group):
        local = row.starts_at.astimezone(group.tzinfo).date().isoformat()
        if row.kind == "block":
            label = f"pooled block {row.block_number} ({row.block.sessions_pooled} sessions)"
            local = f"{row.block.first_starts_at.astimezone(group.tzinfo).date().isoformat()}..{local}"
        else:
            label = "session"
        status, note = row_status(row)
        who5 = row.who5 or {}
        items = who5.get("items", {})
        rows.append(
            [
                group.name,
                label,
                local,
                status,
                note,
                "" if row.answers is None else str(row.answers),
                "" if row.headcount is None else str(row.headcount),
                _num(row.response_rate, 2),
                _num(who5.get("mean")),
                _num(who5.get("low")),
                _num(who5.get("high")),
                _num(row.le50_share, 2),
                _num(row.le28_share, 2),
                *[_num(items.get(f"item{n}"), 2) for n in range(1, 6)],
                _num(row.pull),
                _num(row.connection),
                signal_cell(row),
                row.versions_label,
                readings_cell(readings.get((row.kind, (row.rollup or row.block).pk), []))
                if row.is_released
                else "",
            ]
        )
    return rows


def group_csv(*, group: Group) -> str:
    def write(writer) -> None:
        writer.writerow(GROUP_COLUMNS)
        writer.writerows(_group_rows(group))

    return csv_document(write)


def export_csv(*, job: ExportJob) -> str:
    """A job's CSV: one group's rows, or every group's for the program export."""
    if job.group_id is not None:
        return group_csv(group=job.group)
    groups = list(Group.objects.order_by("name", "pk"))

    def write(writer) -> None:
        writer.writerow(GROUP_COLUMNS)
        for done, group in enumerate(groups, start=1):
            writer.writerows(_group_rows(group))
            if done % 20 == 0:
                ExportJob.objects.filter(pk=job.pk).update(progress=min(99, done * 100 // len(groups)))

    content = csv_document(write)
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now())
    return content
