"""Real processes for the fault suite: its own Redis (port 6390, so it can be
stopped), a Celery worker, beat and a gunicorn web server, all sharing one database:
a SQLite file in a temporary DATA_DIR (the embedded default), or, with
``FAULTS_DATABASE_URL`` set, a PostgreSQL database of that name made afresh for the
run and dropped after it (CI runs the suite both ways). Every process is started in
its own process group and killed as a group when its fixture ends."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", "6390"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """One long-running command in its own process group, logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path):
        self.name, self.args, self.env = name, args, env
        self.log = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        handle = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen is None or self.popen.poll() is not None:
            self.popen = None
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)
        self.popen = None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Redis:
    def __init__(self, data_dir: Path, env: dict):
        self.process = Process(
            "redis",
            [
                "redis-server",
                "--port", str(REDIS_PORT),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--dir", str(data_dir),
            ],
            env,
            data_dir,
        )  # fmt: skip

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.process.start()
        wait_for(self.ping, 15, "Redis to answer")

    def stop(self) -> None:
        self.process.kill(signal.SIGKILL)
        wait_for(lambda: not self.ping(), 10, "Redis to stop")

    def queued(self) -> int:
        """Messages waiting or delivered but not acknowledged (kombu's Redis layout)."""
        import redis

        client = redis.Redis(port=REDIS_PORT, db=0, socket_timeout=2)
        try:
            return client.llen("celery") + client.hlen("unacked")
        finally:
            client.close()


def _postgres_fresh(url: str, *, drop_only: bool = False) -> None:
    """Drop the database ``url`` names, and (unless ``drop_only``) make it again, empty."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop_only:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def fault_env():
    if shutil.which("redis-server") is None:
        message = "The fault suite needs redis-server (apt-get install redis-server)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    data_dir = Path(tempfile.mkdtemp(prefix="facilitator-faults-"))
    (data_dir / "mail").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
        "DATA_DIR": str(data_dir),
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        # Longer than any task in this suite, short enough that a killed worker's
        # message is redelivered within the test.
        "CELERY_VISIBILITY_TIMEOUT": "12",
        "CHECKIN_RATE_PER_MINUTE": "10000",
        "PYTHONPATH": str(ROOT),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("DATABASE_URL", None)
    database_url = os.environ.get("FAULTS_DATABASE_URL", "")
    if database_url:
        _postgres_fresh(database_url)
        env["DATABASE_URL"] = database_url
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    yield {"env": env, "data_dir": data_dir}
    shutil.rmtree(data_dir, ignore_errors=True)
    if database_url:
        _postgres_fresh(database_url, drop_only=True)


@pytest.fixture(scope="session")
def redis_server(fault_env):
    server = Redis(fault_env["data_dir"], fault_env["env"])
    server.start()
    yield server
    server.process.kill()


@pytest.fixture
def redis_up(redis_server):
    """Redis running at the start (and the end) of the test."""
    if not redis_server.ping():
        redis_server.start()
    yield redis_server
    if not redis_server.ping():
        redis_server.start()


@pytest.fixture
def remote(fault_env):
    """Run a helper from tests/faults/remote.py in the suite's database; its JSON result."""

    def _run(name: str, **arguments):
        done = subprocess.run(
            [sys.executable, "-m", "tests.faults.remote", name, json.dumps(arguments)],
            cwd=ROOT,
            env=fault_env["env"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    return _run


@pytest.fixture
def mailbox(fault_env):
    """The messages the file backend wrote, addressed to ``email``."""

    def _to(email: str) -> list[str]:
        found = []
        for path in sorted((fault_env["data_dir"] / "mail").glob("*.log")):
            found += [m for m in path.read_text(errors="replace").split("-" * 79) if f"To: {email}" in m]
        return found

    return _to


def _worker_process(fault_env, name: str) -> Process:
    return Process(
        name,
        [
            str(BIN / "celery"), "-A", "facilitator", "worker",
            "--loglevel", "INFO", "--concurrency", "2", "--hostname", f"{name}@faults",
            "--without-gossip", "--without-mingle",
        ],
        fault_env["env"],
        fault_env["data_dir"],
    )  # fmt: skip


@pytest.fixture
def worker(fault_env, redis_up):
    """A real worker (prefork, two children), started and ready."""
    process = _worker_process(fault_env, f"worker{time.monotonic_ns()}")

    def start():
        before = process.text().count(" ready.")
        process.start()
        wait_for(lambda: process.text().count(" ready.") > before, 60, "the worker to be ready")

    process.restart = start
    start()
    yield process
    process.kill()


@pytest.fixture
def beat(fault_env, redis_up):
    process = Process(
        f"beat{time.monotonic_ns()}",
        [str(BIN / "celery"), "-A", "facilitator", "beat", "--loglevel", "INFO", "--pidfile="],
        fault_env["env"],
        fault_env["data_dir"],
    ).start()
    yield process
    process.kill()


@pytest.fixture
def web(fault_env, redis_up):
    port = _free_port()
    process = Process(
        f"web{port}",
        [
            str(BIN / "gunicorn"), "facilitator.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--threads", "4", "--timeout", "60",
        ],
        fault_env["env"],
        fault_env["data_dir"],
    ).start()  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def answering():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    wait_for(answering, 30, "the web server to listen")
    process.base = base
    yield process
    process.kill()
