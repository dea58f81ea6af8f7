"""Waiting for something another process or thread does (a real worker, a server):
one helper for every suite, handed to tests as the ``wait_for`` fixture."""

import time
from collections.abc import Callable

import pytest


def wait_for(
    predicate: Callable[[], object],
    seconds: float = 20.0,
    what: str = "the condition",
    *,
    ignore: tuple[type[BaseException], ...] = (),
):
    """Poll ``predicate`` until it is truthy and return its value; fail the test with
    ``what`` after ``seconds``. Exceptions in ``ignore`` count as "not yet" (a SQLite
    table another process holds, say)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except ignore:
            value = None
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"Gave up after {seconds}s waiting for {what}")
