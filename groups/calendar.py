"""RFC 5545 feeds (icalendar). One VEVENT per session with a stable UID; a change
bumps SEQUENCE and a cancellation sends STATUS:CANCELLED, so subscribed calendars
update the entry they already hold instead of adding a second one."""

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from content.selectors import readings_for_sessions
from groups.models import Group, Session


def moved_line(session: Session) -> list[str]:
    """ "Moved from Tue 22 Dec, 19:00" for a session that moved, in its group's zone."""
    if not session.moved_from:
        return []
    when = date_format(session.local_moved_from, "SHORT_DATETIME_FORMAT")
    return [_("Moved from %(when)s") % {"when": when}]


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Group facilitator dashboard//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _where(group: Group) -> list[str]:
    lines = []
    if group.meets_in_person and group.location:
        lines.append(_("Where: %(place)s") % {"place": group.location})
    if group.meets_online and group.call_link:
        lines.append(_("Join online: %(link)s") % {"link": group.call_link})
    return lines


def _event(session: Session, *, summary: str, description: str, location: str = "") -> Event:
    tz = session.group.tzinfo
    event = Event()
    event.add("uid", session.calendar_uid)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", session.updated_at)
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("sequence", session.sequence)
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def facilitator_feed(*, sessions: Iterable[Session], details: bool = False) -> bytes:
    """A facilitator's private feed. By default as neutral as the members' feed: the
    neutral label ("Tuesday group"), where to go and a link behind sign-in. With
    ``details`` (the facilitator's choice) the group's name and the readings too. The
    session note is never in it."""
    sessions = list(sessions)
    readings = readings_for_sessions(sessions=sessions, for_members=False) if details else {}
    calendar = _calendar(_("Group sessions"))
    for session in sessions:
        group = session.group
        url = settings.SITE_URL + reverse("groups:session_detail", kwargs={"pk": session.pk})
        titles = [assignment.reading.title for assignment in readings.get(session.pk, [])]
        reading_line = [_("Readings: %(titles)s") % {"titles": "; ".join(titles)}] if titles else []
        body = "\n".join([*moved_line(session), *_where(group), *reading_line, url])
        location = group.location if group.meets_in_person else group.call_link
        summary = group.name if details else session.neutral_label
        calendar.add_component(_event(session, summary=summary, description=body, location=location))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def member_feed(*, group: Group, sessions: Iterable[Session]) -> bytes:
    """Neutral by default: the entry's title is the group's neutral label and the
    join details are in the body, where a glance at a lock screen does not reach."""
    calendar = _calendar(group.neutral_label)
    for session in sessions:
        label = session.neutral_label
        description = "\n".join([*moved_line(session), *_where(group)])
        calendar.add_component(_event(session, summary=label, description=description))
    calendar.add_missing_timezones()
    return calendar.to_ical()
