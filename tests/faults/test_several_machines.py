"""Several machines, shown on one: nginx (Debian's package, with deploy/'s site) in
front of two gunicorn web servers, two Celery workers and one beat, each its own
process on its own port, sharing the suite's database and Redis. Check-ins stream
through nginx while one web server and one worker are killed: no check-in is lost,
no member sees a 5xx (nginx moves to the other node), and the window's rollup is
made once."""

import os
import re
import shutil
import signal
import socket
import threading
import time

import pytest

from tests.checkins.helpers import form_data
from tests.faults.conftest import BIN, ROOT, Process, _free_port, _worker_process, wait_for
from tests.faults.test_faults import _post

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]


def _nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        message = "The several-machines test needs nginx (apt-get install nginx-light)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _gunicorn(fault_env, port: int) -> Process:
    process = Process(
        f"web{port}",
        [str(BIN / "gunicorn"), "facilitator.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4", "--timeout", "60"],
        fault_env["env"],
        fault_env["data_dir"],
    ).start()  # fmt: skip
    wait_for(lambda: _listening(port), 30, f"web server {port} to listen")
    return process


def _nginx_in_front(fault_env, ports: list[int]) -> tuple[Process, int]:
    """deploy/nginx/facilitator.conf with its upstream on ``ports`` and plain HTTP on a
    free port (the TLS parts are checked by tests/deploy)."""
    folder = fault_env["data_dir"] / f"nginx{time.monotonic_ns()}"
    folder.mkdir()
    port = _free_port()
    site = (ROOT / "deploy" / "nginx" / "facilitator.conf").read_text()
    upstream = "\n".join(f"server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;" for p in ports)
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


def test_check_ins_through_nginx_survive_a_web_server_and_a_worker_killed(fault_env, redis_up, beat, remote):
    first, second = _free_port(), _free_port()
    web_a, web_b = _gunicorn(fault_env, first), _gunicorn(fault_env, second)
    worker_a, worker_b = _worker_process(fault_env, "machine-a"), _worker_process(fault_env, "machine-b")
    for worker in (worker_a, worker_b):
        worker.start()
    wait_for(lambda: " ready." in worker_a.text() and " ready." in worker_b.text(), 60, "both workers")
    proxy, port = _nginx_in_front(fault_env, [first, second])
    try:
        arranged = remote("group_with_session", email="two-nodes@example.org", starts_in_minutes=-5)
        # Open for 40 more seconds: the window closes, and is rolled up, during the test.
        window = remote("open_window", session=arranged["session"], opened_minutes_ago=48 * 60 - 40 / 60)
        url = f"http://127.0.0.1:{port}/c/{window['code']}"
        statuses: list[int] = []
        stop = threading.Event()

        def stream():
            while not stop.is_set():
                statuses.append(_post(url, form_data()))
                time.sleep(0.1)

        sender = threading.Thread(target=stream)
        sender.start()
        try:
            wait_for(lambda: len(statuses) >= 20, 60, "check-ins through nginx")
            # The web node is stopped as a machine going down is (SIGTERM: gunicorn
            # stops listening and finishes what it holds); the worker is killed outright.
            # A web node killed outright (SIGKILL) loses the answer to the one request
            # it was serving: nginx never resends a POST (it might have been stored),
            # so that member sees a 502 (README, "Several machines").
            web_a.kill(signal.SIGTERM)
            worker_a.kill()
            killed_at = len(statuses)
            wait_for(lambda: len(statuses) >= killed_at + 40, 60, "check-ins after the kill")
        finally:
            stop.set()
            sender.join(timeout=60)
        after_kill = statuses[killed_at:]

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
        stored = remote("state", sessions=[arranged["session"]])["sessions"][str(arranged["session"])]
        assert stored["responses"] == successes  # none lost, none twice
        assert stored["rollups"] == 1 and stored["closes_audited"] == 1
        print(  # the figures the README quotes
            f"several machines: {len(statuses)} posts, {successes} stored, {len(after_kill)} after the kill "
            f"({after_kill.count(200)} stored), 5xx: {sum(s >= 500 for s in statuses)}, "
            f"closed window: {statuses.count(410) + statuses.count(404)}, rollups: {stored['rollups']}"
        )
    finally:
        for process in (proxy, web_a, web_b, worker_a, worker_b):
            process.kill()
