"""Production settings: every secret from the environment, and Django's deploy checks pass."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SETTINGS_MODULE": "facilitator.settings.base",
    "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-random-production-key-" + "z" * 20,
    "ALLOWED_HOSTS": "groups.example.org",
    "DATABASE_URL": "postgres://app@127.0.0.1:5432/app",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SITE_URL": "https://groups.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "MFA_ENCRYPTION_KEY": "m" * 20 + "-a-separate-key-for-authenticators",
    "DEFAULT_FROM_EMAIL": "Group sessions <sessions@groups.example.org>",
    "SERVER_EMAIL": "errors@groups.example.org",
}
# Every variable production insists on, as the start-up error names it.
REQUIRED_IN_PRODUCTION = [
    "DJANGO_SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL or EMAIL_BACKEND",
    "MFA_ENCRYPTION_KEY",
    "DEFAULT_FROM_EMAIL",
    "SERVER_EMAIL",
]
# The calling environment's own settings must not stand in for a missing one.
_SETTING_PREFIXES = (
    "DJANGO_",
    "DATABASE_",
    "REDIS_",
    "EMAIL_",
    "ANYMAIL",
    "MFA_",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DEFAULT_FROM_EMAIL",
    "SERVER_EMAIL",
)


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_SETTING_PREFIXES)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["DEFAULT_FROM_EMAIL", "SERVER_EMAIL"])
@pytest.mark.parametrize("address", ["noreply@localhost", "Groups <noreply@localhost>", "not an address"])
def test_the_deploy_checks_refuse_a_sender_receiving_servers_reject(name, address):
    result = _manage("check", "--deploy", env={**PRODUCTION_ENV, name: address})

    assert result.returncode != 0
    assert "facilitator.E001" in result.stderr and name in result.stderr


def test_the_deploy_checks_name_the_local_default_sender_too():
    result = _manage("check", "--deploy", env={"DJANGO_SETTINGS_MODULE": "facilitator.settings.base"})

    assert "facilitator.E001" in result.stdout + result.stderr


def _missing_named(stderr: str) -> list[str]:
    """The variables named by the start-up error, in its order."""
    marker = "DJANGO_ENV=production needs these environment variables, which are unset or empty: "
    assert marker in stderr, stderr
    return stderr.split(marker, 1)[1].splitlines()[0].split(", ")


@pytest.mark.parametrize("missing", REQUIRED_IN_PRODUCTION)
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in missing.split(" or ")}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert _missing_named(result.stderr) == [missing]


def test_a_blank_variable_counts_as_missing():
    result = _manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": "", "REDIS_URL": "  "})

    assert result.returncode != 0
    assert _missing_named(result.stderr) == ["DATABASE_URL", "REDIS_URL"]


def test_production_names_every_missing_variable_at_once():
    result = _manage(
        "check", env={"DJANGO_ENV": "production", "DJANGO_SETTINGS_MODULE": "facilitator.settings.base"}
    )

    assert result.returncode != 0
    assert _missing_named(result.stderr) == REQUIRED_IN_PRODUCTION


def test_production_takes_email_backend_instead_of_email_url():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_URL"}

    result = _manage("check", env={**env, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"})

    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unknown_environment_name_is_refused():
    result = _manage("check", env={"DJANGO_ENV": "prod"})

    assert result.returncode != 0
    assert "DJANGO_ENV must be 'local' or 'production'" in result.stderr


def test_database_url_switches_the_database():
    import environ

    config = environ.Env.db_url_config("postgres://app@127.0.0.1:5432/app")
    assert config["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.django_db
def test_the_database_is_tuned_for_its_engine(settings):
    from django.db import connection

    config = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone() == (1,)
    else:
        assert config["CONN_HEALTH_CHECKS"] is True
        assert config["OPTIONS"]["server_side_binding"] is True
        connection.ensure_connection()
        assert connection.connection.prepare_threshold == 5


@pytest.mark.parametrize(("given", "expected"), [(None, "5"), ("0", "None"), ("2", "2")])
def test_postgresql_binds_on_the_server_and_prepares_what_runs_often(given, expected):
    code = (
        "from django.conf import settings; options = settings.DATABASES['default']['OPTIONS'];"
        " print(options['server_side_binding'], options['prepare_threshold'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "facilitator.settings.base",
        "DATABASE_URL": "postgres://app@127.0.0.1:5432/app",
    }
    if given is not None:
        env["DB_PREPARE_THRESHOLD"] = given

    result = _manage("shell", "--no-imports", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", expected]


def _email_settings(monkeypatch, env: dict[str, str]) -> list[str]:
    """EMAIL_BACKEND and ANYMAIL as the base settings make them, in a fresh process."""
    code = (
        "from django.conf import settings; print(settings.EMAIL_BACKEND, getattr(settings, 'ANYMAIL', None))"
    )
    for name in list(os.environ):
        if name.startswith(("EMAIL_", "ANYMAIL")):
            monkeypatch.delenv(name)  # this run's own mail settings must not leak in
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env={"DJANGO_SETTINGS_MODULE": "facilitator.settings.base", **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split(maxsplit=1)


def test_email_goes_to_the_console_by_default(monkeypatch):
    assert _email_settings(monkeypatch, {}) == ["django.core.mail.backends.console.EmailBackend", "None\n"]


def test_email_backend_in_the_environment_switches_the_backend(monkeypatch):
    backend, anymail = _email_settings(
        monkeypatch,
        {
            "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
            "ANYMAIL_POSTMARK_SERVER_TOKEN": "server-token",
        },
    )

    assert backend == "anymail.backends.postmark.EmailBackend"
    assert anymail.strip() == "{'POSTMARK_SERVER_TOKEN': 'server-token'}"


def test_anymail_settings_come_from_json_and_from_prefixed_variables():
    from facilitator.settings.base import email_backend_settings

    found = email_backend_settings(
        {
            "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
            "ANYMAIL": '{"MAILGUN_API_KEY": "from-json", "MAILGUN_SENDER_DOMAIN": "mg.example.org"}',
            "ANYMAIL_MAILGUN_API_KEY": "from-variable",
            "UNRELATED": "x",
        },
        production=False,
    )

    assert found == {
        "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
        "ANYMAIL": {"MAILGUN_API_KEY": "from-variable", "MAILGUN_SENDER_DOMAIN": "mg.example.org"},
    }
    assert email_backend_settings({}, production=True) == {}


@pytest.mark.parametrize("anymail", ["not json", "[1, 2]"])
def test_anymail_that_is_not_a_json_object_is_refused(anymail):
    from django.core.exceptions import ImproperlyConfigured

    from facilitator.settings.base import email_backend_settings

    with pytest.raises(ImproperlyConfigured, match="ANYMAIL must be a JSON object"):
        email_backend_settings({"ANYMAIL": anymail}, production=False)


def test_production_refuses_an_anymail_backend_without_its_settings():
    result = _manage(
        "check", env={**PRODUCTION_ENV, "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend"}
    )

    assert result.returncode != 0
    assert "ANYMAIL or ANYMAIL_<KEY> variables must be set" in result.stderr
