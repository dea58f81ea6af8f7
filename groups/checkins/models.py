"""The anonymous check-in: instruments (versioned data), windows, codes and answers.

What an answer may hold is fixed by the anonymity model: the session, the instrument
version and the values. ``Response`` and ``Answer`` therefore have random UUID keys
(no auto-increment, nothing time-ordered), no timestamps at all and no link to a
person, a request or a device. Physical row order is shuffled when the window closes
(see ``services.window_close``).
"""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# Nine characters from an alphabet without look-alikes (no 0/O/Q/D, 1/I/L, 2/Z, 5/S,
# 8/B, 6/G, U/V), shown in three groups of three (KMP-X7R-4HW): easy to read off a
# screen across a room and to type on a phone. 20^9 = 5.1 x 10^11 codes: with 10,000
# windows open at once (twice the design point's 5,000 groups), a guesser needs about
# 5 x 10^7 guesses on average to find any one of them. Windows made before codes grew
# keep their six-character code until they close.
CODE_ALPHABET = "ACEFHJKMNPRTWXY34679"
CODE_LENGTH = 9
CODE_GROUP = 3
LEGACY_CODE_LENGTH = 6
SLIP_CODE_LENGTH = 8


def new_window_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def default_hours_open() -> int:
    return settings.CHECKIN_WINDOW_HOURS


def new_slip_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(SLIP_CODE_LENGTH))


# The random key each copy of the check-in form carries (``SentForm``): 18 bytes,
# always 24 URL-safe characters, so every form page has the same length.
SEND_KEY_BYTES = 18
SEND_KEY_PATTERN = r"[A-Za-z0-9_-]{24}"


def new_send_key() -> str:
    return secrets.token_urlsafe(SEND_KEY_BYTES)


class Instrument(models.Model):
    """A questionnaire shown in the check-in (the WHO-5, this program's own items)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position in the check-in"), default=0)
    is_active = models.BooleanField(_("shown in new check-ins"), default=True)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ("position", "key")

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    """One wording of an instrument. A published version is never edited again:
    a change is a new version, and every answer keeps the version it was given under."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    intro = models.CharField(_("introduction shown above the items"), max_length=300, blank=True)
    credit = models.CharField(_("source and credit"), max_length=300, blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ("instrument__position", "instrument__key", "-number")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="one_number_per_instrument_version")
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Item(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale (pick one number)")
        CHOICE = "choice", _("Pick one option")
        READINGS = "readings", _("The session's readings (pick any)")
        TEXT = "text", _("One line of text")

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(_("key"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    prompt = models.CharField(_("prompt"), max_length=300)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    # For scales and choices: [[value, label], ...] in the order shown. Scale values are
    # integers; choice values are short strings.
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_(
            'In the order shown, each as [value, "label"]: whole numbers for a scale, '
            'e.g. [[0, "Not at all"], [1, "A little"]]; short words for a choice, '
            'e.g. [["yes", "Yes"], ["no", "No"]].'
        ),
    )
    required = models.BooleanField(_("required"), default=True)
    max_length = models.PositiveSmallIntegerField(_("longest text accepted"), default=200)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ("position", "id")
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="one_key_per_version")]

    def __str__(self) -> str:
        return self.prompt

    def clean(self) -> None:
        if self.kind not in {self.Kind.SCALE, self.Kind.CHOICE}:
            return
        options = self.options if isinstance(self.options, list) else None
        shaped = options and all(
            isinstance(option, list) and len(option) == 2 and isinstance(option[1], str) for option in options
        )
        if not shaped:
            raise ValidationError({"options": _('Give at least one option, each as [value, "label"].')})
        values = [option[0] for option in options]
        wanted = int if self.kind == self.Kind.SCALE else str
        if not all(isinstance(v, wanted) and not isinstance(v, bool) for v in values):
            message = (
                _("Scale values must be whole numbers.")
                if wanted is int
                else _("Choice values must be words.")
            )
            raise ValidationError({"options": message})
        if len(set(values)) != len(values):
            raise ValidationError({"options": _("Each option needs its own value.")})


class CheckinWindow(models.Model):
    """When a session's check-in accepts answers. Facilitator-side data: the times here
    belong to the window, never to an answer."""

    class Mode(models.TextChoices):
        BROWSER = "browser", _("Anyone with the link (one answer per browser session)")
        SINGLE_USE = "single_use", _("Single-use codes handed out at the session")

    class ReviewReason(models.TextChoices):
        RATE = "rate", _("answers came faster than any room gives them")
        HEADCOUNT = "headcount", _("more answers than people present")

    session = models.OneToOneField("groups.Session", on_delete=models.CASCADE, related_name="checkin_window")
    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, default=new_window_code)

    mode = models.CharField(_("who may answer"), max_length=12, choices=Mode.choices, default=Mode.BROWSER)
    open_automatically = models.BooleanField(_("open automatically when the session starts"), default=True)
    hours_open = models.PositiveSmallIntegerField(_("hours open"), default=default_hours_open)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Counted by checkin_submit under the window's lock, in the check-in's own
    # transaction: the answers taken (the per-window cap) and the attempts in the
    # current minute (the rate limit). Counts per window, never per person; closing
    # the window clears the minute.
    answers_taken = models.PositiveIntegerField(default=0, editable=False)
    attempts_since = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveIntegerField(default=0, editable=False)
    # A flood: answers coming faster than any room gives them (the rate limit turned
    # one away), or more answers than the people the facilitator counted. The results
    # are held until a facilitator of the group confirms them or voids the window
    # (its answers deleted). Says nothing about any one answer or who sent it.
    review_reason = models.CharField(
        _("held for review because"), max_length=12, choices=ReviewReason.choices, blank=True, editable=False
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("check-in window")
        verbose_name_plural = _("check-in windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(opened_at__isnull=False),
                name="closed_only_after_open",
            ),
            models.CheckConstraint(
                condition=Q(hours_open__gte=1) & Q(hours_open__lte=24 * 14), name="hours_open_in_range"
            ),
        ]
        indexes = [models.Index(fields=["closes_at"], name="checkin_window_closes")]

    def __str__(self) -> str:
        return f"{self.session} ({self.code})"

    @property
    def display_code(self) -> str:
        """The code as the room's screen shows it: in groups of three."""
        return "-".join(self.code[i : i + CODE_GROUP] for i in range(0, len(self.code), CODE_GROUP))

    @property
    def is_held(self) -> bool:
        """Results held until a facilitator confirms or voids them (a flood)."""
        return bool(self.review_reason) and self.reviewed_at is None

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.closed_at is None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def has_expired(self, now) -> bool:
        """Past its closing time, even if the sweep has not closed it yet."""
        return self.closes_at is not None and self.closes_at <= now


class SingleUseCode(models.Model):
    """A code printed on a slip, not yet used. Using a code deletes its row, and closing
    the window deletes the rest: there is never a "used" record to join to an answer.
    Only a keyed digest is stored, so the table cannot be read back into slips."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    window = models.ForeignKey(CheckinWindow, on_delete=models.CASCADE, related_name="single_use_codes")
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("single-use code")
        verbose_name_plural = _("single-use codes")

    def __str__(self) -> str:
        return str(_("an unused single-use code"))


class SentForm(models.Model):
    """A copy of the check-in form whose answers are stored, so that the same copy
    sent again stores nothing twice: a web node that dies after storing an answer
    but before replying has nginx resend the POST to another node, and a member may
    press Send again on an error page. Kept as a keyed digest of the random key the
    form page drew, with no time and no link to the answer; closing the window
    deletes the rest, as it does the unused single-use codes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    window = models.ForeignKey(CheckinWindow, on_delete=models.CASCADE, related_name="sent_forms")
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("sent check-in form")
        verbose_name_plural = _("sent check-in forms")
        constraints = [models.UniqueConstraint(fields=["window", "digest"], name="sent_form_once")]

    def __str__(self) -> str:
        return str(_("a check-in form already sent"))


class Response(models.Model):
    """One member's check-in for one session. Deliberately nothing but the session."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey("groups.Session", on_delete=models.CASCADE, related_name="checkin_responses")

    class Meta:
        verbose_name = _("check-in response")
        verbose_name_plural = _("check-in responses")
        # No default ordering: the only meaningful order (submission) must not exist.

    def __str__(self) -> str:
        return str(_("an anonymous check-in"))


class Answer(models.Model):
    """The values one response gave to one instrument version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="answers")
    values = models.JSONField()

    class Meta:
        verbose_name = _("check-in answer")
        verbose_name_plural = _("check-in answers")
        constraints = [models.UniqueConstraint(fields=["response", "version"], name="one_answer_per_version")]

    def __str__(self) -> str:
        return str(_("an anonymous answer"))


# --- Released aggregates (issue #7) -------------------------------------------------
#
# A rollup is computed once, when a window has closed, and never changes afterwards.
# Only ``groups.checkins.rollups`` reads raw answers to make one; everything else
# (views, exports, the program view) reads these rows through the selectors.

# Sessions below k pool into fixed blocks of this many consecutive rolled-up sessions
# of a group (by ``SessionRollup.ordinal``). A constant, not a setting: changing it
# would regroup history and let two releases be compared.
POOL_BLOCK_SIZE = 4
K_FLOOR = 3
K_DEFAULT = 5


class Signal(models.TextChoices):
    """The safety signal of a unit (a session or a pooled block): one bit, "at least
    one member who checked in said they do not feel safe right now", released from
    ``K_FLOOR`` answers whatever k is. Never a count, never who, never when."""

    RAISED = "raised", _("At least one member said they do not feel safe right now")
    CLEAR = "clear", _("No member said they do not feel safe")
    # A session of 1 or 2 answers: its signal goes to its block, with the block's
    # other sessions of 1 or 2 answers.
    POOLED = "pooled", _("Too few answers on its own: pooled with its block")
    # A block whose sessions of 1 or 2 answers hold fewer than K_FLOOR together.
    TOO_FEW = "too_few", _("Too few answers to report")
    # No answers, or nobody was asked (the question switched off).
    NONE = "", _("Nothing to report")


class PrivacySettings(models.Model):
    """The deployment's release thresholds: one row, edited by admins, every change
    audited. A change applies to check-ins that close afterwards; what was released
    stays as it was."""

    k_scores = models.PositiveSmallIntegerField(
        _("answers needed before scores are shown"),
        default=K_DEFAULT,
        validators=[MinValueValidator(K_FLOOR), MaxValueValidator(100)],
    )
    k_comments = models.PositiveSmallIntegerField(
        _("answers needed before comments are shown"),
        default=K_DEFAULT,
        validators=[MinValueValidator(K_FLOOR), MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("privacy thresholds")
        verbose_name_plural = _("privacy thresholds")
        constraints = [
            models.CheckConstraint(condition=Q(k_scores__gte=K_FLOOR), name="k_scores_at_least_floor"),
            models.CheckConstraint(condition=Q(k_comments__gte=K_FLOOR), name="k_comments_at_least_floor"),
        ]

    def __str__(self) -> str:
        return str(_("Privacy thresholds"))


class SessionRollup(models.Model):
    """What a closed window releases. ``stats`` is filled only when ``status`` is
    released; a suppressed session keeps nothing but its place in a block."""

    class Status(models.TextChoices):
        RELEASED = "released", _("Released")
        SUPPRESSED = "suppressed", _("Fewer than k answers")
        EMPTY = "empty", _("No answers")

    session = models.OneToOneField("groups.Session", on_delete=models.CASCADE, related_name="checkin_rollup")
    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="checkin_rollups")
    # 1, 2, 3… in the order the group's rollups were made (the order its windows
    # closed); fixed at creation, so blocks never slide.
    ordinal = models.PositiveIntegerField()
    block = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices)
    k_scores = models.PositiveSmallIntegerField()
    k_comments = models.PositiveSmallIntegerField()
    answers = models.PositiveIntegerField(help_text="Set only when released.", null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    # Released from K_FLOOR answers even when the scores are suppressed (``Signal``).
    signal = models.CharField(max_length=8, choices=Signal.choices, blank=True, default=Signal.NONE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session rollup")
        verbose_name_plural = _("session rollups")
        constraints = [
            models.UniqueConstraint(fields=["group", "ordinal"], name="one_rollup_per_group_ordinal"),
            models.CheckConstraint(
                condition=Q(status="released", answers__isnull=False) | ~Q(status="released"),
                name="released_rollup_has_answers",
            ),
            models.CheckConstraint(
                condition=Q(status="released") | Q(answers__isnull=True, stats={}),
                name="unreleased_rollup_holds_nothing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} ({self.status})"

    @property
    def is_released(self) -> bool:
        return self.status == self.Status.RELEASED


class BlockRollup(models.Model):
    """The pooled result of the suppressed sessions in one complete block of a group
    (the released sessions of the block are not in it, so nothing can be subtracted)."""

    class Status(models.TextChoices):
        RELEASED = "released", _("Released")
        SUPPRESSED = "suppressed", _("Fewer than k answers, even pooled")

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="checkin_blocks")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices)
    k_scores = models.PositiveSmallIntegerField()
    k_comments = models.PositiveSmallIntegerField()
    sessions_pooled = models.PositiveSmallIntegerField()
    first_starts_at = models.DateTimeField()
    last_starts_at = models.DateTimeField()
    headcount = models.PositiveIntegerField(null=True, blank=True)
    answers = models.PositiveIntegerField(null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    # The signal of the block's sessions of 1 or 2 answers, pooled (``Signal``): only
    # those, so that no session's own signal can be subtracted from it.
    signal = models.CharField(max_length=8, choices=Signal.choices, blank=True, default=Signal.NONE)
    signal_sessions = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pooled block rollup")
        verbose_name_plural = _("pooled block rollups")
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="one_block_rollup_per_number"),
            models.CheckConstraint(
                condition=Q(status="released") | Q(answers__isnull=True, stats={}),
                name="unreleased_block_holds_nothing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} block {self.number} ({self.status})"

    @property
    def is_released(self) -> bool:
        return self.status == self.Status.RELEASED


def unit_owner(unit: "SessionRollup | BlockRollup") -> dict:
    """The keyword that points a row (a comment, an outcome, a "seen" mark) at its unit:
    a session's rollup or a pooled block's, never both."""
    return {"session_rollup": unit} if isinstance(unit, SessionRollup) else {"block_rollup": unit}


class ReadingOutcome(models.Model):
    """Of one released unit (a session or a pooled block), how many answers came from
    sessions where a reading was assigned, and how many of them said it resonated.
    Made with the unit's rollup, only where those answers reach the unit's k (a
    block's reading assigned to one small session of it has none), and never
    changed: every figure about readings (trends, CSV, program view, library) sums
    these rows, so none includes anything suppressed."""

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="+")
    session_rollup = models.ForeignKey(
        SessionRollup, on_delete=models.CASCADE, null=True, blank=True, related_name="reading_outcomes"
    )
    block_rollup = models.ForeignKey(
        BlockRollup, on_delete=models.CASCADE, null=True, blank=True, related_name="reading_outcomes"
    )
    reading = models.ForeignKey("content.Reading", on_delete=models.PROTECT, related_name="outcomes")
    answers = models.PositiveIntegerField()
    resonated = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("reading outcome")
        verbose_name_plural = _("reading outcomes")
        constraints = [
            models.CheckConstraint(
                condition=Q(session_rollup__isnull=True, block_rollup__isnull=False)
                | Q(session_rollup__isnull=False, block_rollup__isnull=True),
                name="reading_outcome_of_one_unit",
            ),
            models.CheckConstraint(condition=Q(resonated__lte=F("answers")), name="resonated_within_answers"),
            models.UniqueConstraint(
                fields=["session_rollup", "reading"], name="one_outcome_per_session_reading"
            ),
            models.UniqueConstraint(fields=["block_rollup", "reading"], name="one_outcome_per_block_reading"),
        ]

    def __str__(self) -> str:
        return f"{self.reading_id}: {self.resonated} of {self.answers}"


class SignalSeen(models.Model):
    """A facilitator marked a raised safety signal as seen: its notice leaves their
    home and group pages (not the pages of the group's other facilitators, who mark
    it themselves). The mark is audited."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_rollup = models.ForeignKey(
        SessionRollup, on_delete=models.CASCADE, null=True, blank=True, related_name="seen_by"
    )
    block_rollup = models.ForeignKey(
        BlockRollup, on_delete=models.CASCADE, null=True, blank=True, related_name="seen_by"
    )
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("safety signal seen")
        verbose_name_plural = _("safety signals seen")
        constraints = [
            models.CheckConstraint(
                condition=Q(session_rollup__isnull=True, block_rollup__isnull=False)
                | Q(session_rollup__isnull=False, block_rollup__isnull=True),
                name="signal_seen_of_one_unit",
            ),
            models.UniqueConstraint(fields=["user", "session_rollup"], name="signal_seen_once_per_session"),
            models.UniqueConstraint(fields=["user", "block_rollup"], name="signal_seen_once_per_block"),
        ]

    def __str__(self) -> str:
        return str(_("a safety signal marked as seen"))


class SafetyGuidance(models.Model):
    """What a facilitator reads beside a raised safety signal: one row, edited by
    admins (every change audited). A blank field shows the built-in text
    (``selectors.safety_guidance``), so a translation reaches every blank field."""

    next_session = models.TextField(_("how to open the next session"), blank=True, max_length=1000)
    what_to_say = models.TextField(_("what to say to the whole group"), blank=True, max_length=1000)
    where_to_refer = models.TextField(_("where to refer"), blank=True, max_length=1000)
    safeguarding_contact = models.TextField(
        _("the organisation's safeguarding contact"),
        blank=True,
        max_length=500,
        help_text=_("A name or role, and how to reach them: a phone number or an email address."),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("safety guidance")
        verbose_name_plural = _("safety guidance")

    def __str__(self) -> str:
        return str(_("Safety guidance for facilitators"))


class RollupComment(models.Model):
    """A free-text line from a released session or block. ``position`` is random,
    drawn at release, so the shown order is stable and says nothing about who wrote
    first."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session_rollup = models.ForeignKey(
        SessionRollup, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    block_rollup = models.ForeignKey(
        BlockRollup, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    text = models.CharField(max_length=400)
    position = models.PositiveIntegerField()
    hidden = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("released comment")
        verbose_name_plural = _("released comments")
        ordering = ("position", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(session_rollup__isnull=True, block_rollup__isnull=False)
                | Q(session_rollup__isnull=False, block_rollup__isnull=True),
                name="comment_in_one_rollup",
            )
        ]

    def __str__(self) -> str:
        return str(_("a released comment"))


# The export tasks' hard time limit (tasks.export_run and tasks.exports_sweep, which
# runs exports itself): past it the worker's process is killed, so no attempt holds a
# job longer than this. The prefork pool enforces it; a solo or thread pool does not.
EXPORT_TIME_LIMIT_SECONDS = 300
# A job still RUNNING this long after its attempt began has no worker left: the hard
# limit, plus a margin for clocks that differ between the machines that compare it.
EXPORT_LEASE = timedelta(seconds=EXPORT_TIME_LIMIT_SECONDS) + timedelta(minutes=5)


class ExportJob(models.Model):
    """A CSV export made in the background; the page polls its status.

    Each attempt claims the job (PENDING, or RUNNING with an expired lease, becomes
    RUNNING) and stamps ``started_at``; a worker killed mid-export leaves the job
    RUNNING until the lease runs out, and then the export sweep claims it again.
    ``attempts`` counts the claims, so a job that keeps killing its worker ends
    FAILED instead of running for ever (``services.export_run``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Null for the program-wide export (admins only).
    group = models.ForeignKey(
        "groups.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    content = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the latest attempt claimed the job: its lease runs from here.
    started_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"
