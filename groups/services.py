"""Every write to groups, sessions and reminders. Keyword-only, typed, one place."""

from __future__ import annotations

import logging
import secrets
import smtplib
import traceback
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from content.selectors import readings_for_sessions
from facilitator.audit import audit_record
from facilitator.models import User
from groups.checkins.selectors import attention_waiting
from groups.help_defaults import DEFAULT_EMERGENCY_NUMBERS, DEFAULT_HELP_RESOURCES
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
from groups.recurrence import aware, later_occurrences, local_occurrences, rule_count, series_rule
from groups.selectors import reminders_due_chunks, sessions_with_following

logger = logging.getLogger(__name__)

ONE = "one"
FOLLOWING = "following"
MAX_SERIES_LENGTH = 104
ALREADY_ADDED = "already_added"


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
            if session.moved_from:
                was = session.moved_from.astimezone(old_tz)
                session.moved_from = aware(day=was.date(), at=was.time().replace(tzinfo=None), tz=new_tz)
            session.sequence += 1
            session.save(update_fields=["starts_at", "moved_from", "sequence", "updated_at"])
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


@transaction.atomic
def series_extend(*, series: SessionSeries, count: int, seen: int) -> list[Session]:
    """Add ``count`` sessions to a series, continuing its pattern after its last
    occurrence (from today, if the series ended in the past), at its time and the
    length of its last session. Nothing already planned changes. ``seen`` is how many
    sessions the facilitator saw in the series: if it has grown since (a second
    click of the same button), nothing is added."""
    series = SessionSeries.objects.select_for_update().select_related("group").get(pk=series.pk)
    group = series.group
    if group.is_archived:
        raise ValidationError(_("This group is archived. Restore it before scheduling sessions."))
    if series.count != seen:
        raise ValidationError(
            _("These sessions were already added: the series changed since the page was opened."),
            code=ALREADY_ADDED,
        )
    if not 1 <= count <= MAX_SERIES_LENGTH:
        raise ValidationError(
            {"count": _("Add between 1 and %(max)d sessions.") % {"max": MAX_SERIES_LENGTH}}
        )
    last = series.sessions.order_by("-starts_at").first()
    duration = last.duration_minutes if last else 90
    now = timezone.now()
    added, covered = [], rule_count(series.rrule)
    endless = series_rule(frequency=series.frequency, count=None, first=series.first_date)
    for position, local in later_occurrences(
        rule=endless, first_local_start=series.first_local_start, skip=covered
    ):
        starts_at = aware(day=local.date(), at=local.time(), tz=group.tzinfo)
        covered = position + 1
        if starts_at <= now:
            continue
        added.append(Session(group=group, series=series, starts_at=starts_at, duration_minutes=duration))
        if len(added) == count:
            break
    series.count += count
    series.rrule = series_rule(frequency=series.frequency, count=covered, first=series.first_date)
    series.save(update_fields=["count", "rrule"])
    return Session.objects.bulk_create(added)


def _not_past(session: Session) -> None:
    if session.starts_at <= timezone.now():
        raise ValidationError(_("This session has already started; past sessions are not changed."))


def _with_following(session: Session, scope: str) -> QuerySet[Session]:
    """The session itself, or it and every later, not yet started one of its series."""
    return sessions_with_following(session=session, following=scope == FOLLOWING)


@transaction.atomic
def session_move(
    *, session: Session, new_day: date, new_time: time, duration_minutes: int, scope: str = ONE
) -> int:
    """Move a session, or it and the rest of its series by the same number of days to
    the same wall-clock time. Cancelled sessions in the range move too, and stay
    cancelled. Each keeps the time it was first planned for (``moved_from``), so
    members see where it was; moved back there, it has not moved. Returns how many
    moved."""
    _not_past(session)
    tz = session.group.tzinfo
    new_start = aware(day=new_day, at=new_time, tz=tz)
    if new_start <= timezone.now():
        raise ValidationError({"new_day": _("Choose a time in the future.")})
    day_shift = new_day - session.local_start.date()
    moved = 0
    for each in _with_following(session, scope).select_for_update().select_related("group"):
        local_day = each.starts_at.astimezone(tz).date() + day_shift
        planned = each.moved_from or each.starts_at
        each.starts_at = aware(day=local_day, at=new_time, tz=tz)
        each.moved_from = None if each.starts_at == planned else planned
        each.duration_minutes = duration_minutes
        each.sequence += 1
        each.save(update_fields=["starts_at", "moved_from", "duration_minutes", "sequence", "updated_at"])
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
    *, user: User, reminders_enabled: bool, reminder_hours_before: int, details_by_mail: bool = False
) -> FacilitatorPreference:
    """Save a facilitator's reminder settings. Choosing to get group names and readings
    by mail and feed (or to stop) is audited."""
    preference = facilitator_preference_get(user=user)
    details_before = preference.details_by_mail
    preference.reminders_enabled = reminders_enabled
    preference.reminder_hours_before = reminder_hours_before
    preference.details_by_mail = details_by_mail
    preference.full_clean()
    with transaction.atomic():
        preference.save(update_fields=["reminders_enabled", "reminder_hours_before", "details_by_mail"])
        if details_by_mail != details_before:
            audit_record(
                actor=user,
                action="facilitator.mail_details_changed",
                target=preference,
                details_by_mail=int(details_by_mail),
            )
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


# Reminders claimed at once: only what is about to be sent, so a worker killed
# mid-send holds back a few reminders (until their claim lapses), never hundreds.
REMINDER_CLAIM_BATCH = 25
# A sweep stops taking new batches after this long and leaves the rest to the next
# run, well inside its soft time limit (240 s).
REMINDER_SWEEP_BUDGET_SECONDS = 180
# How long a reminder whose email failed waits before each further attempt. The first
# retry is at the next sweep (a minute on), since most failures are a passing
# blip; after the last wait the next failure is final: the reminder is given up on,
# logged as an error and left counted as overdue work.
REMINDER_RETRY_WAITS = (timedelta(0), timedelta(minutes=15), timedelta(hours=1))
REMINDER_MAX_ATTEMPTS = len(REMINDER_RETRY_WAITS) + 1


def _due_reminders(now: datetime) -> list[tuple[Session, User, datetime]]:
    return [item for chunk in reminders_due_chunks(now) for item in chunk]


def _reminder_rows(due: list[tuple[Session, User, datetime]]) -> dict[tuple[int, int, datetime], Reminder]:
    """The reminder row of each due (session, facilitator, start), made where missing."""
    Reminder.objects.bulk_create(
        [
            Reminder(session=session, user=user, session_starts_at=session.starts_at, due_at=due_at)
            for session, user, due_at in due
        ],
        ignore_conflicts=True,  # rows another sweep (or an earlier run) made stay as they are
    )
    rows = Reminder.objects.filter(session_id__in={session.pk for session, _u, _d in due})
    return {(row.session_id, row.user_id, row.session_starts_at): row for row in rows}


def reminders_send_due(*, now: datetime | None = None) -> SweepResult:
    """Send every reminder that is due and not yet sent; run as often as you like.

    Rows are claimed a batch at a time with a conditional UPDATE that writes this
    sweep's token, so two sweeps at once, or one message delivered twice, send each
    reminder once; each is marked sent as soon as the mail server took it. A claim
    left by a killed worker lapses after ``REMINDER_CLAIM_LEASE_MINUTES`` and the next
    sweep sends the reminder. After downtime, a reminder that can still arrive
    ``REMINDER_MIN_NOTICE_MINUTES`` before its session is sent late; one that cannot
    is marked skipped.

    A failed send is tried again by later sweeps after ``REMINDER_RETRY_WAITS``, at
    most ``REMINDER_MAX_ATTEMPTS`` times in all. When the mail server cannot be
    reached at all, the sweep stops at the first failure instead of waiting out the
    connection timeout once per reminder; the others are left untried, for the next
    run. ``failed`` counts the reminders claimed and not sent in this run."""
    now = now or timezone.now()
    min_notice = timedelta(minutes=settings.REMINDER_MIN_NOTICE_MINUTES)
    lease = timedelta(minutes=settings.REMINDER_CLAIM_LEASE_MINUTES)
    started = monotonic()
    sent = skipped = failed = 0
    for due in reminders_due_chunks(now):
        rows = _reminder_rows(due)
        open_rows = [
            (session, user, rows[(session.pk, user.pk, session.starts_at)])
            for session, user, _due_at in due
            if rows[(session.pk, user.pk, session.starts_at)].sent_at is None
            and rows[(session.pk, user.pk, session.starts_at)].skipped_at is None
            and rows[(session.pk, user.pk, session.starts_at)].failed_at is None
        ]
        unsent = Reminder.objects.filter(sent_at=None, skipped_at=None, failed_at=None)
        stale = [row for session, _u, row in open_rows if session.starts_at - now < min_notice]
        if stale:
            skipped += unsent.filter(pk__in=[row.pk for row in stale]).update(skipped_at=now)
            for row in stale:
                if row.attempts:
                    logger.warning(
                        "Reminder %s skipped: its session is too close after %d failed attempt(s)",
                        row.pk,
                        row.attempts,
                    )
        wanted = [row.pk for session, _u, row in open_rows if session.starts_at - now >= min_notice]
        unreachable = False
        for first in range(0, len(wanted), REMINDER_CLAIM_BATCH):
            token = secrets.token_hex(16)
            claimed_at = timezone.now()
            unsent.filter(pk__in=wanted[first : first + REMINDER_CLAIM_BATCH]).filter(
                Q(claimed_at=None) | Q(claimed_at__lt=claimed_at - lease)
            ).filter(Q(next_attempt_at=None) | Q(next_attempt_at__lte=now)).update(
                claimed_at=claimed_at, claim_token=token
            )
            # With each claimed row's attempts as they are now, not as first read.
            claimed = dict(Reminder.objects.filter(claim_token=token).values_list("pk", "attempts"))
            batch = [(session, user, row) for session, user, row in open_rows if row.pk in claimed]
            for _session, _user, row in batch:
                row.attempts = claimed[row.pk]
            if batch:
                delivery = _reminders_deliver(batch=batch, token=token, now=now)
                sent += delivery.sent
                failed += delivery.failed
                unreachable = delivery.server_unreachable
                if unreachable:
                    break
        if unreachable:
            logger.warning(
                "Reminder sweep stopped: the mail server cannot be reached; the next run tries again"
            )
            break
        if monotonic() - started > REMINDER_SWEEP_BUDGET_SECONDS:
            logger.warning("Reminder sweep stopped after its time budget; the next run continues")
            break
    return SweepResult(sent=sent, skipped=skipped, failed=failed)


@dataclass(frozen=True)
class _Delivery:
    sent: int
    failed: int
    server_unreachable: bool


def _mail_server_unreachable(error: Exception) -> bool:
    """A failure every other message would meet too (no connection, a refused login or
    sender), as opposed to one about this message (its recipient or content refused)."""
    return isinstance(error, OSError) and not isinstance(
        error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError
    )


def _reminders_deliver(
    *, batch: list[tuple[Session, User, Reminder]], token: str, now: datetime
) -> _Delivery:
    """Email each claimed reminder over one SMTP connection; stop at the first failure
    that means the mail server cannot be reached, releasing the rest untried."""
    # Readings only for facilitators who chose to get them by mail; notes never.
    wanted = list({session.pk: session for session, user, _r in batch if _details_by_mail(user)}.values())
    readings = readings_for_sessions(sessions=wanted, for_members=False) if wanted else {}
    look_first = attention_waiting(
        pairs={(session.group_id, user.pk) for session, user, _r in batch}, now=now
    )
    sent = failed = 0
    unreachable = False
    # The first reminder of the batch not settled (sent, or failed and counted).
    untried_from = 0
    connection = get_connection()
    try:
        for index, (session, user, row) in enumerate(batch):
            untried_from = index
            try:
                _reminder_email_send(
                    session=session,
                    user=user,
                    assignments=readings.get(session.pk, []),
                    look_first=(session.group_id, user.pk) in look_first,
                    connection=connection,
                )
            except SoftTimeLimitExceeded:
                # Out of time, not a failed send: this one is released with the untried.
                raise
            except Exception as error:
                if _mail_server_unreachable(error):
                    # The server's failure, not this reminder's: released with the
                    # untried ones below, no attempt counted, so an outage of any
                    # length never gives a reminder up.
                    logger.warning(
                        "Reminder %s not sent: mail server unreachable (%s)", row.pk, type(error).__name__
                    )
                    unreachable = True
                    break
                _reminder_failed(row=row, token=token, error=error, now=now)
                failed += 1
            else:
                Reminder.objects.filter(pk=row.pk, claim_token=token).update(sent_at=timezone.now())
                sent += 1
            untried_from = index + 1
    finally:
        connection.close()
        # Not tried (the server was unreachable, or the sweep was interrupted): release
        # the claims without counting an attempt, so the next run takes them at once.
        untried = [row.pk for _s, _u, row in batch[untried_from:]]
        if untried:
            Reminder.objects.filter(pk__in=untried, claim_token=token).update(claimed_at=None, claim_token="")
            failed += len(untried)
    return _Delivery(sent=sent, failed=failed, server_unreachable=unreachable)


def _reminder_failed(*, row: Reminder, token: str, error: Exception, now: datetime) -> None:
    """Release the claim of a reminder whose send failed, counting the attempt: wait
    before the next one, or give up after the last.

    The log names the reminder and the exception's class, never its message: an SMTP
    refusal's message holds the recipient's address."""
    attempts = row.attempts + 1
    error_name = type(error).__name__[:100]
    given_up = attempts >= REMINDER_MAX_ATTEMPTS
    # Guarded by the claim token: if this sweep's claim lapsed and another sweep took
    # the reminder over, that sweep's outcome stands.
    Reminder.objects.filter(pk=row.pk, claim_token=token).update(
        claimed_at=None,
        claim_token="",
        attempts=attempts,
        last_error=error_name,
        next_attempt_at=None if given_up else now + REMINDER_RETRY_WAITS[attempts - 1],
        failed_at=now if given_up else None,
    )
    # A mail error is about the server or the address; anything else is likely a bug,
    # so keep where it happened (the frames, not the message).
    where = "" if isinstance(error, OSError) else "\n" + "".join(traceback.format_tb(error.__traceback__))
    if given_up:
        logger.error(
            "Reminder %s given up after %d failed attempts (%s)%s", row.pk, attempts, error_name, where
        )
    else:
        logger.warning(
            "Reminder %s could not be sent (attempt %d of %d, %s); it is tried again later%s",
            row.pk,
            attempts,
            REMINDER_MAX_ATTEMPTS,
            error_name,
            where,
        )


def _details_by_mail(user: User) -> bool:
    """Whether this facilitator chose to get group names and readings by mail and feed."""
    preference = getattr(user, "session_preferences", None)
    return bool(preference and preference.details_by_mail)


def _reminder_email_send(
    *, session: Session, user: User, assignments: list, look_first: bool = False, connection=None
) -> None:
    """A reminder that, by default, names no group and no reading: the neutral label
    members' calendars use ("Tuesday group"), the time, the place or call link and a
    link behind sign-in. With the facilitator's choice (``details_by_mail``) it also
    names the group and the readings. The session note is never sent.
    ``look_first``: the group's page has something for this facilitator to read
    before the session (a safety signal, a check-in held for review); the mail says
    only that, never what."""
    context = {
        "details": _details_by_mail(user),
        "label": session.neutral_label,
        "look_first": look_first,
        "group_url": settings.SITE_URL + reverse("groups:group_detail", kwargs={"pk": session.group_id}),
        "session": session,
        "group": session.group,
        "user": user,
        "local_start": session.local_start,
        "local_end": session.local_end,
        "assignments": assignments,
        "session_url": settings.SITE_URL + reverse("groups:session_detail", kwargs={"pk": session.pk}),
        "settings_url": settings.SITE_URL + reverse("groups:reminder_settings"),
    }
    subject = render_to_string("emails/reminder_subject.txt", context).strip()
    body = render_to_string("emails/reminder_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], connection=connection)


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
    for resource in DEFAULT_EMERGENCY_NUMBERS:
        if not HelpResource.objects.filter(country_code=resource["country_code"], emergency=True).exists():
            HelpResource.objects.create(**resource)
            added += 1
    return added
