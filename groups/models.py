import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
    location = models.CharField(_("location"), max_length=300, blank=True)
    call_link = models.URLField(_("call link"), blank=True)
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


class Session(models.Model):
    """One meeting of a group. ``starts_at`` is the instant (UTC in the database);
    the group's time zone says how it reads on the wall clock."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ("starts_at", "id")
        indexes = [models.Index(fields=["group", "starts_at"], name="session_group_start")]

    def __str__(self) -> str:
        return f"{self.group} — {self.starts_at:%Y-%m-%d %H:%M} UTC"
