"""A reminder email that cannot be sent is tried again a few times, waiting longer each
time, then given up on and reported as overdue; it is never sent twice, and the log
never holds the recipient's address."""

import logging
import smtplib
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from facilitator import health
from groups import selectors, services
from groups.models import Reminder
from groups.tasks import reminders_sweep
from tests.factories import GroupFactory, SessionFactory

pytestmark = pytest.mark.django_db

SWEEP_EVERY = timedelta(minutes=5)


class Mail:
    """Stands in for the reminder email: raises ``error`` while it is set, sends otherwise."""

    def __init__(self, monkeypatch, error: Exception | None):
        self.error = error
        self.tries = 0
        real = services._reminder_email_send

        def send(**kwargs):
            self.tries += 1
            if self.error is not None:
                raise self.error
            real(**kwargs)

        monkeypatch.setattr(services, "_reminder_email_send", send)


@pytest.fixture
def solo_group(owner):
    return GroupFactory(name="Thursday group", owner=owner)


@pytest.fixture
def session(solo_group):
    return SessionFactory(group=solo_group, starts_at=timezone.now() + timedelta(hours=20))


def _refused(address: str) -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 mailbox unavailable")})


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_reminder_that_keeps_failing_is_retried_with_growing_waits_then_given_up(
    session, owner, monkeypatch
):
    waits = services.REMINDER_RETRY_WAITS
    assert list(waits) == sorted(waits) and waits[-1] >= timedelta(minutes=30)
    outage = Mail(monkeypatch, _refused(owner.email))
    moment = timezone.now()

    assert services.reminders_send_due(now=moment).failed == 1
    for attempt, wait in enumerate(waits, start=2):
        if wait > SWEEP_EVERY:
            services.reminders_send_due(now=moment + wait - timedelta(minutes=1))
            assert outage.tries == attempt - 1, "tried again before its wait was over"
        moment += max(wait, SWEEP_EVERY)
        services.reminders_send_due(now=moment)
        assert outage.tries == attempt

    reminder = Reminder.objects.get(session=session, user=owner)
    assert reminder.attempts == services.REMINDER_MAX_ATTEMPTS == outage.tries
    assert reminder.failed_at == moment
    assert reminder.sent_at is None and reminder.claim_token == ""
    assert reminder.last_error == "SMTPRecipientsRefused"
    # Given up is final: later sweeps leave it alone, even once mail works again.
    outage.error = None
    assert services.reminders_send_due(now=moment + timedelta(hours=3)).sent == 0
    assert outage.tries == services.REMINDER_MAX_ATTEMPTS
    assert mail.outbox == []


def test_a_reminder_given_up_on_stays_overdue_and_is_counted(session, owner):
    Reminder.objects.create(
        session=session,
        user=owner,
        session_starts_at=session.starts_at,
        due_at=session.starts_at - timedelta(hours=24),
        attempts=services.REMINDER_MAX_ATTEMPTS,
        failed_at=timezone.now() - timedelta(hours=1),
        last_error="SMTPRecipientsRefused",
    )

    assert services.reminders_send_due().sent == 0
    assert health.overdue_work()["reminders_due_unsent"] == 1
    assert selectors.reminders_given_up_count(since=timezone.now() - timedelta(days=7)) == 1
    assert selectors.reminders_given_up_count(since=timezone.now()) == 0


def test_a_reminder_that_failed_once_is_sent_exactly_once_by_a_later_sweep(session, owner, monkeypatch):
    blip = Mail(monkeypatch, _refused(owner.email))  # refused once, for this message
    moment = timezone.now()

    services.reminders_send_due(now=moment)
    blip.error = None
    retried = services.reminders_send_due(now=moment + SWEEP_EVERY)
    again = services.reminders_send_due(now=moment + 2 * SWEEP_EVERY)

    assert (retried.sent, again.sent) == (1, 0)
    assert [message.to for message in mail.outbox] == [[owner.email]]
    reminder = Reminder.objects.get(session=session, user=owner)
    assert reminder.sent_at is not None and reminder.failed_at is None
    assert reminder.attempts == 1


def test_a_failure_is_logged_by_reminder_id_without_the_recipients_address(
    session, owner, monkeypatch, caplog
):
    Mail(monkeypatch, _refused(owner.email))
    moment = timezone.now()

    with caplog.at_level(logging.WARNING, logger="groups.services"):
        for n in range(services.REMINDER_MAX_ATTEMPTS):
            services.reminders_send_due(now=moment + n * timedelta(hours=2))

    reminder = Reminder.objects.get(session=session, user=owner)
    assert reminder.failed_at is not None
    assert f"Reminder {reminder.pk} could not be sent (attempt 1 of" in caplog.text
    given_up = [record for record in caplog.records if "given up" in record.getMessage()]
    assert [record.levelno for record in given_up] == [logging.ERROR]
    assert "SMTPRecipientsRefused" in given_up[0].getMessage()
    assert owner.email not in caplog.text
    assert "mailbox unavailable" not in caplog.text


def test_an_unexpected_error_is_logged_with_where_it_happened_but_not_its_message(
    session, owner, monkeypatch, caplog
):
    Mail(monkeypatch, ValueError(f'Invalid address "{owner.email}"'))

    with caplog.at_level(logging.WARNING, logger="groups.services"):
        assert services.reminders_send_due().failed == 1

    assert "ValueError" in caplog.text
    assert "test_reminder_failures.py" in caplog.text  # the frame that raised
    assert owner.email not in caplog.text


def test_with_the_mail_server_down_the_sweep_stops_at_the_first_failure_and_sends_later_once(
    group, owner, cofacilitator, settings
):
    for hours in (20, 21, 22):
        SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=hours))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    moment = timezone.now()

    down = services.reminders_send_due(now=moment)

    assert (down.sent, down.failed) == (0, 6)
    # The server's failure is not the reminders': none of them used up an attempt.
    assert sorted(Reminder.objects.values_list("attempts", flat=True)) == [0] * 6
    assert not Reminder.objects.exclude(claim_token="").exists()  # nothing left claimed

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    back = services.reminders_send_due(now=moment + SWEEP_EVERY)
    services.reminders_send_due(now=moment + 2 * SWEEP_EVERY)

    assert back.sent == 6
    assert len(mail.outbox) == 6
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.email, cofacilitator.email] * 3)


def test_a_reminder_still_failing_when_its_session_is_too_close_is_skipped_and_logged(
    solo_group, owner, caplog
):
    soon = SessionFactory(group=solo_group, starts_at=timezone.now() + timedelta(minutes=10))
    reminder = Reminder.objects.create(
        session=soon,
        user=owner,
        session_starts_at=soon.starts_at,
        due_at=soon.starts_at - timedelta(hours=24),
        attempts=2,
        next_attempt_at=timezone.now(),
        last_error="SMTPServerDisconnected",
    )

    with caplog.at_level(logging.WARNING, logger="groups.services"):
        result = services.reminders_send_due()

    assert result.skipped == 1
    reminder.refresh_from_db()
    assert reminder.skipped_at is not None and reminder.sent_at is None
    assert f"Reminder {reminder.pk} skipped" in caplog.text
    assert mail.outbox == []


def test_the_periodic_task_reports_the_sends_that_failed(session, owner, monkeypatch):
    Mail(monkeypatch, _refused(owner.email))

    assert reminders_sweep() == {"sent": 0, "skipped": 0, "failed": 1}


def test_a_mail_server_outage_longer_than_every_retry_wait_gives_no_reminder_up(session, owner, monkeypatch):
    outage = Mail(monkeypatch, smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    moment = timezone.now()
    # Down for three hours, a sweep every five minutes: far more tries than attempts allowed.
    for _ in range(36):
        assert services.reminders_send_due(now=moment).sent == 0
        moment += SWEEP_EVERY
    assert outage.tries == 36

    reminder = Reminder.objects.get(session=session, user=owner)
    assert (reminder.attempts, reminder.failed_at, reminder.claim_token) == (0, None, "")
    outage.error = None
    assert services.reminders_send_due(now=moment).sent == 1
    assert [message.to for message in mail.outbox] == [[owner.email]]


def test_a_sweep_out_of_time_releases_the_reminder_it_was_sending_without_counting_an_attempt(
    session, owner, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    timeout = Mail(monkeypatch, SoftTimeLimitExceeded())

    with pytest.raises(SoftTimeLimitExceeded):
        services.reminders_send_due()

    reminder = Reminder.objects.get(session=session, user=owner)
    assert (reminder.attempts, reminder.failed_at, reminder.claim_token) == (0, None, "")
    timeout.error = None
    assert services.reminders_send_due().sent == 1
