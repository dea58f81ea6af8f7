"""Arranging check-ins for tests: sessions, windows and a valid set of answers."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from groups.checkins import services
from groups.checkins.models import CheckinWindow
from groups.models import Session

# Every field the check-in form can send (with readings assigned and single-use codes).
FORM_FIELDS = [
    *(f"who5__item{n}" for n in range(1, 6)),
    "program__pull",
    "program__connection",
    "program__safe",
    "program__resonated",
    "program__comment",
    "slip_code",
    "send_key",
]

# A WHO-5 raw score of 15 (no item at 0), feeling safe: no help needed.
GOOD_WHO5 = {"item1": 3, "item2": 3, "item3": 3, "item4": 3, "item5": 3}


def session_for(group, *, starts_in: timedelta = timedelta(0), **fields) -> Session:
    return Session.objects.create(group=group, starts_at=timezone.now() + starts_in, **fields)


def open_window(group, **window_fields) -> CheckinWindow:
    session = session_for(group)
    window = services.window_ensure(session=session)
    if window_fields:
        CheckinWindow.objects.filter(pk=window.pk).update(**window_fields)
    return services.window_open(session=session)


def form_data(*, who5: dict | None = None, safe: str = "yes", pull: int = 4, connection: int = 3, **extra):
    """POST data for the check-in form, as a browser would send it."""
    data = {f"who5__{key}": str(value) for key, value in (who5 or GOOD_WHO5).items()}
    data |= {"program__pull": str(pull), "program__connection": str(connection), "program__safe": safe}
    data |= extra
    return data


def who5_all(value: int) -> dict:
    """WHO-5 values with every item at ``value`` (raw 5*value, score 20*value)."""
    return {f"item{n}": value for n in range(1, 6)}


def submission(*, who5: dict | None = None, safe: str = "yes", **program):
    from groups.checkins import instruments

    versions = {version.instrument.key: version for version in instruments.current_versions()}
    return services.Submission(
        answers={
            versions["who5"]: dict(who5 or GOOD_WHO5),
            versions["program"]: {"pull": 4, "connection": 3, "safe": safe, **program},
        }
    )


def closed_session(
    group, answers: list[dict], *, starts_in: timedelta = timedelta(0), attendance=None, readings=()
):
    """A session whose check-in took ``answers`` (each: keyword arguments of
    ``submission``) and has closed, with ``readings`` assigned to it. Its rollup is
    not made: the caller does that."""
    session = session_for(group, starts_in=starts_in, attendance=attendance)
    for position, reading in enumerate(readings):
        session.reading_assignments.create(reading=reading, position=position)
    services.window_ensure(session=session)
    window = services.window_open(session=session)
    for given in answers:
        services.checkin_submit(window=window, submission=submission(**given))
    services.window_close(window=window)
    return session


def released_session(group, answers: list[dict], **kwargs):
    from groups.checkins import rollups

    session = closed_session(group, answers, **kwargs)
    rollups.session_rollup_compute(session_id=session.pk)
    return session
