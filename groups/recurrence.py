"""Recurring schedules as RFC 5545 rules over wall-clock time (python-dateutil).

Occurrences are computed as naive local datetimes and only then placed in the
group's time zone, so "Tuesdays 19:00" stays 19:00 on both sides of a daylight
saving change; the UTC instant is what moves.
"""

import re
from collections.abc import Iterator
from datetime import date, datetime, time
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from groups.models import SessionSeries

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def series_rule(*, frequency: str, count: int | None, first: date) -> str:
    """The RRULE for a series starting on ``first`` (without DTSTART); without a
    ``count`` it goes on for ever (to continue a series)."""
    limit = f";COUNT={count}" if count is not None else ""
    if frequency == SessionSeries.Frequency.WEEKLY:
        return f"FREQ=WEEKLY{limit}"
    if frequency == SessionSeries.Frequency.FORTNIGHTLY:
        return f"FREQ=WEEKLY;INTERVAL=2{limit}"
    if frequency == SessionSeries.Frequency.MONTHLY:
        # The same weekday of the month: "second Tuesday"; a date in the last days of
        # the month means "last Tuesday", since not every month has a fifth one.
        nth = (first.day - 1) // 7 + 1
        position = -1 if nth == 5 else nth
        return f"FREQ=MONTHLY;BYDAY={position:+d}{WEEKDAYS[first.weekday()]}{limit}"
    raise ValueError(f"Unknown frequency {frequency!r}")


def rule_count(rule: str) -> int:
    """How many occurrences ``rule`` covers (its COUNT)."""
    return int(re.search(r"COUNT=(\d+)", rule).group(1))


def local_occurrences(*, rule: str, first_local_start: datetime) -> list[datetime]:
    """Naive wall-clock starts of every occurrence of ``rule``."""
    return list(rrulestr(rule, dtstart=first_local_start.replace(tzinfo=None)))


def later_occurrences(*, rule: str, first_local_start: datetime, skip: int) -> Iterator[tuple[int, datetime]]:
    """(position, naive wall-clock start) of an endless ``rule``'s occurrences after its
    first ``skip``: how a series continues."""
    occurrences = rrulestr(rule, dtstart=first_local_start.replace(tzinfo=None))
    return islice(enumerate(occurrences), skip, None)


def aware(*, day: date, at: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time in ``tz`` as an aware datetime.

    An ambiguous time (the repeated hour in autumn) means its first occurrence; a
    time in the spring gap reads as the same number of minutes after the change."""
    return datetime.combine(day, at).replace(tzinfo=tz)
