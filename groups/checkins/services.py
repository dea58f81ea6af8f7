"""Every write of the check-in: windows, single-use codes, rollups and their settings.

``checkin_submit`` decides whether a member's answer is taken (the window, its rate
limit and cap, a single-use code, a resent form) and has ``answers.response_store``
store it in the same transaction; closing a window has ``answers.responses_shuffle``
rewrite its rows in random order. Only ``answers`` touches the raw answers.
"""

from __future__ import annotations

import functools
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, router, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from facilitator.audit import audit_record
from facilitator.celery import publish
from facilitator.compiled import compiled_sql, row_update
from groups.checkins import answers, exports, instruments
from groups.checkins.models import (
    EXPORT_LEASE,
    K_FLOOR,
    BlockRollup,
    CheckinWindow,
    ExportJob,
    InstrumentVersion,
    PrivacySettings,
    RollupComment,
    SafetyGuidance,
    SentForm,
    SessionRollup,
    SignalSeen,
    SingleUseCode,
    new_slip_code,
    unit_owner,
)
from groups.models import Session
from groups.selectors import groups_visible_to

logger = logging.getLogger(__name__)

MAX_SLIPS_PER_BATCH = 200


class CheckinRefused(Exception):
    """The answer was not stored; ``message`` says why, in words for the member."""

    NOT_OPEN = "not_open"
    CLOSED = "closed"
    FULL = "full"
    BUSY = "busy"
    SLIP = "slip"

    MESSAGES = {
        NOT_OPEN: _("This check-in has not opened yet. Your facilitator will open it at the session."),
        CLOSED: _("This check-in has closed, so it no longer takes answers. Nothing was saved."),
        FULL: _("This check-in has received as many answers as it can take. Nothing was saved."),
        BUSY: _(
            "Many people are checking in right now. Please wait a few seconds and send your answers again."
        ),
        SLIP: _(
            "That code from your slip was not accepted: it may have been typed differently or already "
            "used. Check the slip, or ask your facilitator for a new one."
        ),
    }

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        self.message = self.MESSAGES[reason]


class WindowError(Exception):
    """A facilitator asked for something the window's state does not allow."""


# --- Windows ----------------------------------------------------------------------


def window_ensure(*, session: Session) -> CheckinWindow:
    """The session's window, created (not opened) the first time it is needed."""
    for _attempt in range(5):
        window = CheckinWindow.objects.filter(session=session).first()
        if window is not None:
            return window
        try:
            with transaction.atomic():
                return CheckinWindow.objects.create(session=session)
        except IntegrityError:
            # Either another request created it, or the random code collided: look again.
            continue
    raise WindowError("could not create a check-in window")


def window_settings_update(
    *, window: CheckinWindow, mode: str, open_automatically: bool, hours_open: int, actor=None
) -> CheckinWindow:
    """Change how a window will run; only before it opens, so no answer is judged by
    rules it was not given under."""
    updated = CheckinWindow.objects.filter(pk=window.pk, opened_at__isnull=True).update(
        mode=mode, open_automatically=open_automatically, hours_open=hours_open
    )
    if not updated:
        raise WindowError(_("The check-in has already opened; its settings can no longer change."))
    window.refresh_from_db()
    audit_record(actor=actor, action="checkin.window_settings_changed", target=window, hours=hours_open)
    return window


def window_open(*, session: Session, actor=None, now: datetime | None = None) -> CheckinWindow:
    """Open the session's check-in now. It stays open for its hours after the session's
    start, or after now if the session has already started (opened days early, it does
    not close before the session). Opening twice is harmless; reopening a closed window
    is refused (a closed window never changes)."""
    if session.status == Session.Status.CANCELLED:
        raise WindowError(_("This session is cancelled, so its check-in cannot open."))
    now = now or timezone.now()
    window = window_ensure(session=session)
    if window.is_closed:
        raise WindowError(_("This check-in has closed and cannot open again."))
    opened = CheckinWindow.objects.filter(pk=window.pk, opened_at__isnull=True).update(
        opened_at=now, closes_at=max(now, session.starts_at) + timedelta(hours=window.hours_open)
    )
    window.refresh_from_db()
    if opened:
        audit_record(actor=actor, action="checkin.window_opened", target=window)
    return window


def window_close(*, window: CheckinWindow, actor=None, now: datetime | None = None) -> bool:
    """Close the window: no more answers, unused single-use codes deleted, and the
    session's rows rewritten in random order. True if this call closed it."""
    now = now or timezone.now()
    if not windows_close(windows=[window], actor=actor, now=now):
        window.refresh_from_db()
        if window.opened_at is None:
            raise WindowError(_("This check-in has not opened yet, so there is nothing to close."))
        return False
    return True


def windows_close(*, windows: list[CheckinWindow], actor=None, now: datetime | None = None) -> list[int]:
    """Close these windows together, in one transaction: what ``window_close`` does to
    each (claimed, codes deleted, rows rewritten in random order, audited), with the
    reads and writes shared. A window not open (never opened, or closed already) is
    left as it is. Returns the sessions of the windows this call closed; their
    rollups are nudged, in one message, once it commits."""
    now = now or timezone.now()
    by_pk = {window.pk: window for window in windows}
    with transaction.atomic():
        # Locked in id order, so two sweeps never wait on each other in a circle; a
        # check-in holding a window's lock is waited for, then refused.
        claimable = list(
            CheckinWindow.objects.select_for_update()
            .filter(pk__in=by_pk, opened_at__isnull=False, closed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "session_id")
        )
        if not claimable:
            return []
        claimed = [pk for pk, _session_id in claimable]
        sessions = [session_id for _pk, session_id in claimable]
        # The minute's attempts go with the window: a closed window keeps no trace of
        # when its last members tried to answer.
        CheckinWindow.objects.filter(pk__in=claimed, opened_at__isnull=False, closed_at__isnull=True).update(
            closed_at=now, attempts_since=None, attempts=0
        )
        SingleUseCode.objects.filter(window_id__in=claimed).delete()
        SentForm.objects.filter(window_id__in=claimed).delete()
        answers.responses_shuffle(session_ids=sessions)
        for pk in claimed:
            audit_record(actor=actor, action="checkin.window_closed", target=by_pk[pk])
        rollups_nudge(session_ids=sessions)
    for pk in claimed:
        by_pk[pk].closed_at = now
    return sessions


def rollups_nudge(*, session_ids: list[int]) -> None:
    """Once the current transaction commits, ask a worker to release these sessions'
    aggregates: one message, whether for one session (a facilitator closing a
    check-in) or a sweep's batch. Only a nudge: if the broker is down, the rollup
    sweep makes them within minutes."""
    if not session_ids:
        return
    ids = list(session_ids)
    if len(ids) == 1:
        transaction.on_commit(lambda: publish("groups.checkins.tasks.session_rollup_compute", ids[0]))
    else:
        transaction.on_commit(lambda: publish("groups.checkins.tasks.session_rollups_compute", ids))


# Windows the sweep closes in one transaction, and whose rollups it asks for in one
# message: few messages and commits for a big evening. A batch takes about 0.2 s, for
# which SQLite's one writer makes check-ins wait (PostgreSQL locks only its windows);
# 50 cost 15% more time per window on the benchmark's data.
CLOSE_BATCH = 100


def windows_sweep(*, now: datetime | None = None) -> tuple[int, int]:
    """Open the check-ins of sessions that have started (unless turned off) and close
    those whose time is up. Idempotent: each change is claimed by a conditional update."""
    now = now or timezone.now()
    opened = 0
    running = Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__lte=now).exclude(
        checkin_window__opened_at__isnull=False
    )
    # Only sessions still in progress: a missed sweep is caught up by the next one,
    # but a session long over does not suddenly open a check-in.
    for session in running.filter(starts_at__gte=now - timedelta(hours=24)).select_related("group"):
        if now >= session.starts_at + timedelta(minutes=session.duration_minutes):
            continue
        window = window_ensure(session=session)
        if not window.open_automatically:
            continue
        opened += CheckinWindow.objects.filter(pk=window.pk, opened_at__isnull=True).update(
            opened_at=now, closes_at=now + timedelta(hours=window.hours_open)
        )
    due = list(CheckinWindow.objects.filter(closed_at__isnull=True, closes_at__lte=now).order_by("pk"))
    closed = 0
    for start in range(0, len(due), CLOSE_BATCH):
        closed += len(windows_close(windows=due[start : start + CLOSE_BATCH], now=now))
    return opened, closed


# --- Single-use codes -------------------------------------------------------------


def _slip_digest(*, window: CheckinWindow, code: str) -> str:
    return salted_hmac("checkins.slip", f"{window.pk}:{code}", algorithm="sha256").hexdigest()


def single_use_codes_issue(*, window: CheckinWindow, count: int, actor=None) -> list[str]:
    """Make ``count`` new codes for the window and switch it to single-use mode. The
    codes are returned once, to be printed; only keyed digests are kept."""
    if not 1 <= count <= MAX_SLIPS_PER_BATCH:
        raise WindowError(_("Choose between 1 and %(max)s codes.") % {"max": MAX_SLIPS_PER_BATCH})
    if window.is_closed:
        raise WindowError(_("This check-in has closed; codes for it would never work."))
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_slip_code())
    with transaction.atomic():
        CheckinWindow.objects.filter(pk=window.pk).update(mode=CheckinWindow.Mode.SINGLE_USE)
        SingleUseCode.objects.bulk_create(
            [SingleUseCode(window=window, digest=_slip_digest(window=window, code=code)) for code in codes]
        )
        audit_record(actor=actor, action="checkin.codes_issued", target=window, count=count)
    window.refresh_from_db()
    return sorted(codes)


def normalise_code(raw: str) -> str:
    """What a member typed, as a code: upper case, no spaces or dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:32]


# --- Answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A member's answers: for each instrument version, its validated values."""

    answers: dict[InstrumentVersion, dict]

    def by_instrument(self) -> dict[str, dict]:
        return {version.instrument.key: values for version, values in self.answers.items()}


RATE_PERIOD_SECONDS = 60


def _attempt_counted(*, window: CheckinWindow, now: datetime) -> bool:
    """Count this attempt on the locked window (in memory; the caller writes it) and
    say whether the window has room for it. Counted per window, never per client:
    nothing here knows who is asking.

    A bucket of CHECKIN_RATE_PER_MINUTE places that refills at the same rate (one
    place a second at 60): a burst fills it, and when the burst stops places come
    back one by one, so a real member waits seconds, not a minute. ``attempts`` is
    the places in use, ``attempts_since`` the moment they were last counted. Every
    attempt that gets a place uses it, stored or not (a wrong single-use code too);
    one refused for want of a place uses none, so sending again does not keep the
    window busy."""
    capacity = settings.CHECKIN_RATE_PER_MINUTE
    if window.attempts_since is None:
        window.attempts_since, window.attempts = now, 0
    elif capacity > 0:
        seconds_per_place = RATE_PERIOD_SECONDS / capacity
        refilled = int((now - window.attempts_since).total_seconds() // seconds_per_place)
        if refilled > 0:
            window.attempts = max(0, window.attempts - refilled)
            window.attempts_since += timedelta(seconds=refilled * seconds_per_place)
    if window.attempts >= capacity:
        return False
    window.attempts += 1
    return True


def _refusal(*, window: CheckinWindow, slip_code: str, now: datetime) -> str | None:
    """Why the locked window cannot take this check-in, or None. Runs inside the
    check-in's transaction; may use a single-use code (the caller commits that only
    with the answer)."""
    if not _attempt_counted(window=window, now=now):
        return CheckinRefused.BUSY
    if window.opened_at is None:
        return CheckinRefused.NOT_OPEN
    if window.is_closed or window.has_expired(now):
        return CheckinRefused.CLOSED
    if window.answers_taken >= settings.CHECKIN_MAX_PER_WINDOW:
        return CheckinRefused.FULL
    if window.mode == CheckinWindow.Mode.SINGLE_USE:
        digest = _slip_digest(window=window, code=normalise_code(slip_code))
        used, _detail = SingleUseCode.objects.filter(window=window, digest=digest).delete()
        if not used:
            return CheckinRefused.SLIP
    return None


def _sent_digest(*, window: CheckinWindow, send_key: str, slip_code: str) -> str:
    # With the slip code: on a phone shared in single-use mode, the next person may send
    # the same copy of the form with their own code, and that is another check-in.
    message = f"{window.pk}:{send_key}:{normalise_code(slip_code)}"
    return salted_hmac("checkins.sent", message, algorithm="sha256").hexdigest()


@functools.cache
def _window_locked_sql(alias: str) -> str:
    # Compiled once per process (facilitator.compiled). Its parameters: the constant
    # EXISTS selects (1), the digest, the window's id.
    sent = SentForm.objects.filter(window=OuterRef("pk"), digest="")
    window = CheckinWindow.objects.select_for_update().annotate(already_sent=Exists(sent)).filter(pk=0)
    return compiled_sql(window, alias, placeholders=(1, "", 0))


def _window_locked(*, window_id: int, digest: str) -> CheckinWindow | None:
    """The window read again and locked, in the caller's transaction, so a close cannot
    slip in between the check and the insert and its counters (the rate limit and the
    cap) lose no update; with ``already_sent``: whether the copy of the form with this
    digest is stored already. One statement; None if the window is gone."""
    alias = router.db_for_write(CheckinWindow)
    return next(
        iter(CheckinWindow.objects.db_manager(alias).raw(_window_locked_sql(alias), [1, digest, window_id])),
        None,
    )


def checkin_submit(
    *,
    window: CheckinWindow,
    submission: Submission,
    slip_code: str = "",
    send_key: str = "",
    now: datetime | None = None,
) -> instruments.SafetySignal:
    """Store one member's check-in, whole or not at all, and say whether the member
    should see the help resources. Raises CheckinRefused when nothing was stored.

    ``send_key`` is the random key of the copy of the form that was sent: a copy
    already stored in this window is answered as stored again (the reply to the
    first send was lost) and changes nothing, not even the window's counters."""
    now = now or timezone.now()
    if not submission.answers:
        raise ValueError("a check-in needs at least one instrument")
    for version, values in submission.answers.items():
        instruments.values_check(version=version, values=values)
    digest = _sent_digest(window=window, send_key=send_key, slip_code=slip_code) if send_key else ""
    with transaction.atomic():
        locked = _window_locked(window_id=window.pk, digest=digest)
        if locked is None:  # deleted since the member's page was read
            raise CheckinRefused(CheckinRefused.CLOSED)
        if locked.already_sent:  # type: ignore[attr-defined]  # a column of the raw read
            return instruments.safety_signal(submission.by_instrument())
        refusal = _refusal(window=locked, slip_code=slip_code, now=now)
        if refusal is None:
            locked.answers_taken += 1
        elif refusal == CheckinRefused.BUSY and locked.reviewed_at is None and not locked.review_reason:
            # Faster than any room: its results wait for a facilitator's word.
            locked.review_reason = CheckinWindow.ReviewReason.RATE
        # The counters only: save() would write the window's other fields back, and a
        # refused attempt still counts towards the rate limit.
        row_update(
            locked,
            ["attempts_since", "attempts", "answers_taken", "review_reason"],
            using=router.db_for_write(CheckinWindow),
        )
        if refusal is None:
            sent = (
                ((SentForm, [{"id": uuid.uuid4(), "window": locked.pk, "digest": digest}]),) if digest else ()
            )
            answers.response_store(
                session_id=locked.session_id, values_by_version=submission.answers, also=sent
            )
    if refusal is not None:
        raise CheckinRefused(refusal)
    return instruments.safety_signal(submission.by_instrument())


# --- A flooded window: confirmed or voided by a facilitator -----------------------


def window_review_decide(*, window: CheckinWindow, actor, void: bool) -> CheckinWindow:
    """A facilitator's word on a window held for review: its answers are the room's
    (release them as usual), or they are not (delete every answer of the session;
    the trend says the session was voided). Either way audited, with ids only."""
    with transaction.atomic():
        locked = CheckinWindow.objects.select_for_update().get(pk=window.pk)
        if not locked.is_held or locked.closed_at is None:
            raise ValueError("only a closed window held for review can be confirmed or voided")
        now = timezone.now()
        locked.reviewed_at = now
        if void:
            answers.responses_delete(session_ids=[locked.session_id])
            locked.voided_at = now
        CheckinWindow.objects.filter(pk=locked.pk).update(reviewed_at=now, voided_at=locked.voided_at)
        audit_record(
            actor=actor,
            action="checkin.window_voided" if void else "checkin.window_confirmed",
            target=locked,
        )
    rollups_nudge(session_ids=[locked.session_id])
    return locked


# --- Released aggregates: thresholds, hidden comments, exports -------------------


def privacy_settings_update(*, k_scores: int, k_comments: int, actor) -> PrivacySettings:
    """Change the release thresholds (floor K_FLOOR); audited with the new numbers."""
    if k_scores < K_FLOOR or k_comments < K_FLOOR:
        raise ValueError(f"thresholds may not go below {K_FLOOR}")
    with transaction.atomic():
        row, created = PrivacySettings.objects.select_for_update().get_or_create(pk=1)
        before = (row.k_scores, row.k_comments)
        row.k_scores, row.k_comments = k_scores, k_comments
        row.full_clean()
        row.save()
        if before != (k_scores, k_comments) or created:
            audit_record(
                actor=actor,
                action="checkin.thresholds_changed",
                target=row,
                k_scores=k_scores,
                k_comments=k_comments,
                k_scores_before=before[0],
                k_comments_before=before[1],
            )
    return row


def comment_hide(*, comment: RollupComment, actor) -> bool:
    """Hide a released comment (it names someone). True if this call hid it."""
    hidden = RollupComment.objects.filter(pk=comment.pk, hidden=False).update(hidden=True)
    if hidden:
        audit_record(actor=actor, action="checkin.comment_hidden", target=comment)
    return bool(hidden)


def export_record(*, actor, group) -> None:
    """Audit a direct download of a group's aggregates (CSV or printable report)."""
    audit_record(actor=actor, action="checkin.export_downloaded", target=group)


# Attempts at one job, counting those whose worker died; then it is FAILED.
EXPORT_MAX_ATTEMPTS = 3
# A job PENDING this long lost its nudge (or its last attempt failed): the sweep runs it.
EXPORT_NUDGE_WAIT = timedelta(minutes=2)
# The sweep starts no export after this long, so the one it runs keeps most of the
# task's soft time limit.
EXPORT_SWEEP_BUDGET_SECONDS = 60


def export_request(*, actor, group=None) -> ExportJob:
    """Queue a CSV export of released aggregates: one group the actor may see, or the
    whole program for an admin. Raises PermissionDenied otherwise."""
    if group is None:
        if not actor.is_staff:
            raise PermissionDenied
    elif not groups_visible_to(user=actor).filter(pk=group.pk).exists():
        raise PermissionDenied
    job = ExportJob.objects.create(requested_by=actor, group=group)
    audit_record(
        actor=actor, action="checkin.export_requested", target=job, group=group.pk if group else None
    )
    job_id = str(job.pk)
    # A nudge: with the broker down, the export sweep runs it.
    transaction.on_commit(lambda: publish("groups.checkins.tasks.export_run", job_id))
    return job


def _export_claim(*, job_id, now: datetime) -> int | None:
    """Claim the job for one attempt and return the attempt's number, or None when the
    job is not ours to run: done, failed, out of attempts, or RUNNING within its lease."""
    claimable = Q(status=ExportJob.Status.PENDING) | Q(
        status=ExportJob.Status.RUNNING, started_at__lt=now - EXPORT_LEASE
    )
    claimed = ExportJob.objects.filter(claimable, pk=job_id, attempts__lt=EXPORT_MAX_ATTEMPTS).update(
        status=ExportJob.Status.RUNNING, started_at=now, attempts=F("attempts") + 1, progress=0
    )
    if not claimed:
        return None
    return ExportJob.objects.filter(pk=job_id).values_list("attempts", flat=True).first()


def export_run(*, job_id, now: datetime | None = None) -> ExportJob | None:
    """Build the export's CSV, as one attempt; None when there was nothing to run.

    The attempt claims the job with a conditional update (PENDING, or RUNNING with an
    expired lease, becomes RUNNING with a new ``started_at`` and one more attempt), so
    a repeated or redelivered message does nothing while another attempt holds it, and
    every later write names the attempt, so one that outlived its lease changes nothing.

    Failures: a database error or the soft time limit is transient, so the job goes
    back to PENDING and the exception is raised again: the task's own retry (database
    errors, with backoff) or the next sweep claims it. Any other error would fail the
    same way again, so the job is FAILED at once, and so is a job whose attempts are
    used up (a worker killed mid-export is counted too: the sweep takes the job again
    once its lease has run out). FAILED is final and is not raised: there is nothing
    left for a retry to do. The admin's status page stops at FAILED and asks for a new
    export."""
    attempt = _export_claim(job_id=job_id, now=now or timezone.now())
    if attempt is None:
        return None
    mine = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, attempts=attempt)
    job = ExportJob.objects.get(pk=job_id)
    try:
        content = exports.export_csv(job=job)
    except (OperationalError, SoftTimeLimitExceeded):
        if attempt < EXPORT_MAX_ATTEMPTS:
            logger.warning("export attempt %s of %s failed; it will run again", attempt, EXPORT_MAX_ATTEMPTS)
            mine.update(status=ExportJob.Status.PENDING)
            raise
        logger.exception("export failed on its last attempt")
        mine.update(status=ExportJob.Status.FAILED, finished_at=timezone.now())
    except Exception:
        logger.exception("export failed")
        mine.update(status=ExportJob.Status.FAILED, finished_at=timezone.now())
    else:
        if not mine.update(
            status=ExportJob.Status.DONE, progress=100, content=content, finished_at=timezone.now()
        ):
            logger.warning("export attempt %s finished after its lease; a later attempt owns it", attempt)
            return None
    job.refresh_from_db()
    return job


def exports_sweep(*, now: datetime | None = None) -> int:
    """Run exports whose nudge was lost or whose attempt failed or died, fail those out
    of attempts, and forget every export after a day. Returns how many it finished.

    A RUNNING job is taken again only once its lease (longer than the task's hard time
    limit) has run out, so never while a live worker may still hold it."""
    now = now or timezone.now()
    started = monotonic()
    ExportJob.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    ExportJob.objects.filter(
        status=ExportJob.Status.RUNNING,
        started_at__lt=now - EXPORT_LEASE,
        attempts__gte=EXPORT_MAX_ATTEMPTS,
    ).update(status=ExportJob.Status.FAILED, finished_at=now)
    due = ExportJob.objects.filter(
        Q(status=ExportJob.Status.PENDING, created_at__lt=now - EXPORT_NUDGE_WAIT)
        | Q(status=ExportJob.Status.RUNNING, started_at__lt=now - EXPORT_LEASE)
    ).order_by("created_at", "pk")
    done = 0
    for job_id in list(due.values_list("pk", flat=True)[:50]):
        if monotonic() - started > EXPORT_SWEEP_BUDGET_SECONDS:
            logger.warning("export sweep stopped after its time budget; the next run continues")
            break
        try:
            job = export_run(job_id=job_id, now=now)
        except (OperationalError, SoftTimeLimitExceeded):
            # The job is PENDING again (or its lease will lapse): the next sweep retries.
            break
        done += job is not None and job.status == ExportJob.Status.DONE
    return done


# --- The safety signal ----------------------------------------------------------------


def signal_mark_seen(*, unit: SessionRollup | BlockRollup, user) -> bool:
    """This facilitator has seen a raised safety signal: its notice leaves their pages.
    Audited with ids only. True if this call marked it (a second press changes nothing)."""
    with transaction.atomic():
        _seen, created = SignalSeen.objects.get_or_create(user=user, **unit_owner(unit))
        if created:
            audit_record(actor=user, action="checkin.signal_seen", target=unit, group_id=unit.group_id)
    return created


GUIDANCE_FIELDS = ("next_session", "what_to_say", "where_to_refer", "safeguarding_contact")


def safety_guidance_update(*, actor, **texts: str) -> SafetyGuidance:
    """Change the facilitators' safety guidance (blank: the built-in text). Line ends
    are kept as typed, whatever the browser sent (CR LF from a text area becomes LF),
    so saving without an edit changes nothing. Audited with the number of fields changed."""
    unknown = set(texts) - set(GUIDANCE_FIELDS)
    if unknown:
        raise ValueError(f"not guidance fields: {sorted(unknown)}")
    with transaction.atomic():
        row, created = SafetyGuidance.objects.select_for_update().get_or_create(pk=1)
        changed = 0
        for name, text in texts.items():
            text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
            if getattr(row, name) != text:
                setattr(row, name, text)
                changed += 1
        if changed or created:
            row.full_clean()
            row.save()
            audit_record(actor=actor, action="checkin.guidance_changed", target=row, fields_changed=changed)
    return row
