"""No log line, from Django, gunicorn or Celery, records a client address or user agent."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from facilitator import gunicorn_conf
from facilitator.logging import NoClientDetailsFilter

ROOT = Path(__file__).resolve().parents[2]
USER_AGENT = "SecretBrowser/9.9 (member phone)"
FORGED = "203.0.113.99"


@pytest.mark.parametrize("atom", ["%(h)s", "%(a)s", "%(f)s", "%(r)s", "%(q)s", "%(u)s", "}i", "}e"])
def test_the_gunicorn_access_format_leaves_out_who_asked(atom):
    assert atom not in gunicorn_conf.access_log_format


@pytest.mark.parametrize("atom", ["%(b)s", "%(B)s", "}o"])
def test_the_gunicorn_access_format_leaves_out_the_size_of_the_answer(atom):
    # The size of a member's page says which page it was (the help section, say); with
    # the time of the line, the log would say when someone needed help.
    assert atom not in gunicorn_conf.access_log_format


def test_the_development_servers_request_lines_leave_out_the_size():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("POST /c/ABCDEF HTTP/1.1", "200", "5974"),
        None,
    )

    NoClientDetailsFilter().filter(record)

    assert record.getMessage() == '"POST /c/ABCDEF HTTP/1.1" 200'


def test_every_gunicorn_log_handler_filters_client_details():
    config = gunicorn_conf.logconfig_dict
    for name in ("gunicorn.error", "gunicorn.access"):
        for handler in config["loggers"][name]["handlers"]:
            assert "no_client_details" in config["handlers"][handler]["filters"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_real_gunicorn_logs_requests_without_address_or_user_agent(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "facilitator.settings.test",
        "DATA_DIR": str(tmp_path),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:facilitator.gunicorn_conf", "facilitator.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz?who=me",
                headers={"User-Agent": USER_AGENT, "X-Forwarded-For": FORGED},
            )
            for _ in range(100):
                try:
                    urllib.request.urlopen(request, timeout=5)  # noqa: S310 - our own local server
                    break
                except urllib.error.HTTPError:
                    break
                except OSError:
                    time.sleep(0.1)
            # A forged Host: Django logs DisallowedHost with a traceback.
            forged = urllib.request.Request(f"http://127.0.0.1:{port}/help", headers={"Host": FORGED_HOST})
            try:
                urllib.request.urlopen(forged, timeout=5)  # noqa: S310 - our own local server
            except urllib.error.HTTPError as refused:
                assert refused.code == 400
            # A malformed request makes gunicorn log "Invalid request from ip=...".
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"NONSENSE\r\n\r\n")
                sock.recv(1024)
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=10)

    text = log.read_text()
    line = next(line for line in text.splitlines() if "GET /healthz HTTP/1.1" in line)
    # The status and how long it took: never the size.
    status, took, *rest = line.split('"GET /healthz HTTP/1.1" ')[1].split()
    # (200, or 503 when this machine's database is not the subprocess's to use.)
    assert (status in ("200", "503"), took.endswith("ms"), rest) == (True, True, [])
    assert "127.0.0.1" not in text.replace(f"127.0.0.1:{port}", "")
    assert FORGED not in text
    assert "SecretBrowser" not in text
    assert "who=me" not in text
    assert "DisallowedHost" in text and FORGED_HOST not in text


def test_celery_workers_log_through_the_django_configuration():
    from celery.signals import setup_logging

    from facilitator.celery import app

    assert setup_logging.receivers, "Celery would install its own log handlers"
    app.log.setup(loglevel=logging.INFO)

    # pytest's own capture handlers may sit beside ours; they never leave the test run.
    handlers = [
        h for h in logging.getLogger("celery").handlers if not type(h).__module__.startswith("_pytest")
    ]
    assert handlers
    assert all(any(isinstance(f, NoClientDetailsFilter) for f in h.filters) for h in handlers)
    # Celery's own set-up would have put its coloured formatter on the root logger.
    assert not any(type(h.formatter).__name__ == "ColorFormatter" for h in logging.getLogger().handlers)


def test_every_django_log_handler_filters_client_details(settings):
    config = settings.LOGGING
    for name, handler in config["handlers"].items():
        assert "no_client_details" in handler.get("filters", []), name


FORGED_HOST = "forged-host.example"


@pytest.mark.django_db
def test_a_forged_host_leaves_no_trace_in_the_log_or_its_traceback(client):
    import io

    # The handler the settings give the "django" loggers, writing somewhere we can read.
    handler = logging.getLogger("django").handlers[0]
    written = io.StringIO()
    previous = handler.setStream(written)
    client.raise_request_exception = False
    try:
        response = client.get("/help", HTTP_HOST=FORGED_HOST)
    finally:
        handler.setStream(previous)

    assert response.status_code == 400
    text = written.getvalue()
    assert "DisallowedHost" in text  # the error is logged, with its traceback...
    assert "Traceback" in text
    assert FORGED_HOST not in text  # ...but not what the client sent
    # None of Django's default handlers (an unfiltered console, mail_admins) is left.
    for other in logging.getLogger("django").handlers:
        assert type(other).__name__ != "AdminEmailHandler"
        if type(other) is logging.StreamHandler:
            assert any(isinstance(f, NoClientDetailsFilter) for f in other.filters)


def test_an_exceptions_text_is_scrubbed_like_a_message():
    handler_filter = NoClientDetailsFilter()
    try:
        raise ValueError(f"bad value from {FORGED}")
    except ValueError:
        import sys as _sys

        record = logging.LogRecord(
            "celery.app.trace", logging.ERROR, __file__, 1, "Task failed", (), _sys.exc_info()
        )
    handler_filter.filter(record)
    text = logging.Formatter("%(message)s").format(record)

    assert "Traceback" in text and "ValueError" in text
    assert FORGED not in text


def test_gunicorn_and_django_log_through_one_configuration(settings):
    """Both come from facilitator.logging.logging_config: the same filter, format and
    handler (gunicorn's writes to stdout), so a change to one reaches the other."""
    django_config, gunicorn_config = settings.LOGGING, gunicorn_conf.logconfig_dict
    assert django_config["filters"] == gunicorn_config["filters"]
    assert django_config["formatters"] == gunicorn_config["formatters"]
    gunicorn_handler = dict(gunicorn_config["handlers"]["console"])
    assert gunicorn_handler.pop("stream") == "ext://sys.stdout"
    assert gunicorn_handler == django_config["handlers"]["console"]
    assert set(gunicorn_config["handlers"]) == set(django_config["handlers"]) == {"console"}
