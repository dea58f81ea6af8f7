"""Background jobs survive a Redis outage, a killed worker, a repeated message and a
stopped beat: proved against real processes (see conftest.py)."""

import json
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from tests.checkins.helpers import form_data
from tests.waiting import wait_for

# Each test waits out an outage or a restart on purpose: a longer limit than the suite's.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]


def test_a_task_killed_mid_send_runs_to_completion_after_restart_and_emails_once(
    fault_env, redis_up, worker, remote, mailbox
):
    data_dir = fault_env["data_dir"]
    (data_dir / "pause-mail").touch()
    invitation = remote("invite", email="killed-mid-send@example.org")["invitation"]
    wait_for((data_dir / "mail-started").exists, 60, "the invitation task to start sending")

    worker.kill()  # SIGKILL to the worker's whole process group, mid-send
    (data_dir / "pause-mail").unlink()
    (data_dir / "mail-started").unlink()
    assert mailbox("killed-mid-send@example.org") == []
    assert remote("state", invitations=[invitation])["invitations"][str(invitation)] == {"sent": False}

    worker.restart()  # the unacknowledged message comes back after the visibility timeout
    wait_for(lambda: mailbox("killed-mid-send@example.org"), 90, "the invitation email after restart")
    # Nothing left that could deliver it again: no message waiting, none unacknowledged.
    wait_for(lambda: redis_up.queued() == 0, 30, "the queue to drain")

    assert len(mailbox("killed-mid-send@example.org")) == 1
    assert remote("state", invitations=[invitation])["invitations"][str(invitation)] == {"sent": True}


def test_the_same_message_delivered_twice_has_one_effect(worker, remote, mailbox):
    arranged = remote("group_with_session", email="twice@example.org", starts_in_minutes=20 * 60)

    remote("publish", task="groups.tasks.reminders_sweep", times=2, task_id="same-message-twice")
    wait_for(
        lambda: worker.text().count("reminders_sweep[same-message-twice] succeeded") >= 2,
        60,
        "both deliveries to run",
    )

    assert len(mailbox("twice@example.org")) == 1
    assert (
        remote("state", sessions=[arranged["session"]])["sessions"][str(arranged["session"])][
            "reminders_sent"
        ]
        == 1
    )


def test_after_an_hour_without_beat_the_next_sweeps_catch_up_once_and_skip_what_is_stale(
    worker, remote, mailbox
):
    email = "beat-was-down@example.org"
    # Reminder due an hour ago, session still 23 hours away: sent late.
    late = remote("group_with_session", email=email, starts_in_minutes=23 * 60)
    group = late["group"]
    # Reminder due a day ago, session in ten minutes: too late to help, skipped.
    stale = remote("add_session", group=group, starts_in_minutes=10)["session"]
    # Started 70 minutes ago and still running: its check-in should have opened.
    running = remote("add_session", group=group, starts_in_minutes=-70, duration_minutes=120)["session"]
    # Its check-in should have closed an hour ago (with three answers to roll up).
    ended = remote("add_session", group=group, starts_in_minutes=-50 * 60)["session"]
    remote("open_window", session=ended, opened_minutes_ago=49 * 60, hours_open=48)
    remote("checkin_answers", session=ended, answers=3)

    sweeps = [
        "groups.tasks.reminders_sweep",
        "groups.checkins.tasks.windows_sweep",
        "groups.checkins.tasks.rollups_sweep",
    ]
    for _round in range(2):
        for task in sweeps:
            remote("publish", task=task)
    wait_for(
        lambda: (
            all(worker.text().count(f"{task}[") >= 4 and True for task in sweeps)
            and worker.text().count("succeeded") >= 6
        ),
        90,
        "every sweep to run twice",
    )

    sessions = remote("state", sessions=[late["session"], stale, running, ended])["sessions"]
    assert len(mailbox(email)) == 1
    assert sessions[str(late["session"])]["reminders_sent"] == 1
    assert sessions[str(stale)]["reminders_sent"] == 0
    assert sessions[str(stale)]["reminders_skipped"] == 1
    assert sessions[str(running)]["opened"] is True
    assert sessions[str(ended)]["closed"] is True
    assert sessions[str(ended)]["closes_audited"] == 1
    assert sessions[str(ended)]["rollups"] == 1
    assert sessions[str(ended)]["responses"] == 3


def _post(url: str, data: dict) -> int:
    request = urllib.request.Request(url, data=urlencode(data).encode(), method="POST")  # noqa: S310 (http only, our server)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0  # no answer at all: counted, never as a success


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_check_ins_keep_working_through_a_redis_outage_and_due_work_runs_after(
    redis_up, worker, beat, web, remote, mailbox
):
    arranged = remote("group_with_session", email="outage-host@example.org", starts_in_minutes=-5)
    window = remote("open_window", session=arranged["session"])
    url = f"{web.base}/c/{window['code']}"
    statuses: list[int] = []
    stop = threading.Event()

    def stream():
        while not stop.is_set():
            statuses.append(_post(url, form_data()))
            time.sleep(0.3)

    sender = threading.Thread(target=stream)
    sender.start()
    try:
        wait_for(lambda: len(statuses) >= 5, 30, "check-ins before the outage")
        redis_up.stop()
        outage_started = len(statuses)
        # Work that comes due while Redis is down: a reminder for a new session.
        due = remote("group_with_session", email="due-in-outage@example.org", starts_in_minutes=20 * 60)
        health_status, health_body = _get(f"{web.base}/healthz")
        ready_status, ready_body = _get(f"{web.base}/readyz")
        live_status, _live = _get(f"{web.base}/livez")
        login_status, _body = _get(f"{web.base}/accounts/login/")
        time.sleep(30)
        during = statuses[outage_started:]
        redis_up.start()
        after_outage = len(statuses)
        wait_for(lambda: len(statuses) >= after_outage + 5, 60, "check-ins after the outage")
    finally:
        stop.set()
        sender.join(timeout=60)

    # Degraded, not down: a load balancer probing /readyz keeps the node in.
    assert health_status == ready_status == live_status == 200
    assert json.loads(health_body)["checks"]["broker"] == "unavailable"
    assert json.loads(ready_body) == {
        "status": "degraded",
        "checks": {"database": "ok", "broker": "unavailable"},
    }
    assert login_status == 200
    assert len(during) >= 10
    assert all(status < 500 for status in statuses), statuses
    successes = statuses.count(200)
    assert successes == len(statuses), statuses
    stored = remote("state", sessions=[arranged["session"]])["sessions"][str(arranged["session"])]
    assert stored["responses"] == successes

    # A lost broker reads as what it is (a warning, then "Cannot connect" until it is
    # back), never as a crash: no traceback, and no gossip (off, as Celery advises for
    # Redis) failing to restart.
    assert "Traceback" not in worker.text() and "Gossip" not in worker.text()

    # Beat and the worker reconnect by themselves; the reminder that came due is sent once.
    wait_for(lambda: mailbox("due-in-outage@example.org"), 120, "the reminder due during the outage")
    assert len(mailbox("due-in-outage@example.org")) == 1
    assert remote("state", sessions=[due["session"]])["sessions"][str(due["session"])]["reminders_sent"] == 1
