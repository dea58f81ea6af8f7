"""Gunicorn settings for production: ``gunicorn -c python:facilitator.gunicorn_conf facilitator.wsgi``.

The access log says what was asked and how it went, never who asked: no client
address (%(h)s), no forwarded-for or other request headers, no user agent (%(a)s),
no referrer (%(f)s), no query string (%(U)s is the path alone), no response size. Every gunicorn
log record also passes through facilitator.logging.NoClientDetailsFilter, which
redacts anything shaped like an IP address (gunicorn's own "Invalid request from
ip=..." error lines included).
"""

import os

from facilitator.logging import logging_config

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# The proxy in front sets X-Forwarded-Proto; only trust it from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
# No response size either (%(b)s, %(B)s): the size of a member's page says which page
# it was (the help section, say), and with the line's time, when someone needed help.
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(M)sms'

logconfig_dict = logging_config(
    level=os.environ.get("LOG_LEVEL", "INFO"),
    loggers={"gunicorn.error": "INFO", "gunicorn.access": "INFO"},
    stream="ext://sys.stdout",
)
