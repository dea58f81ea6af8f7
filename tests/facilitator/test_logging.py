import logging

import pytest

from facilitator.logging import REDACTED, NoClientDetailsFilter


def _record(msg: str, *args, **extra) -> logging.LogRecord:
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_it_redacts_addresses_from_log_messages():
    record = _record('"GET /c/ABC123 HTTP/1.1" 200 from %s and %s', "203.0.113.77", "2001:db8::1f:77")

    NoClientDetailsFilter().filter(record)

    assert "203.0.113.77" not in record.getMessage()
    assert "2001:db8::1f:77" not in record.getMessage()
    assert REDACTED in record.getMessage()


def test_it_drops_the_request_from_the_record():
    record = _record("Not Found: /x", request=object())

    NoClientDetailsFilter().filter(record)

    assert record.request is None


def test_it_leaves_times_and_versions_alone():
    record = _record("sweep at 12:30:45 took 1.5s on 3.11")

    NoClientDetailsFilter().filter(record)

    assert record.getMessage() == "sweep at 12:30:45 took 1.5s on 3.11"


@pytest.mark.parametrize(
    "line",
    [
        "Invalid request from ip=198.51.100.4: Invalid HTTP request line",
        "connection from 198.51.100.4:51234 closed",
        "peer [2001:db8::7]:443 reset",
        "peer 2001:db8::7, retrying",
        "client ::ffff:198.51.100.4 went away",
    ],
)
def test_it_redacts_addresses_next_to_ports_and_punctuation(line):
    record = _record(line)

    NoClientDetailsFilter().filter(record)

    message = record.getMessage()
    assert "198.51.100.4" not in message
    assert "2001:db8::7" not in message
    assert REDACTED in message
