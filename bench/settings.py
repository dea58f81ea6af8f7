"""Settings for ``make bench`` only: the base settings, production-like (no DEBUG, no
query log), plus the raw-insert floor view. Never used by the site or the tests."""

from facilitator.settings.base import *  # noqa: F403
from facilitator.settings.base import INSTALLED_APPS

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
# Reminder emails are rendered in full but not delivered: the sweep's cost without a
# mail server, and without 10,000 messages on a console.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
