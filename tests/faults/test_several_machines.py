"""Several machines, shown on one: nginx (Debian's package, with deploy/'s site) in
front of two gunicorn web servers (each on its own loopback address), two Celery
workers and one beat, each its own process, sharing the suite's database and Redis. Check-ins stream
through nginx while one web server (frozen with a check-in in its hands, then killed
outright) and one worker are killed: no check-in is lost or stored twice, no member
sees a 5xx (nginx resends to the other node), and the window's rollup and a reminder are each made once."""

import os
import re
import shutil
import signal
import socket
import threading
import time

import pytest

from tests.checkins.helpers import form_data
from tests.faults.conftest import BIN, ROOT, Process, _free_port, _worker_process
from tests.faults.test_faults import _get, _post
from tests.waiting import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]


def _nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        message = "The several-machines test needs nginx (apt-get install nginx-light)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _listening(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _gunicorn(fault_env, host: str, port: int) -> Process:
    process = Process(
        f"web{port}",
        [str(BIN / "gunicorn"), "facilitator.wsgi", "--bind", f"{host}:{port}", "--workers", "2",
         "--threads", "4", "--timeout", "60"],
        fault_env["env"],
        fault_env["data_dir"],
    ).start()  # fmt: skip
    wait_for(lambda: _listening(port, host), 30, f"web server {host}:{port} to listen")
    return process


def _nginx_in_front(fault_env, nodes: list[tuple[str, int]]) -> tuple[Process, int]:
    """deploy/nginx/facilitator.conf with its upstream on ``nodes`` (address, port) and
    plain HTTP on a free port (the TLS parts are checked by tests/deploy)."""
    folder = fault_env["data_dir"] / f"nginx{time.monotonic_ns()}"
    folder.mkdir()
    port = _free_port()
    site = (ROOT / "deploy" / "nginx" / "facilitator.conf").read_text()
    upstream = "\n".join(f"server {host}:{p} max_fails=2 fail_timeout=10s;" for host, p in nodes)
    site = re.sub(r"server 127\.0\.0\.1:8000[^;]*;", upstream, site)
    site = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", site, count=1, flags=re.S)  # the HTTP redirect
    site = re.sub(r"\s*listen \[::\]:443 ssl http2;", "", site)
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    site = re.sub(r"\n\s*ssl_[^;]*;", "", site)
    site = site.replace("/var/log/nginx/", f"{folder}/")
    site = site.replace("/srv/facilitator/staticfiles/", f"{folder}/static/")
    (folder / "site.conf").write_text(site)
    (folder / "nginx.conf").write_text(
        f"daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n include {folder}/site.conf;\n}}\n"
    )
    process = Process("nginx", [_nginx(), "-p", str(folder), "-c", str(folder / "nginx.conf")],
                      fault_env["env"], fault_env["data_dir"]).start()  # fmt: skip
    wait_for(lambda: _listening(port), 30, "nginx to listen")
    return process, port


def _form_key(url: str) -> str:
    """Load the check-in form, as a member does on scanning the code; its key."""
    status, page = _get(url)
    assert status == 200, status
    return re.search(rb'name="send_key" value="([^"]+)"', page).group(1).decode()


def test_check_ins_through_nginx_survive_a_web_server_and_a_worker_killed(
    fault_env, redis_up, beat, remote, mailbox
):
    # Each web node on an address of its own (the whole of 127.0.0.0/8 is this machine).
    first, second = ("127.0.0.2", _free_port()), ("127.0.0.3", _free_port())
    web_a, web_b = _gunicorn(fault_env, *first), _gunicorn(fault_env, *second)
    worker_a, worker_b = _worker_process(fault_env, "machine-a"), _worker_process(fault_env, "machine-b")
    for worker in (worker_a, worker_b):
        worker.start()
    wait_for(lambda: " ready." in worker_a.text() and " ready." in worker_b.text(), 60, "both workers")
    proxy, port = _nginx_in_front(fault_env, [first, second])
    try:
        arranged = remote("group_with_session", email="two-nodes@example.org", starts_in_minutes=-5)
        # A reminder that comes due during the test, for a worker to send once.
        due = remote("group_with_session", email="two-nodes-reminder@example.org", starts_in_minutes=20 * 60)
        # Open for 50 more seconds: the window closes, and is rolled up, during the test.
        window = remote("open_window", session=arranged["session"], opened_minutes_ago=48 * 60 - 50 / 60)
        url = f"http://127.0.0.1:{port}/c/{window['code']}"
        # The room scanned the code at the start: each member holds a copy of the form
        # (through nginx, so both nodes served some) and sends it when done.
        keys = [_form_key(url) for _ in range(200)]
        statuses: list[int] = []
        sending: dict[str, float] = {}
        across_kill: list[int] = []
        killed = threading.Event()
        stop = threading.Event()

        def stream():
            for key in keys:
                if stop.is_set():
                    break
                sending["since"] = time.monotonic()
                status = _post(url, form_data(send_key=key))
                if killed.is_set() and sending.pop("before_kill", None):
                    across_kill.append(status)
                sending.pop("since", None)
                statuses.append(status)
                time.sleep(0.1)

        sender = threading.Thread(target=stream)
        sender.start()
        try:
            wait_for(lambda: len(statuses) >= 20, 60, "check-ins through nginx")
            # Machine A freezes, then is killed outright (SIGKILL) with a member's check-in
            # in its hands; its worker is killed outright too. nginx resends that POST to
            # machine B, where the form's key says whether A had stored it already.
            os.killpg(web_a.popen.pid, signal.SIGSTOP)
            wait_for(lambda: time.monotonic() - sending.get("since", time.monotonic()) > 2, 60,
                     "a check-in held by the frozen node")  # fmt: skip
            sending["before_kill"] = 1.0
            killed.set()
            web_a.kill()
            worker_a.kill()
            killed_at = len(statuses)
            wait_for(lambda: len(statuses) >= killed_at + 40, 90, "check-ins after the kill")
        finally:
            stop.set()
            sender.join(timeout=90)
        after_kill = statuses[killed_at:]

        assert across_kill == [200]  # the check-in the killed node held: answered by the other
        assert all(status < 500 for status in statuses), statuses
        assert statuses.count(200) + statuses.count(410) + statuses.count(404) == len(statuses), statuses
        successes = statuses.count(200)
        assert after_kill.count(200) >= 20  # the other node answered
        wait_for(
            lambda: remote("state", sessions=[arranged["session"]])["sessions"][str(arranged["session"])][
                "rollups"
            ],
            120,
            "the rollup of the closed window",
        )
        state = remote("state", sessions=[arranged["session"]])
        stored = state["sessions"][str(arranged["session"])]
        assert stored["responses"] == successes  # none lost, none twice
        assert stored["rollups"] == 1 and stored["closes_audited"] == 1
        wait_for(lambda: mailbox("two-nodes-reminder@example.org"), 60, "the reminder")
        assert len(mailbox("two-nodes-reminder@example.org")) == 1
        assert (
            remote("state", sessions=[due["session"]])["sessions"][str(due["session"])]["reminders_sent"] == 1
        )
        assert "Traceback" not in worker_b.text() and "Gossip" not in worker_b.text()
        print(  # the figures the README quotes
            f"several machines on {state['database']}: {len(statuses)} posts, {successes} stored, "
            f"{len(after_kill)} after the kill "
            f"({after_kill.count(200)} stored), held by the killed node: {across_kill}, "
            f"5xx: {sum(s >= 500 for s in statuses)}, "
            f"closed window: {statuses.count(410) + statuses.count(404)}, rollups: {stored['rollups']}"
        )
    finally:
        for process in (proxy, web_a, web_b, worker_a, worker_b):
            process.kill()
