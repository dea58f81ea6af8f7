import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):  # type: ignore[override]
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A facilitator or an admin (``is_staff``). Members never have accounts."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email


class TaskHeartbeat(models.Model):
    """When each periodic task last ran to completion (no payload, just the time)."""

    name = models.CharField(_("task"), max_length=200, primary_key=True)
    last_run_at = models.DateTimeField(_("last run"))
    runs = models.PositiveBigIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("task heartbeat")
        verbose_name_plural = _("task heartbeats")

    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    """Who did what to which object, and when: ids and a dotted action name only.

    Entries never hold member data, names, free text, IP addresses or user agents,
    so the log itself can be kept and read by admins without becoming a privacy risk.
    ``actor_id`` is a plain integer rather than a foreign key so an entry outlives
    the account that made it.
    """

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor_id = models.PositiveBigIntegerField(_("account id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("target type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    ids = models.JSONField(_("related ids"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"


def invitation_token_hash(token: str) -> str:
    """What ``Invitation.token_hash`` holds for a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An admin's invitation for a new facilitator to create an account.

    Only a SHA-256 hash of the link's token is stored: whoever reads the database
    cannot accept an invitation. The token is made when the email is sent, so each
    send invalidates the link of the one before.
    """

    email = models.EmailField(_("email address"))
    invited_by = models.ForeignKey(
        "facilitator.User",
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Set when a send is asked for (created, or "send again"); the task that sends it
    # carries the same token and clears it in the transaction that records the send,
    # so a message delivered twice, or one made stale by a newer request, sends nothing.
    send_request = models.CharField(max_length=32, blank=True, editable=False)
    send_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    user = models.OneToOneField(
        "facilitator.User",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )

    # Set for a second-factor setup link: the same single-use, expiring link, sent to
    # an existing account that has no second factor (after an admin reset one), which
    # it opens to set up a new authenticator instead of creating an account.
    for_account = models.ForeignKey(
        "facilitator.User",
        verbose_name=_("second-factor setup for"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="second_factor_setups",
    )

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        PENDING = "pending", _("Sent, not yet accepted")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.email

    def status(self, now=None) -> "Invitation.Status":
        from django.utils import timezone

        now = now or timezone.now()
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.expires_at and self.expires_at <= now:
            return self.Status.EXPIRED
        if not self.sent_at:
            return self.Status.QUEUED
        return self.Status.PENDING


class PasswordResetRequest(models.Model):
    """The password-reset form was sent; a worker emails the link. One row for every
    request, whether or not the address has an account (``user`` is then null), so
    the form does the same work and answers in the same time either way; the worker
    emails an account its link, sends nothing otherwise, and deletes the row. It
    holds no address: nothing here says who asked for an account they do not have."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self) -> str:
        return f"password reset request {self.pk}"
