"""The anonymity boundary: the one module that reads or writes the raw answers.

``Response`` (one member's check-in) and ``Answer`` (its values for one instrument
version) hold the session, the version and the values: nothing about the request,
the browser, the person or the time. Every ORM access to them is here: the store
(``response_store``, called by ``services.checkin_submit`` inside its transaction),
the shuffle when a window closes, the aggregate read (for ``rollups``, which applies
the thresholds), the count so far, the blanking of free text and the deletion
(``retention``, a voided window). Everything else sees released aggregates, counts
or nothing; ``tests/checkins/test_answers_boundary.py`` fails when any other module
names these models or reaches them through a relation.

Order is hidden twice: random UUID keys while a window is open, and a rewrite of the
window's rows in random order when it closes (``responses_shuffle``), so neither
SQLite's rowid nor PostgreSQL's physical order or xmin follows submission order. A
read drops the response keys before the rows leave this module.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db import router
from django.db.models import Count, Model, OuterRef, QuerySet

from facilitator.compiled import rows_insert
from groups.checkins.models import Answer, InstrumentVersion, Response

# A response as a read gives it: {instrument key: (version number, values)}.
ResponseValues = dict[str, tuple[int, dict]]

_random = secrets.SystemRandom()
INSERT_BATCH = 2000


# --- Store ------------------------------------------------------------------------


def response_store(
    *,
    session_id: int,
    values_by_version: dict[InstrumentVersion, dict],
    also: tuple[tuple[type[Model], list[dict]], ...] = (),
) -> None:
    """Store one member's check-in: one response, one answer per instrument version,
    and the caller's ``also`` rows of other tables (the form's key) with them. The
    caller (``services.checkin_submit``) holds the window's lock and its transaction,
    and has checked the values. Compiled by nothing (facilitator.compiled): a check-in
    is the one write made thousands of times, one statement on PostgreSQL."""
    response_id = uuid.uuid4()
    rows_insert(
        (Response, [{"id": response_id, "session": session_id}]),
        (
            Answer,
            [
                {"id": uuid.uuid4(), "response": response_id, "version": version.pk, "values": values}
                for version, values in values_by_version.items()
            ],
        ),
        *also,
        using=router.db_for_write(Response),
    )


def responses_insert(
    *, responses: Iterable[tuple[int, dict[InstrumentVersion, dict]]], rng: random.Random | None = None
) -> int:
    """Insert many whole responses at once, each ``(session id, {version: values})``,
    in the shuffled order a closed window leaves (the benchmark's generated program).
    How many responses."""
    rng = rng or _random
    rows, answers = [], []
    for session_id, values_by_version in responses:
        response = Response(session_id=session_id)
        rows.append(response)
        answers += [
            Answer(response=response, version=version, values=values)
            for version, values in values_by_version.items()
        ]
    rng.shuffle(rows)
    rng.shuffle(answers)
    Response.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    Answer.objects.bulk_create(answers, batch_size=INSERT_BATCH)
    return len(rows)


# --- Shuffle ----------------------------------------------------------------------


def responses_shuffle(*, session_ids: list[int]) -> None:
    """Rewrite the sessions' responses and answers under new keys, in random order.
    Runs in the closing transaction (``services.windows_close``)."""
    # One read of every response with its answers (an answerless response, which the
    # form never makes, comes back once with None and is kept whole all the same).
    kept: dict[int, dict] = {}
    rows = Response.objects.filter(session_id__in=session_ids).values_list(
        "session_id", "pk", "answers__version_id", "answers__values"
    )
    for session_id, response_id, version_id, values in rows:
        answers = kept.setdefault(session_id, {}).setdefault(response_id, [])
        if version_id is not None:
            answers.append((version_id, values))
    if not kept:
        return
    Answer.objects.filter(response__session_id__in=session_ids).delete()
    # The answers are gone, so nothing cascades: one DELETE, without the collector
    # reading every response back first.
    Response.objects.filter(session_id__in=session_ids)._raw_delete(Response.objects.db)
    new_responses, new_answers = [], []
    for session_id, responses in kept.items():
        shuffled = list(responses.values())
        _random.shuffle(shuffled)
        for answers in shuffled:
            # New random keys are made here, so one bulk insert keeps the shuffled
            # order (one INSERT per response made closing 10,000 windows take minutes).
            response = Response(session_id=session_id)
            new_responses.append(response)
            new_answers += [
                Answer(response=response, version_id=version_id, values=values)
                for version_id, values in answers
            ]
    Response.objects.bulk_create(new_responses)
    # Shuffle the answer rows too, so they do not follow the responses' new order.
    _random.shuffle(new_answers)
    Answer.objects.bulk_create(new_answers)


# --- Read: the aggregate's input, and counts --------------------------------------


def responses_by_session(session_ids: Iterable[int]) -> dict[int, list[ResponseValues]]:
    """Each session's responses, in one read, for ``rollups`` to aggregate under its
    thresholds. The response keys (random UUIDs) are dropped here: nothing outside
    can tell two responses apart or find one again."""
    by_response: dict = defaultdict(dict)
    rows = Answer.objects.filter(response__session_id__in=list(session_ids)).values_list(
        "response__session_id", "response_id", "version__instrument__key", "version__number", "values"
    )
    for session_id, response_id, key, number, values in rows:
        by_response[(session_id, response_id)][key] = (number, values)
    by_session: dict[int, list[ResponseValues]] = defaultdict(list)
    for (session_id, _response_id), answers in by_response.items():
        by_session[session_id].append(answers)
    return by_session


def responses_count(*, session_ids: Iterable[int]) -> int:
    """How many members checked in for these sessions: a count, nothing else."""
    return Response.objects.filter(session_id__in=list(session_ids)).count()


def responses_count_query(*, session: OuterRef) -> QuerySet:
    """The count of a session's responses as a subquery (``session`` an ``OuterRef``):
    a trend's "so far" for an open window, in the trend's own read."""
    return (
        Response.objects.filter(session=session)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )


# --- Blank and delete (retention, a voided window) --------------------------------


def _answers_with_text(
    session_ids: list[int], text_keys: dict[int, set[str]]
) -> list[tuple[Answer, set[str]]]:
    if not text_keys or not session_ids:
        return []
    found = []
    answers = Answer.objects.filter(response__session_id__in=session_ids, version_id__in=text_keys)
    for answer in answers.only("id", "version_id", "values"):
        keys = {key for key in text_keys[answer.version_id] if (answer.values or {}).get(key)}
        if keys:
            found.append((answer, keys))
    return found


def texts_count(*, session_ids: list[int], text_keys: dict[int, set[str]]) -> int:
    """How many answers of these sessions still hold free text (``text_keys``: the
    text items' keys by version id)."""
    return len(_answers_with_text(session_ids, text_keys))


def texts_blank(*, session_ids: list[int], text_keys: dict[int, set[str]]) -> int:
    """Blank the free text of these sessions' answers, keeping the rest of each
    answer; how many answers changed. The caller holds the transaction."""
    changed = []
    for answer, keys in _answers_with_text(session_ids, text_keys):
        answer.values = {**answer.values, **dict.fromkeys(keys, "")}
        changed.append(answer)
    Answer.objects.bulk_update(changed, ["values"], batch_size=500)
    return len(changed)


def responses_delete(*, session_ids: list[int]) -> int:
    """Delete every response of these sessions with its answers; how many responses.
    The caller holds the transaction."""
    Answer.objects.filter(response__session_id__in=session_ids).delete()
    deleted, _detail = Response.objects.filter(session_id__in=session_ids).delete()
    return deleted
