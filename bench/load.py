"""The load generator: a separate process (no Django in it) that talks HTTP/1.1 to the
server on 127.0.0.1 like a phone browser would, and prints one JSON line of results.

    python bench/load.py checkin --port 8123 --codes codes.txt --clients 16 --seconds 10
    python bench/load.py floor --port 8123 --session 1 --clients 16 --seconds 10
    python bench/load.py get --port 8123 --path /checkins/program --cookie "sessionid=…" --requests 20

Every loop is bounded twice: by a number of requests and by a time limit.

``checkin``: each client first loads the form of a window (GET /c/<code>, as a phone
does when the QR code is scanned) and reads its fields from the HTML; then each
submission is a fresh member (no cookie) posting the whole form with new answers,
with the headers a current phone browser sends for a same-origin form post
(Sec-Fetch-Site: same-origin; the page sends no referrer, so Origin: null). The
view uses that Fetch-metadata check instead of a CSRF token (see
groups/checkins/views.py); the form has no other hidden token to copy. Only the
POSTs are timed and counted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import statistics
import sys
import time
from html.parser import HTMLParser
from urllib.parse import urlencode

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)
COMMENTS = ["Thank you, everyone.", "A hard week.", "", "", "", "Glad I came tonight."]


class FormFields(HTMLParser):
    """The fields of the first POST form on a page: radios with their values, checkboxes,
    text inputs, textareas and hidden inputs with their values."""

    def __init__(self) -> None:
        super().__init__()
        self.in_form = False
        self.done = False
        self.radios: dict[str, list[str]] = {}
        self.checkboxes: dict[str, list[str]] = {}
        self.texts: list[str] = []
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "form" and not self.done and (attr.get("method") or "").lower() == "post":
            self.in_form = True
            return
        if not self.in_form:
            return
        name = attr.get("name")
        if tag == "textarea" and name:
            self.texts.append(name)
        if tag != "input" or not name:
            return
        kind = (attr.get("type") or "text").lower()
        if kind == "radio":
            self.radios.setdefault(name, []).append(attr.get("value", ""))
        elif kind == "checkbox":
            self.checkboxes.setdefault(name, []).append(attr.get("value", ""))
        elif kind == "hidden":
            self.hidden[name] = attr.get("value", "")
        elif kind in {"text", "search"}:
            self.texts.append(name)

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True

    def body(self, rng: random.Random) -> bytes:
        # Each submission is another member, who loaded their own copy of the form:
        # its key is new (the same key twice is a resend, stored once).
        hidden = self.hidden | ({"send_key": base64.urlsafe_b64encode(rng.randbytes(18)).decode()}
                                if "send_key" in self.hidden else {})  # fmt: skip
        data: list[tuple[str, str]] = list(hidden.items())
        data += [(name, rng.choice(values)) for name, values in self.radios.items()]
        for name, values in self.checkboxes.items():
            data += [(name, value) for value in values if rng.random() < 0.3]
        data += [(name, rng.choice(COMMENTS)) for name in self.texts]
        return urlencode(data).encode()


async def request(port: int, method: str, path: str, headers: dict, body: bytes = b"", timeout: float = 30):
    """One request on a new connection (gunicorn's sync workers close each one)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _sep, content = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, content


def _summary(latencies: list[float], statuses: dict, elapsed: float, errors: int) -> dict:
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        if not ordered:
            return None
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return {
        "requests": len(latencies),
        "elapsed_s": elapsed,
        "throughput_rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": pct(50),
        "p99_ms": pct(99),
        "median_ms": statistics.median(ordered) * 1000 if ordered else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors,
    }


async def _closed_loop(args, make_request) -> dict:
    """``args.clients`` clients, each sending its next request when the last one is
    answered, until ``args.seconds`` pass or ``args.requests`` have been sent."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    budget = {"left": args.requests}
    deadline = time.perf_counter() + args.seconds

    async def client(number: int) -> None:
        nonlocal errors
        rng = random.Random(number)
        state: dict = {}
        while time.perf_counter() < deadline and budget["left"] > 0:
            budget["left"] -= 1
            try:
                prepared = await make_request(rng, state)
                started = time.perf_counter()
                status, _content = await request(args.port, *prepared, timeout=args.timeout)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
            except (TimeoutError, OSError, ValueError, IndexError):
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(args.clients)))
    return _summary(latencies, statuses, time.perf_counter() - started, errors)


def _phone_headers(**extra) -> dict:
    return {
        "User-Agent": PHONE_UA,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "en-GB,en;q=0.9",
        **extra,
    }


async def checkin(args) -> dict:
    with open(args.codes, encoding="utf-8") as lines:
        codes = [line.strip() for line in lines if line.strip()]
    forms: dict[str, FormFields] = {}

    async def form_of(code: str) -> FormFields:
        if code not in forms:
            headers = _phone_headers(**{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"})
            status, content = await request(args.port, "GET", f"/c/{code}", headers, timeout=args.timeout)
            parsed = FormFields()
            parsed.feed(content.decode("utf-8", "replace"))
            if status != 200 or not parsed.radios:
                raise ValueError(f"no check-in form at /c/{code} (HTTP {status})")
            forms[code] = parsed
        return forms[code]

    # Load every form once before the clock starts, as members' phones did when they
    # scanned the code, as many at a time as there are clients.
    gate = asyncio.Semaphore(args.clients)

    async def preload(code: str) -> None:
        async with gate:
            await form_of(code)

    await asyncio.gather(*(preload(code) for code in codes))

    async def make(rng: random.Random, _state: dict):
        code = rng.choice(codes)
        body = forms[code].body(rng)
        headers = _phone_headers(
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "null",
                "Sec-Fetch-Site": "same-origin",
                "Sec-Fetch-Mode": "navigate",
                "Sec-Fetch-Dest": "document",
            }
        )
        return "POST", f"/c/{code}", headers, body

    return await _closed_loop(args, make)


async def floor(args) -> dict:
    async def make(_rng: random.Random, _state: dict):
        body = urlencode({"session": args.session}).encode()
        headers = _phone_headers(**{"Content-Type": "application/x-www-form-urlencoded"})
        return "POST", "/bench/floor", headers, body

    return await _closed_loop(args, make)


async def get(args) -> dict:
    async def make(_rng: random.Random, _state: dict):
        headers = _phone_headers(Cookie=args.cookie) if args.cookie else _phone_headers()
        return "GET", args.path, headers, b""

    return await _closed_loop(args, make)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["checkin", "floor", "get"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--codes", help="file with one window code a line (checkin)")
    parser.add_argument("--session", type=int, default=0, help="session id for the floor's rows")
    parser.add_argument("--path", default="/")
    parser.add_argument("--cookie", default="")
    args = parser.parse_args(argv)
    result = asyncio.run({"checkin": checkin, "floor": floor, "get": get}[args.mode](args))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
