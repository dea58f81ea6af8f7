"""The check-in form built from the published instrument versions, and its scoring.

Kept apart from ``services`` so the form, the safety net and (later) aggregation all
score answers the same way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Exists, OuterRef, QuerySet

from groups.checkins.models import InstrumentVersion, Item

WHO5_KEY = "who5"
PROGRAM_KEY = "program"
# WHO-5 scoring (PRODUCT.md): raw 0-25; below 13, or any item at 0, is a reason to
# show the help resources at once.
WHO5_LOW_RAW = 13
SAFE_ITEM_KEY = "safe"
SAFE_NO = "no"
SAFE_NOT_SURE = "not_sure"


# What the check-in form is built from: every column of the current versions, their
# instruments and their items that the form, its template or values_check reads.
_ROW_FIELDS = (
    "pk",
    "number",
    "intro",
    "credit",
    "instrument_id",
    "instrument__key",
    "instrument__name",
    "instrument__position",
    "items__pk",
    "items__key",
    "items__position",
    "items__kind",
    "items__prompt",
    "items__help_text",
    "items__options",
    "items__required",
    "items__max_length",
)

_built: tuple[tuple, list[InstrumentVersion]] | None = None


def _current() -> QuerySet[InstrumentVersion]:
    """The newest published version of every active instrument."""
    newer = InstrumentVersion.objects.filter(
        instrument=OuterRef("instrument"), published_at__isnull=False, number__gt=OuterRef("number")
    )
    return InstrumentVersion.objects.filter(published_at__isnull=False, instrument__is_active=True).filter(
        ~Exists(newer)
    )


@functools.cache
def _rows_sql(alias: str) -> tuple[str, tuple]:
    # Compiled by the ORM once per process: compiling it is most of what the read costs.
    rows = _current().order_by(
        "instrument__position", "instrument__key", "pk", "items__position", "items__pk"
    )
    return rows.values_list(*_ROW_FIELDS).query.get_compiler(using=alias).as_sql()


def _rows() -> tuple:
    alias = router.db_for_read(InstrumentVersion)
    sql, params = _rows_sql(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(cursor.fetchall())


def current_versions() -> list[InstrumentVersion]:
    """The newest published version of every active instrument, in check-in order,
    each with its instrument and items.

    Every check-in, shown or sent, asks for these, and they rarely change. So each
    process keeps the versions it last built, with the rows it built them from, and
    reuses them while one cheap read of the same rows finds nothing changed: a newly
    published version, an instrument switched off or moved, or any edit to an item
    shows on the next request, in every process. The versions are shared between
    requests: read them, never change them.
    """
    return current_versions_read()[0]


def current_versions_read() -> tuple[list[InstrumentVersion], tuple]:
    """``current_versions()``, with the rows they were built from: equal rows, equal
    versions (groups.pages keeps the check-in form page by them)."""
    global _built
    rows = _rows()
    built = _built
    if built is None or built[0] != rows:
        versions = list(
            _current()
            .select_related("instrument")
            .prefetch_related("items")
            .order_by("instrument__position", "instrument__key")
        )
        # Paired with the rows read before the versions: if something changed between
        # the two reads, the next call sees different rows and builds again.
        built = _built = (rows, versions)
    return list(built[1]), built[0]


def who5_raw(values: dict) -> int | None:
    """The WHO-5 raw score (0-25) of one answer's values, or None if incomplete."""
    scores = [values.get(f"item{n}") for n in range(1, 6)]
    if any(not isinstance(score, int) for score in scores):
        return None
    return sum(scores)


@dataclass(frozen=True)
class SafetySignal:
    feels_unsafe: bool
    low_wellbeing: bool
    # "Not sure" about feeling safe: a gentler help section, at once.
    unsure: bool = False

    @property
    def needs_help(self) -> bool:
        return self.feels_unsafe or self.low_wellbeing

    @property
    def help_class(self) -> str:
        """How a page shows its help section: the full one, the gentler one, or
        none. Three words of one length, so the page's size says nothing."""
        if self.needs_help:
            return "shown"
        return "light" if self.unsure else "quiet"


def safety_signal(answers: dict[str, dict]) -> SafetySignal:
    """Whether a member's answers (instrument key -> values) call for help at once."""
    who5 = answers.get(WHO5_KEY) or {}
    raw = who5_raw(who5)
    # Any item at 0 calls for help even when another item is missing (a form sent
    # back with an error); the raw score only counts once all five are answered.
    any_zero = any(who5.get(f"item{n}") == 0 for n in range(1, 6))
    low = any_zero or (raw is not None and raw < WHO5_LOW_RAW)
    program = answers.get(PROGRAM_KEY) or {}
    safe = program.get(SAFE_ITEM_KEY)
    return SafetySignal(feels_unsafe=safe == SAFE_NO, low_wellbeing=low, unsure=safe == SAFE_NOT_SURE)


def safety_signal_from_fields(data) -> SafetySignal:
    """The same rule read straight from a check-in form's fields (``who5__item1``...,
    ``program__safe``), needing no instrument version and so no database: for a page
    that answers a send when the check-in could not even be looked up. Values the
    form could not have sent count for nothing."""
    who5 = {}
    for n in range(1, 6):
        raw = data.get(f"{WHO5_KEY}__item{n}", "")
        if isinstance(raw, str) and raw.isdigit() and int(raw) <= 5:
            who5[f"item{n}"] = int(raw)
    return safety_signal(
        {WHO5_KEY: who5, PROGRAM_KEY: {SAFE_ITEM_KEY: data.get(f"{PROGRAM_KEY}__{SAFE_ITEM_KEY}")}}
    )


def item_field_name(item: Item) -> str:
    return f"{item.version.instrument.key}__{item.key}"


def values_check(*, version: InstrumentVersion, values: dict) -> None:
    """Refuse (ValueError) values that the version's items could not have produced:
    the last guard before storage, whatever the form did."""
    if not isinstance(values, dict):
        raise ValueError("values must be a mapping")
    items = {item.key: item for item in version.items.all()}
    unknown = set(values) - set(items)
    if unknown:
        raise ValueError(f"unknown items: {sorted(unknown)}")
    for key, item in items.items():
        value = values.get(key)
        if value in (None, "", []):
            # A readings item is only asked when the session has readings.
            if item.required and item.kind != Item.Kind.READINGS:
                raise ValueError(f"{key} is required")
            continue
        allowed = [option[0] for option in item.options]
        if item.kind == Item.Kind.SCALE:
            if not isinstance(value, int) or isinstance(value, bool) or value not in allowed:
                raise ValueError(f"{key} is out of range")
        elif item.kind == Item.Kind.CHOICE:
            if value not in allowed:
                raise ValueError(f"{key} is not an option")
        elif item.kind == Item.Kind.READINGS:
            if not isinstance(value, list) or not all(isinstance(v, str) and v.isdigit() for v in value):
                raise ValueError(f"{key} must list readings")
        elif item.kind == Item.Kind.TEXT and (not isinstance(value, str) or len(value) > item.max_length):
            raise ValueError(f"{key} is too long")
