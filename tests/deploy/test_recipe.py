"""The production recipe in deploy/ is checked by the tools that will read it: nginx
(`nginx -t`), systemd (`systemd-analyze verify`), hadolint for the container file, and
the settings themselves for the environment template. Outside CI a missing nginx or
systemd-analyze skips its test; under CI (CI=true) it fails."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from facilitator.settings.base import PRODUCTION_REQUIRED

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        message = (
            f"{name} is not installed (apt-get install {'nginx-light' if name == 'nginx' else 'systemd'})"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_nginx_accepts_the_site(tmp_path):
    nginx = _tool("nginx")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    self_signed = ["-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=groups.example.org"]
    subprocess.run(
        ["openssl", "req", *self_signed, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "facilitator.conf").read_text()
    site = re.sub(r"ssl_certificate (\S+);", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key (\S+);", f"ssl_certificate_key {key};", site)
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_site_passes_what_the_app_expects_and_logs_no_one():
    site = (DEPLOY / "nginx" / "facilitator.conf").read_text()
    for header in ("X-Forwarded-Proto $scheme", "X-Forwarded-For $proxy_add_x_forwarded_for", "Host $host"):
        assert f"proxy_set_header {header};" in site
    (log_format,) = re.findall(r"log_format facilitator_private ([^;]+);", site)
    assert "$remote_addr" not in log_format and "$http_user_agent" not in log_format
    assert "$request_uri" not in log_format and "$args" not in log_format  # no query strings
    # A POST is resent to a second node only for the check-in, whose resend is stored once.
    resent = re.findall(r"location (\S+) \{[^}]*non_idempotent", site)
    assert resent == ["/c/"], resent
    assert site.count("non_idempotent") == 1


def test_systemd_accepts_the_units(tmp_path):
    analyze = _tool("systemd-analyze")
    venv_bin = Path(sys.executable).parent
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        # The paths a real machine has (/srv/facilitator/.venv) point at this checkout here.
        text = unit.read_text().replace("/srv/facilitator/.venv/bin", str(venv_bin))
        text = text.replace("/srv/facilitator", str(ROOT)).replace("EnvironmentFile=", "EnvironmentFile=-")
        text = re.sub(r"^(User|Group)=.*$", "", text, flags=re.M)  # no such account in CI
        (tmp_path / unit.name).write_text(text)
    units = sorted(str(path) for path in tmp_path.glob("*.service"))
    assert len(units) == 3
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    worker = (DEPLOY / "systemd" / "facilitator-worker.service").read_text()
    assert "--without-gossip" in worker and "--without-mingle" in worker


def test_hadolint_passes_the_container_file():
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_one_beat_and_workers_without_gossip():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "--without-gossip" in services["worker"]["command"]
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_the_environment_template_names_everything_production_requires_and_starts(tmp_path):
    template = (DEPLOY / "env.example").read_text()
    values = dict(
        line.split("=", 1)
        for line in template.splitlines()
        if line and not line.startswith("#") and "=" in line
    )
    for entry in PRODUCTION_REQUIRED:
        names = (entry,) if isinstance(entry, str) else entry
        assert any(values.get(name) for name in names), names
    # The template's values (with a real key) are enough for the production settings.
    from cryptography.fernet import Fernet

    ours = ("DJANGO_", "EMAIL_", "DATABASE_", "REDIS_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env |= values | {"MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(), "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_procfile_runs_production_processes_and_make_run_the_development_ones():
    production = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert production["web"].startswith("gunicorn ")
    assert "--without-gossip" in production["worker"] and "runserver" not in "".join(production.values())
    assert "honcho start -f Procfile.dev" in (ROOT / "Makefile").read_text()
    assert "runserver" in (ROOT / "Procfile.dev").read_text()


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", text, flags=re.M))


def test_error_reporting_is_pinned_apart_and_installed_only_where_configured():
    optional = _pins("sentry.txt")
    assert "sentry-sdk" in optional and "sentry-sdk" not in _pins("base.txt")
    tested = _pins("test.txt")
    assert {name: tested.get(name) for name in optional} == optional  # the tests run what production installs
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert '[ -n "$WITH_SENTRY" ]; then pip install --no-cache-dir -r requirements/sentry.txt' in dockerfile
