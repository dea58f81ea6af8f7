"""What one check-in costs in CPU, and where that time goes, measured in-process.

Django's test client drives the whole handler (every middleware, the view, the form,
the template and the database) in the benchmark's own process, on the benchmark's
database: no network and no gunicorn, so the figures are CPU time of our code and
Django's, per request. Each check-in is a fresh member's: the form of an open window,
loaded once, sent with new answers and a new form key, cookies cleared between sends.

- ``cpu_ms``: ``time.process_time()`` over ``count`` check-in POSTs, and over as many
  POSTs to the raw-insert floor, each divided by ``count``.
- ``steps``: a cProfile run over another ``count`` check-ins, read as each step's
  cumulative time per POST (a step's time includes what it calls, so steps nest: the
  handler holds all the others).
"""

from __future__ import annotations

import cProfile
import pstats
import random
import time
from collections import Counter
from urllib.parse import urlencode

from django.test import Client

from bench.load import FormFields
from groups.checkins.answers import responses_count
from groups.checkins.models import CheckinWindow

# (label, a file the function is in, the function's name): each step's cumulative time.
STEPS = [
    ("Whole request (middleware, view, response)", "django/core/handlers/base.py", "get_response"),
    ("Reading the POST body", "django/core/handlers/wsgi.py", "_get_post"),
    ("What the code finds (window, label, readings)", "groups/checkins/selectors.py", "checkin_for_code"),
    ("Published instrument versions", "groups/checkins/instruments.py", "current_versions_read"),
    (
        "The answers read (checkin_read; the form only for a send it leaves)",
        "groups/checkins/forms.py",
        "checkin_read",
    ),
    ("The submit transaction", "groups/checkins/services.py", "checkin_submit"),
    ("The thank-you page (kept text, groups/pages.py)", "groups/pages.py", "page_text"),
]
PHONE = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "null"}
FORM = "application/x-www-form-urlencoded"


def _bodies(client: Client, codes: list[str], count: int, rng: random.Random) -> list[tuple[str, bytes]]:
    forms: dict[str, FormFields] = {}
    for code in codes:
        client.cookies.clear()  # a member who has not answered yet: the form, not "already"
        fields = FormFields()
        fields.feed(client.get(f"/c/{code}").content.decode())
        if "send_key" not in fields.hidden:
            raise RuntimeError(f"no check-in form at /c/{code}")
        forms[code] = fields
    sends = []
    for _ in range(count):
        code = rng.choice(codes)
        body = forms[code].body(rng)
        sends.append((f"/c/{code}", body))
    return sends


def _post_all(client: Client, sends: list[tuple[str, bytes]]) -> Counter:
    statuses: Counter = Counter()
    for path, body in sends:
        client.cookies.clear()  # a fresh member each time
        statuses[client.post(path, body, content_type=FORM, **PHONE).status_code] += 1
    return statuses


def _floor_all(client: Client, session_id: int, count: int) -> None:
    body = urlencode({"session": session_id})
    for _ in range(count):
        client.post("/bench/floor", body, content_type=FORM)


def measure(*, codes: list[str], floor_session: int, count: int = 300, seed: int = 21) -> dict:
    """The in-process figures: CPU ms per check-in and per floor POST, and the steps."""
    rng = random.Random(seed)
    client = Client()
    sessions = list(CheckinWindow.objects.filter(code__in=codes).values_list("session_id", flat=True))
    before = responses_count(session_ids=sessions)
    warm = _bodies(client, codes, 20, rng)
    warm_statuses = _post_all(client, warm)
    _floor_all(client, floor_session, 20)

    sends = _bodies(client, codes, count, rng)
    started = time.process_time()
    statuses = _post_all(client, sends)
    checkin_ms = (time.process_time() - started) * 1000 / count
    started = time.process_time()
    _floor_all(client, floor_session, count)
    floor_ms = (time.process_time() - started) * 1000 / count

    profiled = _bodies(client, codes, count, rng)
    profiler = cProfile.Profile()
    profiler.enable()
    profiled_statuses = _post_all(client, profiled)
    profiler.disable()
    stats = pstats.Stats(profiler)
    steps = []
    for label, filename, function in STEPS:
        cumulative = sum(
            row[3]
            for (file, _line, name), row in stats.stats.items()  # type: ignore[attr-defined]
            if name == function and file.endswith(filename)
        )
        steps.append(
            {"step": label, "function": function, "ms_per_checkin": round(cumulative * 1000 / count, 2)}
        )
    return {
        "count": count,
        # A 200 is also the form shown again with errors: what was stored is the proof.
        "stored": responses_count(session_ids=sessions) - before,
        "cpu_ms_checkin": round(checkin_ms, 2),
        "cpu_ms_floor": round(floor_ms, 2),
        "statuses": {str(int(k)): v for k, v in (warm_statuses + statuses + profiled_statuses).items()},
        "steps": steps,
    }
