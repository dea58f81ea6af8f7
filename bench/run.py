"""``make bench``: generate a program, serve it with gunicorn on 127.0.0.1, drive it
from a separate load process (bench/load.py), run the sweeps on one Celery worker,
and write bench/results/latest.json and latest.md.

    python -m bench.run            # the full program (2,000 groups, ~1M answers)
    python -m bench.run --quick    # a small program, the same figures, under 3 minutes

SQLite (a fresh file under bench/results/work/) unless DATABASE_URL is set; then that
database is used and must be empty (it is migrated, not flushed). REDIS_URL switches
the cache and the broker to Redis, as for the site.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = RESULTS / "work"
PYTHON = sys.executable
BIN = Path(sys.executable).parent


@dataclass
class Plan:
    quick: bool
    runs: int
    load_seconds: float
    clients: int
    page_requests: int
    sweep_items: int
    sweep_runs: int
    sweep_timeout: float


WARM_SECONDS = 2.0


def plan_for(quick: bool) -> Plan:
    if quick:
        return Plan(True, 3, 3.0, 16, 10, 1_000, 3, 60.0)
    return Plan(False, 5, 8.0, 16, 15, 10_000, 3, 120.0)


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    target: str
    met: bool | None
    runs: list | None = None
    note: str = ""


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def _environment() -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["DATA_DIR"] = str(WORK)
    env["DJANGO_DEBUG"] = "0"
    env["DJANGO_ENV"] = "local"
    env["LOG_LEVEL"] = "WARNING"
    # The load is concentrated on a few hundred windows, far more per window than a
    # real evening (40,000 answers over 5,000 groups): lift the per-window caps so the
    # checks still run but do not turn the benchmark into a test of the caps.
    env.setdefault("CHECKIN_RATE_PER_MINUTE", "1000000")
    env.setdefault("CHECKIN_MAX_PER_WINDOW", "1000000")
    env["PYTHONPATH"] = str(ROOT)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _load(port: int, *args: str, timeout: float = 120) -> dict:
    """Run bench/load.py as its own process and read its one line of JSON."""
    command = [PYTHON, str(ROOT / "bench" / "load.py"), *args, "--port", str(port)]
    done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        command, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _session_cookie(user) -> str:
    """A signed-in browser session for ``user``, as after signing in with a second factor."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from facilitator.middleware import session_lifetime_start

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session_lifetime_start(store)
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _with_second_factor(user) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {}})


def _queries(user, path: str) -> tuple[int, int]:
    """(status, queries) for one GET in this process, signed in as ``user``."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(path)  # warm: first-request caches (content types, the session) do not count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response.status_code, len(captured)


def _machine() -> dict:
    import django

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kib = int(line.split()[1])
    from django.db import connection

    versions = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": f"{connection.vendor} {_database_version(connection)}",
    }
    for package in ("gunicorn", "celery", "kombu", "redis", "psycopg"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: S112 - an optional package that is not installed
            continue
    try:
        # git from PATH, only to label the report.
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "host": platform.node(),
        "os": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "load_average_at_start": list(os.getloadavg()),
        "versions": versions,
        "commit": commit,
    }


def _database_version(connection) -> str:
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version
    return str(connection.pg_version) if connection.vendor == "postgresql" else ""


def _statistics_made() -> None:
    """After the bulk load, PostgreSQL plans with no statistics until autovacuum gets to
    the tables, minutes later: a database a site has run on has them. ANALYZE now, as
    PostgreSQL's documentation advises after a bulk load (without it, closing 1,000 of
    the generated windows took 12 s instead of 1). SQLite keeps its own heuristics."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _wait_http(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def _floor_session(program) -> int:
    """The session the floor's rows go to: the last open window's, which no check-in uses."""
    from groups.models import Session

    return Session.objects.filter(checkin_window__code=program.open_codes[-1]).values_list("pk", flat=True)[0]


def web_figures(plan: Plan, program, env: dict) -> list[Figure]:
    from facilitator.models import User

    admin = User.objects.get(email=program.admin_email)
    trends = User.objects.get(email=program.trend_user_email)
    for user in (admin, trends):
        _with_second_factor(user)
    floor_session = _floor_session(program)
    codes = WORK / "codes.txt"
    codes.write_text("\n".join(program.open_codes[:-1]) + "\n")
    trend_paths = {size: f"/checkins/groups/{pk}/trends" for size, pk in program.trend_group_ids.items()}
    trend_queries = {size: _queries(trends, path) for size, path in trend_paths.items()}
    program_queries = _queries(admin, "/checkins/program")
    admin_cookie, trends_cookie = _session_cookie(admin), _session_cookie(trends)

    port = _free_port()
    workers = max(2, (os.cpu_count() or 2) + 1)
    server_env = {**env, "PORT": str(port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": str(workers)}
    server_log = open(WORK / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
        [str(BIN / "gunicorn"), "-c", "python:facilitator.gunicorn_conf", "facilitator.wsgi"],
        cwd=ROOT,
        env=server_env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    figures: list[Figure] = []
    try:
        _wait_http(port, 60)
        log(f"gunicorn: {workers} sync workers on 127.0.0.1:{port}")
        load_args = [
            "--clients",
            str(plan.clients),
            "--seconds",
            str(plan.load_seconds),
            "--requests",
            "200000",
        ]
        # One short untimed run of each first: the workers have just started, and the
        # first to be timed would pay for Django's lazy set-up and the first database
        # connections, while the other found them made.
        warm_args = ["--clients", str(plan.clients), "--seconds", str(WARM_SECONDS), "--requests", "200000"]
        _load(port, "checkin", "--codes", str(codes), *warm_args)
        _load(port, "floor", "--session", str(floor_session), *warm_args)
        checkin_runs, floor_runs = [], []
        # Alternate, so a noisy moment on the machine hits both sides alike.
        for _run in range(plan.runs):
            checkin_runs.append(_load(port, "checkin", "--codes", str(codes), *load_args))
            floor_runs.append(_load(port, "floor", "--session", str(floor_session), *load_args))
            last, last_floor = checkin_runs[-1], floor_runs[-1]
            log(
                f"check-in {last['throughput_rps']:.0f}/s p99 {last['p99_ms']:.0f} ms {last['statuses']}; "
                f"floor {last_floor['throughput_rps']:.0f}/s"
            )
        figures += checkin_figures(checkin_runs, floor_runs, plan)
        # The form page a member's phone loads on scanning the code, against the same floor.
        form_path = f"/c/{program.open_codes[0]}"
        form_runs = [_load(port, "get", "--path", form_path, *load_args) for _ in range(plan.runs)]
        figures += form_page_figures(form_runs, floor_runs)

        page_args = ["--clients", "1", "--requests", str(plan.page_requests), "--seconds", "60"]
        times: dict[int, list] = {}
        for size, path in trend_paths.items():
            times[size] = [
                _load(port, "get", "--path", path, "--cookie", trends_cookie, *page_args)
                for _ in range(plan.runs)
            ]
        figures += trend_figures(times, trend_queries)
        program_runs = [
            _load(port, "get", "--path", "/checkins/program", "--cookie", admin_cookie, *page_args)
            for _ in range(plan.runs)
        ]
        figures.append(program_figure(program_runs, program_queries, program.counts))
        peak = max((_peak_rss_kib(pid) for pid in _children(server.pid)), default=0)
        figures.append(
            Figure(
                "Peak memory of a web worker",
                round(peak / 1024, 1),
                "MiB",
                "reported",
                None,
                note=f"largest VmHWM of {workers} gunicorn sync workers after all web figures",
            )
        )
    finally:
        _stop(server)
        server_log.close()
    return figures


def checkin_figures(checkin_runs: list[dict], floor_runs: list[dict], plan: Plan) -> list[Figure]:
    checkin_rps = _median([r["throughput_rps"] for r in checkin_runs])
    floor_rps = _median([r["throughput_rps"] for r in floor_runs])
    p50 = _median([r["p50_ms"] for r in checkin_runs])
    p99 = _median([r["p99_ms"] for r in checkin_runs])
    ratio = checkin_rps / floor_rps if checkin_rps and floor_rps else None
    not_ok = sum(sum(n for s, n in r["statuses"].items() if s != "200") + r["errors"] for r in checkin_runs)
    note = (
        f"{plan.clients} clients, {plan.runs} runs of {plan.load_seconds:g} s; "
        f"non-200 or failed check-ins: {not_ok}"
    )
    return [
        Figure(
            "Check-in submissions per second",
            round(checkin_rps or 0, 1),
            "req/s",
            "reported",
            None,
            checkin_runs,
            note,
        ),
        Figure(
            "Raw-insert floor per second", round(floor_rps or 0, 1), "req/s", "reported", None, floor_runs
        ),
        Figure(
            "Check-in throughput / floor",
            round(ratio, 3) if ratio else None,
            "ratio",
            ">= 0.5",
            bool(ratio and ratio >= 0.5 and not_ok == 0),
        ),
        Figure("Check-in p50 latency", round(p50, 1) if p50 else None, "ms", "reported", None),
        Figure(
            "Check-in p99 latency", round(p99, 1) if p99 else None, "ms", "< 100", bool(p99 and p99 < 100)
        ),
    ]


def form_page_figures(form_runs: list[dict], floor_runs: list[dict]) -> list[Figure]:
    form_rps = _median([r["throughput_rps"] for r in form_runs])
    floor_rps = _median([r["throughput_rps"] for r in floor_runs])
    not_ok = sum(sum(n for s, n in r["statuses"].items() if s != "200") + r["errors"] for r in form_runs)
    return [
        Figure(
            "Check-in form page (GET) per second",
            round(form_rps or 0, 1),
            "req/s",
            "reported",
            None,
            form_runs,
            f"GET /c/<code> of one open window, same clients as the check-in; non-200 or failed: {not_ok}",
        ),
        Figure(
            "Form page throughput / floor",
            round(form_rps / floor_rps, 3) if form_rps and floor_rps else None,
            "ratio",
            "reported",
            None,
        ),
    ]


def inprocess_figures(measured: dict) -> list[Figure]:
    """CPU per check-in and per floor POST through Django's handler in this process
    (bench/profile.py); the step table goes into the report as its own section."""
    sent = 20 + 2 * measured["count"]  # the warm-up, the timed and the profiled check-ins
    ok = measured["stored"] == sent
    return [
        Figure(
            "Check-in CPU per POST, in-process",
            measured["cpu_ms_checkin"],
            "ms",
            "reported",
            None,
            note=(
                f"time.process_time over {measured['count']} check-in POSTs through Django's test client "
                f"(every middleware, the view, the form, the template, the database; no network); "
                f"{measured['stored']} of {sent} stored{'' if ok else ' (NOT ALL: the figures are wrong)'}"
            ),
        ),
        Figure("Floor CPU per POST, in-process", measured["cpu_ms_floor"], "ms", "reported", None),
        Figure(
            "Check-in CPU / floor CPU, in-process",
            round(measured["cpu_ms_checkin"] / measured["cpu_ms_floor"], 1)
            if measured["cpu_ms_floor"]
            else None,
            "ratio",
            "reported",
            None,
        ),
    ]


def trend_figures(times: dict[int, list], queries: dict[int, tuple[int, int]]) -> list[Figure]:
    figures = []
    medians = {}
    for size, runs in sorted(times.items()):
        medians[size] = _median([r["median_ms"] for r in runs])
        status, count = queries[size]
        ok = all(set(r["statuses"]) == {"200"} for r in runs) and status == 200
        figures.append(
            Figure(f"Trend page, {size} sessions", round(medians[size], 1), "ms", "reported", None, runs)
        )
        figures.append(
            Figure(
                f"Trend page queries, {size} sessions",
                count,
                "queries",
                "< 10",
                count < 10 and ok,
                note="" if ok else "a request did not answer 200",
            )
        )
    smallest, largest = min(medians), max(medians)
    ratio = medians[largest] / medians[smallest] if medians[smallest] else None
    figures.append(
        Figure(
            f"Trend page time, {largest} / {smallest} sessions",
            round(ratio, 2) if ratio else None,
            "ratio",
            "<= 1.5",
            bool(ratio and ratio <= 1.5),
        )
    )
    return figures


def program_figure(runs: list[dict], queries: tuple[int, int], counts: dict) -> Figure:
    value = _median([r["median_ms"] for r in runs])
    status, count = queries
    ok = status == 200 and all(set(r["statuses"]) == {"200"} for r in runs)
    return Figure(
        "Admin program view",
        round(value, 1) if value else None,
        "ms",
        "< 500",
        bool(ok and value and value < 500),
        runs,
        note=f"{count} queries; {counts.get('answers', 0):,} answers in {counts.get('groups', 0):,} groups",
    )


def sweep_figures(plan: Plan, env: dict) -> list[Figure]:
    from bench import generate
    from groups import tasks as group_tasks
    from groups.checkins import tasks as checkin_tasks
    from groups.models import Reminder, Session

    count = plan.sweep_items
    target_seconds = 60 * count / 10_000
    reminder_runs: list[float | None] = []
    rollup_runs: list[float | None] = []
    worker = _Worker(env)

    def warm() -> None:
        # A few windows through the whole path first, so the clock starts with a
        # worker that is up and has imported everything.
        ids = generate.windows_closing(5)
        checkin_tasks.windows_sweep.delay()
        _until(_rolled_up(ids), time.perf_counter(), plan)

    try:
        warm()
        for _run in range(plan.sweep_runs):
            due = generate.reminders_due(count)
            before = Reminder.objects.exclude(sent_at=None).count()
            started = time.perf_counter()
            group_tasks.reminders_sweep.delay()
            reminder_runs.append(_until(_reminders_sent(before + due), started, plan))
            log(f"reminder sweep, {due} due: {reminder_runs[-1]} s")
            # Gone again, so the next run has exactly ``count`` due, not twice as many.
            Session.objects.filter(starts_at__gt=time_now()).delete()
            if reminder_runs[-1] is None:
                worker.restart()  # out of time: once is enough to know, and stop its backlog
                warm()
                break
        for _run in range(plan.sweep_runs):
            ids = generate.windows_closing(count)
            started = time.perf_counter()
            checkin_tasks.windows_sweep.delay()
            rollup_runs.append(_until(_rolled_up(ids), started, plan))
            log(f"window + rollup sweep, {len(ids)} windows: {rollup_runs[-1]} s")
            if rollup_runs[-1] is None:
                break
    finally:
        worker.stop()
    peak = worker.peak
    # A task that failed outright looks like a slow one from the database: say which.
    failures = (WORK / "celery.log").read_text(errors="replace").count("Traceback (most recent call last)")
    figures = []
    for name, runs in (
        (f"Reminder sweep, {count:,} due", reminder_runs),
        (f"Window close + rollup sweep, {count:,} windows", rollup_runs),
    ):
        value = _median(runs)
        figures.append(
            Figure(
                name,
                round(value, 2) if value is not None else None,
                "s",
                f"< {target_seconds:g}",
                value is not None and None not in runs and value < target_seconds,
                runs,
                note=(
                    f"one Celery worker (solo pool); runs {runs}; None = not finished within "
                    f"{plan.sweep_timeout:g} s, after which the sweep is not repeated; "
                    f"tracebacks in bench/results/work/celery.log (all sweeps): {failures}"
                ),
            )
        )
    figures.append(
        Figure(
            "Peak memory of a Celery worker",
            round(peak / 1024, 1),
            "MiB",
            "reported",
            None,
            note="VmHWM after the sweeps",
        )
    )
    return figures


class _Worker:
    """One Celery worker (solo pool: one task at a time), restartable; remembers the
    largest peak memory of the processes it ran."""

    def __init__(self, env: dict) -> None:
        self.env = env
        self.peak = 0
        self.log = open(WORK / "celery.log", "a")  # noqa: SIM115 - closed in stop()
        self.process = self._start()

    def _start(self) -> subprocess.Popen:
        command = [str(BIN / "celery"), "-A", "facilitator", "worker", "-P", "solo", "-l", "WARNING"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        return subprocess.Popen(  # noqa: S603 - the venv's celery, fixed arguments
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def peak_kib(self) -> int:
        if self.process.poll() is None:
            self.peak = max(self.peak, _peak_rss_kib(self.process.pid))
        return self.peak

    def restart(self) -> None:
        """Kill the worker mid-task and drop what is queued, so the next figure starts clean."""
        self.peak_kib()
        self.process.kill()
        self.process.wait(timeout=10)
        purge = [str(BIN / "celery"), "-A", "facilitator", "purge", "-f"]
        subprocess.run(purge, cwd=ROOT, env=self.env, capture_output=True, timeout=60, check=False)  # noqa: S603
        self.process = self._start()

    def stop(self) -> None:
        self.peak_kib()
        _stop(self.process)
        self.log.close()


def _reminders_sent(total: int):
    from groups.models import Reminder

    return lambda: Reminder.objects.exclude(sent_at=None).count() >= total


def _rolled_up(session_ids: list[int]):
    from groups.checkins.models import SessionRollup

    return lambda: SessionRollup.objects.filter(session_id__in=session_ids).count() >= len(session_ids)


def time_now():
    from django.utils import timezone

    return timezone.now()


def _until(done, started: float, plan: Plan) -> float | None:
    """Seconds until ``done()`` holds, or None when the time limit passes first."""
    deadline = started + plan.sweep_timeout
    while time.perf_counter() < deadline:
        if done():
            return round(time.perf_counter() - started, 3)
        time.sleep(0.2)
    return None


def write_report(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (out / "latest.md").write_text(markdown(report))


def markdown(report: dict) -> str:
    machine = report["machine"]
    database = machine["versions"].get("database", "unknown")
    quick = "(QUICK) " if report["quick"] else ""
    lines = [
        f"# Benchmark {quick}on {database.split()[0]}, {report['finished_at']}",
        "",
        f"- Database: {database} (`DATABASE_URL` set: PostgreSQL; unset: a fresh SQLite file)",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB",
        f"- System: {machine['os']}",
        f"- Load average at start: {', '.join(f'{v:.2f}' for v in machine['load_average_at_start'])}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items()),
        f"- Commit: {machine['commit']}",
        f"- Program: {', '.join(f'{k} {v:,}' for k, v in report['program'].items())}",
        f"- Took {report['seconds']:.0f} s; each figure is the median of its runs.",
        "",
        "| Figure | Value | Unit | Target | Met |",
        "|---|---:|---|---|---|",
    ]
    for figure in report["figures"]:
        met = {True: "yes", False: "**no**", None: ""}[figure["met"]]
        value = "n/a" if figure["value"] is None else f"{figure['value']:,}"
        lines.append(f"| {figure['name']} | {value} | {figure['unit']} | {figure['target']} | {met} |")
    notes = [f"- {f['name']}: {f['note']}" for f in report["figures"] if f.get("note")]
    if notes:
        lines += ["", "Notes:", "", *notes]
    profile = report.get("profile")
    if profile:
        lines += [
            "",
            f"## Where a check-in's time goes (cProfile over {profile['count']} POSTs, in-process)",
            "",
            "Cumulative time per check-in of each step, with what it calls; steps nest (the whole",
            "request holds the others), and profiling slows everything by about the same factor.",
            "",
            "| Step | Function | ms per check-in |",
            "|---|---|---:|",
            *(f"| {s['step']} | `{s['function']}` | {s['ms_per_checkin']} |" for s in profile["steps"]),
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmark.")
    parser.add_argument("--quick", action="store_true", help="a small program; under 3 minutes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    plan = plan_for(args.quick)
    began = time.perf_counter()

    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    env = _environment()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from bench import generate, profile

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    machine = _machine()
    log(f"machine: {machine['cores']} cores, load {machine['load_average_at_start']}")
    sizes = generate.Sizes.quick() if plan.quick else generate.Sizes()
    started = time.perf_counter()
    program = generate.generate(sizes, log=log)
    generated_in = time.perf_counter() - started
    _statistics_made()
    figures = [
        Figure(
            "Data generation",
            round(generated_in, 1),
            "s",
            "reported",
            None,
            note=f"{program.counts.get('answers', 0):,} answers, rollups by the bulk path",
        )
    ]
    figures += web_figures(plan, program, env)
    measured = profile.measure(codes=program.open_codes[:-1], floor_session=_floor_session(program))
    log(f"in-process: check-in {measured['cpu_ms_checkin']} ms CPU, floor {measured['cpu_ms_floor']} ms")
    figures += inprocess_figures(measured)
    figures += sweep_figures(plan, env)
    report = {
        "quick": plan.quick,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - began, 1),
        "machine": machine,
        "plan": asdict(plan),
        "program": program.counts,
        "figures": [asdict(f) for f in figures],
        "profile": measured,
    }
    write_report(report, args.out)
    log(f"wrote {args.out / 'latest.json'} and latest.md in {report['seconds']:.0f} s")
    print((args.out / "latest.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
