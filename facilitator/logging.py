"""Log hygiene: no record may carry a client address or user agent, or the size of
a response."""

import ipaddress
import logging
import re

# IPv4 (also when followed by ":port"), and anything made of hex digits, dots and
# colons, optionally in brackets, as an IPv6 candidate; ipaddress decides.
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_CANDIDATE = re.compile(r"(?<![\w.:])\[?[0-9A-Fa-f:.]{2,45}\]?(?![\w.])")
REDACTED = "[address removed]"
# django.core.servers.basehttp.WSGIRequestHandler.log_request: request line, status, size.
_REQUEST_LINE = '"%s" %s %s'


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _redact(match: re.Match) -> str:
    text = match.group(0)
    core = text.strip("[]")
    if _is_address(core):
        return REDACTED
    # "2001:db8::1:" or "[::1]:" — an address followed by a port separator.
    if core.endswith(":") and _is_address(core.rstrip(":").strip("[]")):
        return REDACTED + ":"
    return text


def _redact_v4(match: re.Match) -> str:
    return REDACTED if _is_address(match.group(0)) else match.group(0)


# What a client sent that Django repeats in its messages and exceptions: the Host
# header (DisallowedHost: "Invalid HTTP_HOST header: '...'. You may need to add '...'").
_CLIENT_TEXT = (
    re.compile(r"(Invalid HTTP_HOST header: )(['\"]).*?\2"),
    re.compile(r"(You may need to add )(['\"]).*?\2"),
)
CLIENT_TEXT_REDACTED = "[sent by the client, removed]"


def scrub(text: str) -> str:
    """Replace every IPv4 or IPv6 address in ``text``, and the header values a client
    sent that Django quotes in its messages."""
    for pattern in _CLIENT_TEXT:
        text = pattern.sub(lambda match: match.group(1) + CLIENT_TEXT_REDACTED, text)
    return _CANDIDATE.sub(_redact, _IPV4.sub(_redact_v4, text))


_EXCEPTION_FORMATTER = logging.Formatter()


class NoClientDetailsFilter(logging.Filter):
    """Drops request objects from records and redacts anything shaped like an IP, or
    a Host header Django quotes, in the message and in the exception's traceback.

    Django attaches the request (with REMOTE_ADDR and HTTP_USER_AGENT) to records
    from django.request and django.server; a handler or error reporter that renders
    it would leak both, so the attribute is removed before any handler sees it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        if record.name == "django.server" and record.msg == _REQUEST_LINE and len(record.args or ()) == 3:
            # The development server's request line ends with the response size, which
            # says which member page it was (the help section, say): left out.
            record.msg, record.args = '"%s" %s', record.args[:2]
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        # The traceback too: an exception's text carries what the client sent as often
        # as the message does. Formatted here once, scrubbed, and kept as exc_text (the
        # formatter then prints it instead of formatting exc_info again).
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = scrub(_EXCEPTION_FORMATTER.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def logging_config(*, level: str, loggers: dict[str, str], stream: str | None = None) -> dict:
    """The one logging set-up (``dictConfig``): Django's settings (``LOGGING``, also
    used by Celery's workers and beat) and gunicorn's ``logconfig_dict`` both call it.
    One console handler, and every record passes ``NoClientDetailsFilter``; the
    root logger at ``level`` and each of ``loggers`` (name: level) on that handler
    only, so no library's own handler (Django's mail_admins, say) ever gets a record.
    ``stream``: where the console writes (``"ext://sys.stdout"``), else stderr."""
    handler: dict = {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_client_details"]}
    if stream:
        handler["stream"] = stream
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"no_client_details": {"()": "facilitator.logging.NoClientDetailsFilter"}},
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            name: {"handlers": ["console"], "level": logger_level, "propagate": False}
            for name, logger_level in loggers.items()
        },
    }
