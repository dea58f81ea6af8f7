"""Test settings: the base settings with fast hashing and a private data folder."""

import os
import tempfile

os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="facilitator-test-"))

from .base import *  # noqa: F403
from .base import CACHES, DATA_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each test run gets its own cache namespace so parallel runs on one Redis never meet.
if "KEY_PREFIX" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"
DATA_DIR.mkdir(parents=True, exist_ok=True)
