"""Log hygiene: no record may carry a client address or user agent."""

import ipaddress
import logging
import re

# Anything made of hex digits, dots and colons is a candidate; ipaddress decides.
_CANDIDATE = re.compile(r"(?<![\w.:])[0-9A-Fa-f.:]{2,45}(?![\w.:])")
REDACTED = "[address removed]"


def _redact(match: re.Match) -> str:
    text = match.group(0)
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return text
    return REDACTED


def scrub(text: str) -> str:
    """Replace every IPv4 or IPv6 address in ``text``."""
    return _CANDIDATE.sub(_redact, text)


class NoClientDetailsFilter(logging.Filter):
    """Drops request objects from records and redacts anything shaped like an IP.

    Django attaches the request (with REMOTE_ADDR and HTTP_USER_AGENT) to records
    from django.request and django.server; a handler or error reporter that renders
    it would leak both, so the attribute is removed before any handler sees it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
