import math

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from facilitator.fields import HttpsURLField

# Slow, careful reading aloud in a group, not skimming.
WORDS_PER_MINUTE = 180


def estimate_minutes(text: str) -> int:
    return max(1, math.ceil(len(text.split()) / WORDS_PER_MINUTE))


class Theme(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """A text the readings are drawn from, with how it must be credited."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    credit_line = models.CharField(
        _("credit line"),
        max_length=300,
        help_text=_("How the source is credited wherever a reading is shown. Never invent an author."),
    )
    content_note = models.TextField(_("content note"), blank=True)
    text = models.TextField(_("full text"), blank=True)
    url = HttpsURLField(_("original address"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title


class Reading(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="readings")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    passage = models.TextField(_("passage"), help_text=_("Markdown. Quote the source; do not rewrite it."))
    summary = models.CharField(_("one-line summary"), max_length=300, blank=True)
    themes = models.ManyToManyField(Theme, related_name="readings", blank=True, verbose_name=_("themes"))
    content_note = models.CharField(
        _("content note"),
        max_length=400,
        blank=True,
        help_text=_("Shown before the passage, so members can choose whether to read on."),
    )
    prompts = models.TextField(
        _("reflection prompts"),
        blank=True,
        help_text=_("Two or three questions for the group, one per line."),
    )
    reading_minutes = models.PositiveSmallIntegerField(
        _("reading time (minutes)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to estimate it from the passage's length."),
    )
    position = models.PositiveIntegerField(_("order in source"), default=0)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ("source__title", "position", "id")
        indexes = [
            models.Index(fields=["is_published", "source", "position"], name="reading_published_order")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def prompt_list(self) -> list[str]:
        return [line.strip() for line in self.prompts.splitlines() if line.strip()]

    @property
    def minutes(self) -> int:
        return self.reading_minutes or estimate_minutes(self.passage)


class SessionReading(models.Model):
    """A reading assigned to one session of a group, in order."""

    session = models.ForeignKey(
        "groups.Session", on_delete=models.CASCADE, related_name="reading_assignments"
    )
    reading = models.ForeignKey(Reading, on_delete=models.PROTECT, related_name="assignments")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    note = models.TextField(
        _("facilitator note"),
        blank=True,
        max_length=2000,
        help_text=_("Only the group's facilitators see this note."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session reading")
        verbose_name_plural = _("session readings")
        ordering = ("session", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["session", "reading"], name="reading_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.reading} — {self.session}"


class ReadingPlan(models.Model):
    """An ordered sequence of readings, one per session, shared across the program."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reading_plans",
        verbose_name=_("created by"),
    )
    readings = models.ManyToManyField(Reading, through="ReadingPlanItem", related_name="plans")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reading plan")
        verbose_name_plural = _("reading plans")
        ordering = ("title", "id")

    def __str__(self) -> str:
        return self.title


class ReadingPlanItem(models.Model):
    plan = models.ForeignKey(ReadingPlan, on_delete=models.CASCADE, related_name="items")
    reading = models.ForeignKey(Reading, on_delete=models.PROTECT, related_name="plan_items")
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ("plan", "position", "id")

    def __str__(self) -> str:
        return f"{self.position + 1}. {self.reading}"


class SessionNote(models.Model):
    """The facilitators' own note for a session's readings ("read it aloud, pause after
    the list"). Never shown to members."""

    session = models.OneToOneField(
        "groups.Session", on_delete=models.CASCADE, related_name="facilitator_note"
    )
    text = models.TextField(_("session note"), max_length=4000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")

    def __str__(self) -> str:
        return str(self.session)
