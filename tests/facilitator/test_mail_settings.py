"""Every documented way of configuring mail works as documented: a real send in a
fresh process, per setting, lands where the setting says."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SEND = (
    "from django.conf import settings; from django.core.mail import send_mail; "
    "send_mail('Hello', 'A test message.', 'sessions@groups.example.org', ['dana@example.org']); "
    "print(settings.EMAIL_BACKEND, getattr(settings, 'EMAIL_FILE_PATH', None))"
)
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def _send(env: dict[str, str], *, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "ANYMAIL", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", SEND],
        cwd=cwd,
        env={**clean, "DJANGO_SETTINGS_MODULE": "facilitator.settings.base", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _written(folder: Path) -> list[str]:
    return [path.read_text() for path in folder.glob("*.log")]


@pytest.mark.parametrize("url", ["filemail:///{dir}", "filemail:////{dir}"])
def test_email_url_filemail_writes_into_the_absolute_folder_it_names(tmp_path, url):
    folder = tmp_path / "outbox"
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    result = _send({"EMAIL_URL": url.format(dir=str(folder).lstrip("/"))}, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == [FILE_BACKEND, str(folder)]
    (message,) = _written(folder)
    assert "Subject: Hello" in message
    assert list(elsewhere.iterdir()) == []  # nothing in the working directory


def test_email_backend_with_email_file_path_writes_where_it_is_told(tmp_path):
    folder = tmp_path / "mail"
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    result = _send({"EMAIL_BACKEND": FILE_BACKEND, "EMAIL_FILE_PATH": str(folder)}, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    (message,) = _written(folder)
    assert "A test message." in message
    assert list(elsewhere.iterdir()) == []


def test_the_file_backend_without_a_folder_writes_into_the_data_folder(tmp_path):
    result = _send({"EMAIL_BACKEND": FILE_BACKEND, "DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert len(_written(tmp_path / "mail")) == 1


def test_email_url_smtp_sets_host_port_and_account():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s; "
            "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DJANGO_"))},
            "DJANGO_SETTINGS_MODULE": "facilitator.settings.base",
            "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "mailer",
        "True",
    ]
