"""Every write to groups, sessions and reminders. Keyword-only, typed, one place."""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from content.selectors import readings_for_sessions, session_notes_for_sessions
from facilitator.models import User
from facilitator.services import audit_record
from groups.help_defaults import DEFAULT_HELP_RESOURCES
from groups.models import (
    FacilitatorPreference,
    Group,
    GroupFacilitator,
    HelpResource,
    Reminder,
    Session,
    SessionSeries,
    new_member_token,
)
from groups.recurrence import aware, local_occurrences, series_rule

logger = logging.getLogger(__name__)

ONE = "one"
FOLLOWING = "following"
MAX_SERIES_LENGTH = 104


# --- Groups -------------------------------------------------------------------------


@transaction.atomic
def group_create(*, owner: User, **fields) -> Group:
    group = Group(**fields)
    group.full_clean()
    group.save()
    GroupFacilitator.objects.create(group=group, user=owner, role=GroupFacilitator.Role.OWNER)
    return group


# Changes that calendar entries show, so subscribed calendars must refetch them.
_CALENDAR_FIELDS = ("name", "member_label", "meeting_mode", "location", "call_link", "timezone")


@transaction.atomic
def group_update(*, group: Group, **fields) -> Group:
    """Save the group's details. A new time zone keeps future sessions at the same
    wall-clock time (a group set up in the wrong zone still meets at 19:00)."""
    before = {name: getattr(group, name) for name in _CALENDAR_FIELDS}
    for name, value in fields.items():
        setattr(group, name, value)
    group.full_clean()
    group.save()
    future = Session.objects.filter(group=group, starts_at__gt=timezone.now())
    if group.timezone != before["timezone"]:
        old_tz, new_tz = zoneinfo.ZoneInfo(before["timezone"]), group.tzinfo
        for session in future.select_for_update():
            local = session.starts_at.astimezone(old_tz)
            session.starts_at = aware(day=local.date(), at=local.time().replace(tzinfo=None), tz=new_tz)
            session.sequence += 1
            session.save(update_fields=["starts_at", "sequence", "updated_at"])
    elif any(getattr(group, name) != value for name, value in before.items()):
        future.update(sequence=F("sequence") + 1, updated_at=timezone.now())
    return group


def group_archive(*, group: Group, actor: User) -> Group:
    """Archive, never delete: the group's history (sessions, aggregates) stays."""
    if group.archived_at is None:
        group.archived_at = timezone.now()
        group.save(update_fields=["archived_at"])
        audit_record(actor=actor, action="group.archived", target=group)
    return group


def group_restore(*, group: Group, actor: User) -> Group:
    if group.archived_at is not None:
        group.archived_at = None
        group.save(update_fields=["archived_at"])
        audit_record(actor=actor, action="group.restored", target=group)
    return group


@transaction.atomic
def group_cofacilitator_add(*, group: Group, actor: User, email: str) -> GroupFacilitator:
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise ValidationError(
            {
                "email": _(
                    "There is no facilitator account with that email address. Ask an admin to invite them."
                )
            }
        )
    if GroupFacilitator.objects.filter(group=group, user=user).exists():
        raise ValidationError(
            {"email": _("%(email)s already facilitates this group.") % {"email": user.email}}
        )
    link = GroupFacilitator.objects.create(group=group, user=user, role=GroupFacilitator.Role.CO_FACILITATOR)
    audit_record(actor=actor, action="group.cofacilitator_added", target=group, user_id=user.pk)
    return link


def group_cofacilitator_remove(*, group: Group, actor: User, user_id: int) -> bool:
    """Remove a co-facilitator (never the owner). Returns whether anyone was removed."""
    deleted, _detail = GroupFacilitator.objects.filter(
        group=group, user_id=user_id, role=GroupFacilitator.Role.CO_FACILITATOR
    ).delete()
    if deleted:
        audit_record(actor=actor, action="group.cofacilitator_removed", target=group, user_id=user_id)
    return bool(deleted)


def group_member_token_rotate(*, group: Group, actor: User) -> Group:
    """A new member link; the old one stops working with this UPDATE."""
    group.member_token = new_member_token()
    group.save(update_fields=["member_token"])
    audit_record(actor=actor, action="group.member_token_rotated", target=group)
    return group


# --- Sessions -----------------------------------------------------------------------


@transaction.atomic
def session_schedule(
    *,
    group: Group,
    first_day: date,
    start_time: time,
    duration_minutes: int,
    frequency: str | None = None,
    count: int = 1,
) -> list[Session]:
    """One session, or a series (``frequency`` from SessionSeries.Frequency, ``count`` sessions)."""
    if group.is_archived:
        raise ValidationError(_("This group is archived. Restore it before scheduling sessions."))
    tz = group.tzinfo
    if aware(day=first_day, at=start_time, tz=tz) <= timezone.now():
        raise ValidationError({"first_day": _("The first session must be in the future.")})
    if not frequency:
        session = Session.objects.create(
            group=group,
            starts_at=aware(day=first_day, at=start_time, tz=tz),
            duration_minutes=duration_minutes,
        )
        return [session]
    if not 2 <= count <= MAX_SERIES_LENGTH:
        raise ValidationError(
            {"count": _("A series has between 2 and %(max)d sessions.") % {"max": MAX_SERIES_LENGTH}}
        )
    rule = series_rule(frequency=frequency, count=count, first=first_day)
    first_local = datetime.combine(first_day, start_time)
    series = SessionSeries.objects.create(
        group=group, frequency=frequency, rrule=rule, first_date=first_day, start_time=start_time, count=count
    )
    sessions = [
        Session(
            group=group,
            series=series,
            starts_at=aware(day=local.date(), at=local.time(), tz=tz),
            duration_minutes=duration_minutes,
        )
        for local in local_occurrences(rule=rule, first_local_start=first_local)
    ]
    return Session.objects.bulk_create(sessions)


def _not_past(session: Session) -> None:
    if session.starts_at <= timezone.now():
        raise ValidationError(_("This session has already started; past sessions are not changed."))


def _with_following(session: Session, scope: str) -> QuerySet[Session]:
    """The session itself, or it and every later, not yet started one of its series."""
    if scope == FOLLOWING and session.series_id:
        return Session.objects.filter(
            series_id=session.series_id, starts_at__gte=session.starts_at, starts_at__gt=timezone.now()
        )
    return Session.objects.filter(pk=session.pk)


@transaction.atomic
def session_move(
    *, session: Session, new_day: date, new_time: time, duration_minutes: int, scope: str = ONE
) -> int:
    """Move a session, or it and the rest of its series by the same number of days to
    the same wall-clock time. Cancelled sessions in the range move too, and stay
    cancelled. Returns how many moved."""
    _not_past(session)
    tz = session.group.tzinfo
    new_start = aware(day=new_day, at=new_time, tz=tz)
    if new_start <= timezone.now():
        raise ValidationError({"new_day": _("Choose a time in the future.")})
    day_shift = new_day - session.local_start.date()
    moved = 0
    for each in _with_following(session, scope).select_for_update().select_related("group"):
        local_day = each.starts_at.astimezone(tz).date() + day_shift
        each.starts_at = aware(day=local_day, at=new_time, tz=tz)
        each.duration_minutes = duration_minutes
        each.sequence += 1
        each.save(update_fields=["starts_at", "duration_minutes", "sequence", "updated_at"])
        moved += 1
    return moved


@transaction.atomic
def session_cancel(*, session: Session, scope: str = ONE) -> int:
    _not_past(session)
    return (
        _with_following(session, scope)
        .filter(status=Session.Status.SCHEDULED)
        .update(status=Session.Status.CANCELLED, sequence=F("sequence") + 1, updated_at=timezone.now())
    )


def session_restore(*, session: Session) -> Session:
    """Undo a cancellation of a session that has not started."""
    _not_past(session)
    Session.objects.filter(pk=session.pk, status=Session.Status.CANCELLED).update(
        status=Session.Status.SCHEDULED, sequence=F("sequence") + 1, updated_at=timezone.now()
    )
    session.refresh_from_db()
    return session


def session_attendance_record(*, session: Session, headcount: int) -> Session:
    if session.starts_at > timezone.now():
        raise ValidationError({"attendance": _("You can record how many came once the session has started.")})
    if session.is_cancelled:
        raise ValidationError({"attendance": _("This session was cancelled.")})
    if headcount < 0:
        raise ValidationError({"attendance": _("Enter a number of people, 0 or more.")})
    session.attendance = headcount
    session.save(update_fields=["attendance", "updated_at"])
    return session


# --- Preferences and the private calendar -------------------------------------------


def facilitator_preference_get(*, user: User) -> FacilitatorPreference:
    preference, _created = FacilitatorPreference.objects.get_or_create(user=user)
    return preference


def facilitator_preference_update(
    *, user: User, reminders_enabled: bool, reminder_hours_before: int
) -> FacilitatorPreference:
    preference = facilitator_preference_get(user=user)
    preference.reminders_enabled = reminders_enabled
    preference.reminder_hours_before = reminder_hours_before
    preference.full_clean()
    preference.save(update_fields=["reminders_enabled", "reminder_hours_before"])
    return preference


def facilitator_calendar_token_rotate(*, user: User) -> FacilitatorPreference:
    preference = facilitator_preference_get(user=user)
    preference.calendar_token = new_member_token()
    preference.save(update_fields=["calendar_token"])
    audit_record(actor=user, action="facilitator.calendar_token_rotated", target=preference)
    return preference


# --- Reminders ----------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def _due_reminders(now: datetime) -> list[tuple[Session, User, datetime]]:
    """(session, facilitator, due time) for every reminder that is due by ``now`` for a
    session that has not started, whether or not a row exists yet."""
    longest = timedelta(hours=168)
    sessions = (
        Session.objects.filter(
            status=Session.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + longest,
            group__archived_at=None,
        )
        .select_related("group")
        .prefetch_related("group__facilitator_links__user__session_preferences")
        .order_by("starts_at", "id")
    )
    due = []
    for session in sessions:
        for link in session.group.facilitator_links.all():
            user = link.user
            if not user.is_active:
                continue
            preference = getattr(user, "session_preferences", None)
            enabled = preference.reminders_enabled if preference else True
            hours = preference.reminder_hours_before if preference else 24
            due_at = session.starts_at - timedelta(hours=hours)
            if enabled and due_at <= now:
                due.append((session, user, due_at))
    return due


def reminders_send_due(*, now: datetime | None = None) -> SweepResult:
    """Send every reminder that is due and not yet sent; run as often as you like.

    Each reminder row is claimed with a conditional UPDATE before the email goes, so
    two sweeps at once, or one run twice, send it once. After downtime, a reminder
    that can still arrive ``REMINDER_MIN_NOTICE_MINUTES`` before its session is sent
    late; one that cannot is marked skipped."""
    now = now or timezone.now()
    min_notice = timedelta(minutes=settings.REMINDER_MIN_NOTICE_MINUTES)
    sent = skipped = failed = 0
    due = _due_reminders(now)
    settled = set(
        Reminder.objects.filter(session_id__in={session.pk for session, _u, _d in due})
        .exclude(sent_at=None, skipped_at=None)
        .values_list("session_id", "user_id", "session_starts_at")
    )
    for session, user, due_at in due:
        if (session.pk, user.pk, session.starts_at) in settled:
            continue
        try:
            reminder, _created = Reminder.objects.get_or_create(
                session=session, user=user, session_starts_at=session.starts_at, defaults={"due_at": due_at}
            )
        except IntegrityError:  # another sweep created it a moment ago
            reminder = Reminder.objects.get(session=session, user=user, session_starts_at=session.starts_at)
        if reminder.sent_at or reminder.skipped_at:
            continue
        if session.starts_at - now < min_notice:
            skipped += Reminder.objects.filter(pk=reminder.pk, sent_at=None, skipped_at=None).update(
                skipped_at=now
            )
            continue
        if not Reminder.objects.filter(pk=reminder.pk, sent_at=None, skipped_at=None).update(sent_at=now):
            continue
        try:
            _reminder_email_send(session=session, user=user)
        except Exception:
            # Release the claim so the next sweep tries again.
            Reminder.objects.filter(pk=reminder.pk).update(sent_at=None)
            logger.exception("Reminder %s could not be sent", reminder.pk)
            failed += 1
        else:
            sent += 1
    return SweepResult(sent=sent, skipped=skipped, failed=failed)


def _readings_for(session: Session) -> list:
    return readings_for_sessions(sessions=[session], for_members=False).get(session.pk, [])


def _reminder_email_send(*, session: Session, user: User) -> None:
    context = {
        "session": session,
        "group": session.group,
        "user": user,
        "local_start": session.local_start,
        "local_end": session.local_end,
        "assignments": _readings_for(session),
        "note": session_notes_for_sessions(sessions=[session]).get(session.pk, ""),
        "session_url": settings.SITE_URL + reverse("groups:session_detail", kwargs={"pk": session.pk}),
        "settings_url": settings.SITE_URL + reverse("groups:reminder_settings"),
    }
    subject = render_to_string("emails/reminder_subject.txt", context).strip()
    body = render_to_string("emails/reminder_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


# --- Help resources -----------------------------------------------------------------


def help_resources_add_defaults() -> int:
    """Add any default helpline that is missing (matched by country and name); never
    changes one an admin edited. Returns how many were added. Tests that flush the
    database (browser tests) call this to get the migration's rows back."""
    added = 0
    for resource in DEFAULT_HELP_RESOURCES:
        _resource, created = HelpResource.objects.get_or_create(
            country_code=resource["country_code"], name=resource["name"], defaults=resource
        )
        added += created
    return added
