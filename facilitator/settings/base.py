"""Settings for every environment, read from the environment (django-environ).

With no variables set this runs the *embedded default*: SQLite in WAL mode and a
Celery broker on the local filesystem, so ``make run`` needs nothing but Python.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
``DJANGO_ENV=production`` turns on the production checks: every secret and every
service (``PRODUCTION_REQUIRED``) must come from the environment, and any that are
missing stop the process at start-up, all named in one error.
"""

import json
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from facilitator.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="local")
if DJANGO_ENV not in {"local", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'local' or 'production', not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

# Where the embedded defaults keep their files (SQLite, broker queue). Git ignores it.
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))


# What production reads from the environment with no default. Each embedded default
# would be wrong there without a word: the SQLite file, the filesystem broker and
# database cache, console email, links to localhost, and an MFA key derived from
# DJANGO_SECRET_KEY (rotating that key would then lock every facilitator out).
# A tuple is a choice: any one of its names will do.
PRODUCTION_REQUIRED: tuple[str | tuple[str, ...], ...] = (
    "DJANGO_SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    ("EMAIL_URL", "EMAIL_BACKEND"),
    "MFA_ENCRYPTION_KEY",
    # Mail from noreply@localhost is refused or filed as spam by receiving servers.
    "DEFAULT_FROM_EMAIL",
    "SERVER_EMAIL",
)


def production_missing(environ: Mapping[str, str]) -> list[str]:
    """The entries of PRODUCTION_REQUIRED that are unset or blank, as the error names them."""
    missing = []
    for entry in PRODUCTION_REQUIRED:
        names = (entry,) if isinstance(entry, str) else entry
        if not any(environ.get(name, "").strip() for name in names):
            missing.append(" or ".join(names))
    return missing


if PRODUCTION and (missing := production_missing(os.environ)):
    # All at once, so a deployment is not fixed one restart per variable.
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs these environment variables, which are unset or empty: "
        + ", ".join(missing)
    )

if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    DEBUG = False
    ALLOWED_HOSTS = [host for host in env.list("ALLOWED_HOSTS") if host]
else:
    # Local development only; production refuses to start without its own key.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-dev-key-not-for-production-" + "x" * 20)
    DEBUG = env.bool("DJANGO_DEBUG", default=True)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # allauth's passkey list template loads humanize.
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "django_celery_beat",
    "csp",
    "facilitator",
    "groups",
    "content",
    "groups.checkins",
]

MIDDLEWARE = [
    # /livez and /readyz: before the host check and the HTTPS redirect (a probe asks by
    # the node's address, over plain HTTP).
    "facilitator.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "facilitator.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "facilitator.middleware.NoStoreMiddleware",
    # Outside everything that needs the database, so that it sees their failures.
    "groups.middleware.MemberErrorPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "facilitator.middleware.LineEndingsMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "facilitator.middleware.SessionLifetimeMiddleware",
    "facilitator.middleware.RequireSecondFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "facilitator.urls"
WSGI_APPLICATION = "facilitator.wsgi.application"
ASGI_APPLICATION = "facilitator.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

CSRF_FAILURE_VIEW = "facilitator.errors.csrf_failure"

# Django's form templates, with a few of its widgets' markup faults mended.
FORM_RENDERER = "facilitator.forms.FormRenderer"

# --- Database -------------------------------------------------------------------
# SQLite by default: WAL lets readers run beside the one writer, IMMEDIATE takes the
# write lock at BEGIN so concurrent writers queue on busy_timeout instead of failing
# with "database is locked" halfway through a transaction.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'facilitator.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"),
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and a statement run five times on a connection
    # prepared (psycopg's default threshold): the check-in's few statements, run
    # thousands of times an evening, are planned once per connection instead of each
    # time. (Behind a pooler in transaction mode, such as PgBouncer without
    # max_prepared_statements, set DB_PREPARE_THRESHOLD=0 to turn preparing off.)
    threshold = env.int("DB_PREPARE_THRESHOLD", default=5)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": threshold or None}
    )
# Connections are kept between requests (SQLite too: opening one and running its
# PRAGMAs is a large share of a small request).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------
# A real, shared cache (allauth's rate limits need one): Redis when configured,
# otherwise the database cache, which every process on this machine shares.
REDIS_URL = env.str("REDIS_URL", default="")
DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "django_cache",
    # Room for every sign-in and check-in rate counter of a busy evening: at Django's
    # default of 300, live counters would be culled and their limits reset.
    "OPTIONS": {"MAX_ENTRIES": env.int("DATABASE_CACHE_MAX_ENTRIES", default=20000)},
}
if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to the database cache while Redis is down (facilitator/cache.py).
            "BACKEND": "facilitator.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fac",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        # Declared so that createcachetable makes the fallback's table.
        "fallback": DATABASE_CACHE,
    }
else:
    CACHES = {"default": DATABASE_CACHE}

# --- Accounts -------------------------------------------------------------------
AUTH_USER_MODEL = "facilitator.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "facilitator.adapters.AccountAdapter"
# The reset form mails only an account, from a worker (facilitator/forms.py); never the
# "unknown account" mail, which invited a sign-up that is by invitation only.
ACCOUNT_FORMS = {"reset_password": "facilitator.forms.ResetPasswordForm"}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Passkeys / security keys (WebAuthn) may be added beside TOTP as a second factor.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# WebAuthn needs a secure origin; http://localhost is allowed only outside production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Group facilitator dashboard")
# Accept the code of the 30-second period before or after too (a phone clock a little
# off, a code typed as it rolled over); a used code is still refused for the window.
MFA_TOTP_TOLERANCE = 1
MFA_ADAPTER = "facilitator.adapters.MFAAdapter"
# Key for encrypting TOTP secrets at rest (facilitator.adapters.MFAAdapter); derived
# from DJANGO_SECRET_KEY when unset (locally only: production requires it). Changing
# it makes every authenticator unusable; set to the value of DJANGO_SECRET_KEY it
# gives the same key as the derivation did.
MFA_ENCRYPTION_KEY = env.str("MFA_ENCRYPTION_KEY", default="")
# An invitation link is valid for this many hours after it is sent.
INVITATION_TTL_HOURS = env.int("INVITATION_TTL_HOURS", default=72)

# Rate limits, counted in CACHES["default"] (the database cache or Redis): a sixth
# failure within five minutes is refused, per account address ("key") and per
# client. allauth keys the client by the address it gets from
# AccountAdapter.get_client_ip, which only trusts X-Forwarded-For from as many
# proxies as ALLAUTH_TRUSTED_PROXY_COUNT says (0: the header is ignored).
# allauth counts wrong second-factor codes as "login_failed" too, per account.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/ip,5/5m/key",
    "reset_password": "5/5m/ip,5/5m/key",
    "reset_password_from_key": "5/5m/ip",
    "change_password": "5/5m/user",
    "reauthenticate": "5/5m/user",
    "invitation_accept": "5/5m/ip,5/5m/key",
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "facilitator.validators.MaximumLengthValidator"},
]

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# How dates and times are written ("Tue 8 Dec 2026, 19:00"): facilitator/formats/<language>.
FORMAT_MODULE_PATH = ["facilitator.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Email ----------------------------------------------------------------------
# Console on the embedded default; EMAIL_URL (smtp://user:pass@host:587?tls=True)
# switches to SMTP. Members are never emailed: only facilitators and admins.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)


def email_backend_settings(
    environ: Mapping[str, str],
    *,
    production: bool,
    chosen: Mapping[str, object] = {},
    data_dir: Path = DATA_DIR,
) -> dict:
    """EMAIL_BACKEND (any dotted path, e.g. ``anymail.backends.postmark.EmailBackend``)
    overrides the backend EMAIL_URL chose, and ANYMAIL (a JSON object) plus any
    ``ANYMAIL_<KEY>`` variables become the ANYMAIL settings dict. django-anymail is
    optional: it is imported only by the backend named here, so it need not be
    installed unless it is used. In production an anymail backend without any
    ANYMAIL settings (its API key) stops the process at start-up.

    The file backend writes where it is told: EMAIL_FILE_PATH, else the folder of
    ``filemail:///srv/mail`` (absolute, however many slashes: django-environ reads
    three as a relative path), else DATA_DIR/mail; never the working directory."""
    found: dict = {}
    backend = environ.get("EMAIL_BACKEND", "").strip()
    if backend:
        found["EMAIL_BACKEND"] = backend
    if (backend or chosen.get("EMAIL_BACKEND")) == "django.core.mail.backends.filebased.EmailBackend":
        url = environ.get("EMAIL_URL", "")
        folder = urlsplit(url).path if url.startswith("filemail:") else ""
        from_url = "/" + folder.lstrip("/") if folder else ""
        found["EMAIL_FILE_PATH"] = (
            environ.get("EMAIL_FILE_PATH", "").strip() or from_url or str(data_dir / "mail")
        )
    anymail = {}
    if environ.get("ANYMAIL", "").strip():
        try:
            anymail = json.loads(environ["ANYMAIL"])
        except ValueError as exc:
            raise ImproperlyConfigured(f"ANYMAIL must be a JSON object: {exc}") from None
        if not isinstance(anymail, dict):
            raise ImproperlyConfigured("ANYMAIL must be a JSON object")
    anymail.update(
        {
            key.removeprefix("ANYMAIL_"): value
            for key, value in environ.items()
            if key.startswith("ANYMAIL_") and value
        }
    )
    if anymail:
        found["ANYMAIL"] = anymail
    if production and backend.startswith("anymail.") and not anymail:
        raise ImproperlyConfigured(
            "ANYMAIL or ANYMAIL_<KEY> variables must be set when EMAIL_BACKEND is an anymail backend "
            "and DJANGO_ENV=production"
        )
    return found


vars().update(email_backend_settings(os.environ, production=PRODUCTION, chosen=EMAIL_CONFIG))
# Seconds an SMTP connect or reply may take before the send fails (and is retried).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Both required in production (and checked by ``check --deploy``: facilitator/checks.py).
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Facilitator dashboard <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Celery ---------------------------------------------------------------------
# Without REDIS_URL the broker is kombu's filesystem transport: a folder under
# DATA_DIR that the web server, worker and beat on this machine share. It needs no
# server at all (see README, "Why the filesystem broker").
BROKER_DIR = DATA_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than the longest task's hard time limit, so an unacknowledged
        # (acks_late) message is not redelivered while its first run is still going.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish from a web request must never hang on a missing broker.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = False

# --- Member pages ---------------------------------------------------------------
# Where "Leave this site" (and Shift pressed three times) sends a member: a busy,
# ordinary site that a glance at the screen will not question.
QUICK_EXIT_URL = env.str("QUICK_EXIT_URL", default="https://www.bbc.co.uk/weather")
# Which country's helplines (groups.HelpResource.country_code) member pages show.
HELP_COUNTRY = env.str("HELP_COUNTRY", default="GB").upper()

# --- Sessions and reminders -----------------------------------------------------
# The host part of calendar UIDs: fixed per deployment so calendar apps keep
# matching updates to the entries they already hold.
CALENDAR_UID_DOMAIN = env.str("CALENDAR_UID_DOMAIN", default="facilitator.invalid")
# A reminder that could only arrive less than this many minutes before the session
# (e.g. after the sweep was down) is skipped rather than sent late.
REMINDER_MIN_NOTICE_MINUTES = env.int("REMINDER_MIN_NOTICE_MINUTES", default=30)
# A sweep's claim on a reminder it has not marked sent after this long is taken to be
# that of a dead worker, and the reminder is sent by the next sweep (each minute): a
# killed worker delays a reminder by at most lease + 1 minute. Never shorter than the
# sweep's hard time limit (5 minutes), the longest a live worker can hold a claim.
REMINDER_CLAIM_LEASE_MINUTES = env.int("REMINDER_CLAIM_LEASE_MINUTES", default=5)
if REMINDER_CLAIM_LEASE_MINUTES < 5:
    raise ImproperlyConfigured(
        "REMINDER_CLAIM_LEASE_MINUTES must be at least 5, the reminder sweep's hard time limit: "
        "a shorter lease would let a second sweep send a reminder a live worker is still sending"
    )
# The time zone a new group starts with in the form.
GROUP_DEFAULT_TIMEZONE = env.str("GROUP_DEFAULT_TIMEZONE", default="Europe/London")

# --- Security -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A signed-in account is signed out after SESSION_IDLE_TIMEOUT seconds without a
# request and SESSION_ABSOLUTE_LIFETIME seconds after signing in
# (facilitator.middleware.SessionLifetimeMiddleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=12 * 60 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=SESSION_ABSOLUTE_LIFETIME)
# Content-Security-Policy (django-csp 4): only our own files; inline script or style
# runs only with the per-response nonce ({{ request.csp_nonce }}).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
CSRF_COOKIE_HTTPONLY = True
# The CSRF cookie ends with the browser session, like the session cookie: no page of
# this site leaves a persistent cookie behind.
CSRF_COOKIE_AGE = None
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Logging --------------------------------------------------------------------
# Nothing here ever formats a client address or user agent: django.server's
# request lines (which carry the client IP in runserver) are replaced by our own
# filter, and request objects are never rendered into log records.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# Django's own default handlers for "django" (an unfiltered console in DEBUG, and
# mail_admins, which would mail the request's headers) are replaced by ours.
LOGGING = logging_config(
    level=LOG_LEVEL,
    loggers={"django": LOG_LEVEL, "django.server": LOG_LEVEL, "django.request": "ERROR", "celery": LOG_LEVEL},
)

# --- Check-ins (groups.checkins) ------------------------------------------------
# How long a check-in window stays open unless the facilitator closes it earlier.
CHECKIN_WINDOW_HOURS = env.int("CHECKIN_WINDOW_HOURS", default=48)
# At most this many answers per window per minute, counted per window (never per
# client), and at most this many in a window overall.
CHECKIN_RATE_PER_MINUTE = env.int("CHECKIN_RATE_PER_MINUTE", default=60)
CHECKIN_MAX_PER_WINDOW = env.int("CHECKIN_MAX_PER_WINDOW", default=300)
# Retention (groups/checkins/retention.py), counted from the session's start and only
# once its rollup is made: free text is blanked after this many days, raw answers
# deleted after this many. Rollups are kept.
CHECKIN_COMMENT_RETENTION_DAYS = env.int("CHECKIN_COMMENT_RETENTION_DAYS", default=180)
CHECKIN_ANSWER_RETENTION_DAYS = env.int("CHECKIN_ANSWER_RETENTION_DAYS", default=730)


# --- Error reporting ---------------------------------------------------------------
# Optional: Sentry (or GlitchTip) when SENTRY_DSN is set, with sentry-sdk installed;
# nothing about a member or a client leaves the machine (facilitator/error_reporting.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from facilitator import error_reporting

    error_reporting.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production" if PRODUCTION else "local"),
    )
