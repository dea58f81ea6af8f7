import secrets
import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from facilitator.fields import HttpsURLField


def new_member_token() -> str:
    """An unguessable token for the group's private member link (/g/<token>)."""
    return secrets.token_urlsafe(24)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Group(models.Model):
    class MeetingMode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        BOTH = "both", _("In person and online")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_timezone])
    meeting_mode = models.CharField(
        _("meeting mode"), max_length=16, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    member_label = models.CharField(
        _("name shown to members"),
        max_length=60,
        blank=True,
        help_text=_(
            "A neutral name for the member page and calendar, e.g. 'Tuesday group'. "
            "Members may open it where others can see their screen."
        ),
    )
    location = models.CharField(_("location"), max_length=300, blank=True)
    call_link = HttpsURLField(_("call link"), blank=True)
    member_token = models.CharField(max_length=64, unique=True, default=new_member_token, editable=False)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupFacilitator", related_name="facilitated_groups"
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def neutral_label(self) -> str:
        return self.member_label or str(_("Group"))

    @property
    def meets_in_person(self) -> bool:
        return self.meeting_mode in (self.MeetingMode.IN_PERSON, self.MeetingMode.BOTH)

    @property
    def meets_online(self) -> bool:
        return self.meeting_mode in (self.MeetingMode.ONLINE, self.MeetingMode.BOTH)


class GroupFacilitator(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        CO_FACILITATOR = "co", _("Co-facilitator")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="facilitator_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_links")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)

    class Meta:
        verbose_name = _("group facilitator")
        verbose_name_plural = _("group facilitators")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_link_per_facilitator"),
            models.UniqueConstraint(fields=["group"], condition=Q(role="owner"), name="one_owner_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) — {self.group}"


class SessionSeries(models.Model):
    """A recurring schedule as an RFC 5545 rule over wall-clock times in the group's
    time zone. Its sessions are materialised rows; the rule is kept to say how they
    were made and to describe the series."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month, same weekday")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="series")
    frequency = models.CharField(_("repeats"), max_length=12, choices=Frequency.choices)
    rrule = models.CharField(max_length=200)
    # Wall-clock date and time in the group's time zone: a date and a time, never an
    # instant, so the series reads the same whatever the server's time zone is.
    first_date = models.DateField(_("first date"))
    start_time = models.TimeField(_("start time"))
    count = models.PositiveSmallIntegerField(_("number of sessions"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session series")
        verbose_name_plural = _("session series")

    def __str__(self) -> str:
        return f"{self.group} — {self.rrule}"

    @property
    def first_local_start(self) -> datetime:
        return datetime.combine(self.first_date, self.start_time)


class Session(models.Model):
    """One meeting of a group. ``starts_at`` is the instant (UTC in the database);
    the group's time zone says how it reads on the wall clock."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    series = models.ForeignKey(
        SessionSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    # Where a moved session was first planned, so members see it moved ("Moved from
    # Tue 22 Dec, 19:00"); empty if it never moved or was moved back.
    moved_from = models.DateTimeField(_("moved from"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    # RFC 5545 SEQUENCE: bumped on every change a calendar app must pick up.
    sequence = models.PositiveIntegerField(default=0)
    attendance = models.PositiveSmallIntegerField(
        _("headcount"),
        null=True,
        blank=True,
        help_text=_("How many members came. A number only, never names."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ("starts_at", "id")
        indexes = [
            models.Index(fields=["group", "starts_at"], name="session_group_start"),
            models.Index(fields=["status", "starts_at"], name="session_status_start"),
        ]

    def __str__(self) -> str:
        return f"{self.group} — {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.group.tzinfo)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.group.tzinfo)

    @property
    def neutral_label(self) -> str:
        """The name a glance at a phone may see: the group's own neutral label, else
        "Tuesday group" (the weekday on the group's wall clock), and nothing else."""
        if self.group.member_label:
            return self.group.member_label
        return str(_("%(weekday)s group")) % {"weekday": date_format(self.local_start, "l")}

    @property
    def local_moved_from(self) -> datetime | None:
        return self.moved_from.astimezone(self.group.tzinfo) if self.moved_from else None

    @property
    def calendar_uid(self) -> str:
        return f"session-{self.pk}@{settings.CALENDAR_UID_DOMAIN}"


class FacilitatorPreference(models.Model):
    """A facilitator's reminder settings and private calendar feed token. Kept here,
    not on the user model, because they are about sessions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_preferences"
    )
    reminders_enabled = models.BooleanField(_("email me before each session"), default=True)
    reminder_hours_before = models.PositiveSmallIntegerField(
        _("hours before the session"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    # Off by default: reminders and the calendar feed then name no group and no reading
    # (a neutral label, the time, the place, a link). The session note is never sent.
    details_by_mail = models.BooleanField(
        _("Put group names and readings in my reminder emails and calendar feed"),
        default=False,
        help_text=_(
            "Anyone who can see your email or calendar would see them too: on a shared computer, "
            "on your phone's lock screen, in a preview or in your provider's archive, for as long "
            "as the mail is kept. Your notes for a session are never sent."
        ),
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_member_token, editable=False)

    class Meta:
        verbose_name = _("facilitator preference")
        verbose_name_plural = _("facilitator preferences")

    def __str__(self) -> str:
        return str(self.user)


class Reminder(models.Model):
    """One reminder email for one facilitator about one session at one start time.

    A moved session gets a new row (its start is part of the key). A sweep claims a
    row (``claimed_at`` and its own ``claim_token``, by a conditional UPDATE) before
    sending and sets ``sent_at`` right after, so two sweeps never both send it. A
    claim older than ``REMINDER_CLAIM_LEASE_MINUTES`` belongs to a sweep that died
    (a killed worker) and may be taken over, so the reminder still goes.

    A send refused for this message releases the claim and counts an attempt; later
    sweeps try again from ``next_attempt_at``, waiting longer each time, and after the
    last attempt ``failed_at`` is set: no sweep tries it again, and it stays counted
    as overdue work until its session starts. A mail server that cannot be reached
    counts no attempt (the claim is simply released)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    session_starts_at = models.DateTimeField()
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True, db_index=True)
    # The exception's class name only: its message may hold the recipient's address.
    last_error = models.CharField(_("last error"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user", "session_starts_at"], name="one_reminder_per_session_start"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder {self.user_id} / {self.session_id}"


class HelpResource(models.Model):
    """A helpline or crisis service shown on every member page, edited by admins.

    ``country_code`` is an ISO 3166 alpha-2 code; a resource with no country is shown
    in every deployment (an international service)."""

    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    text_line = models.CharField(
        _("text line"),
        max_length=120,
        blank=True,
        help_text=_("How to reach the service by text message, e.g. 'Text START to 88788'."),
    )
    website = HttpsURLField(_("website"), blank=True)
    hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    country_code = models.CharField(
        _("country code"),
        max_length=2,
        blank=True,
        help_text=_("Two letters, e.g. GB or US. Leave empty for a service available everywhere."),
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    emergency = models.BooleanField(
        _("emergency number"),
        default=False,
        help_text=_(
            "The emergency services' number (999, 911): named in the help section's first "
            "sentence, not listed with the helplines. One per country."
        ),
    )

    class Meta:
        verbose_name = _("help resource")
        verbose_name_plural = _("help resources")
        ordering = ("country_code", "order", "name")

    def __str__(self) -> str:
        return f"{self.name} ({self.country_code or _('everywhere')})"

    def clean(self) -> None:
        self.country_code = self.country_code.strip().upper()

    @property
    def phone_href(self) -> str:
        """The number as a tel: link target (digits and a leading plus only)."""
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


# When the accessibility statement's claims were last checked (the audit of issue 20:
# axe-core, the Nu Html Checker and every journey by keyboard). Admins change it when
# they check again.
ACCESSIBILITY_LAST_CHECKED = date(2026, 12, 6)


def accessibility_last_checked() -> date:
    return ACCESSIBILITY_LAST_CHECKED


class AccessibilityStatement(models.Model):
    """What the accessibility statement says that is the deployment's own: who to tell
    about a barrier, and when the claims were last checked. One row, edited by admins."""

    contact = models.TextField(
        _("who to tell about a problem"),
        blank=True,
        max_length=500,
        help_text=_(
            "An email address or phone number (and a name or role) that answers reports of "
            "barriers. Blank: members are asked to tell their group's facilitator."
        ),
    )
    checked_on = models.DateField(_("last checked"), default=accessibility_last_checked)

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statement")

    def __str__(self) -> str:
        return str(_("Accessibility statement"))
