"""Demo accounts for ``make run``: created once, reused on every later run.

Passwords and TOTP secrets are random per installation and kept in DATA_DIR
(git-ignored), so a demo that is left running on a shared network does not have a
well-known login. ``manage.py demo_totp`` prints the current code.
"""

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from facilitator.models import User

DEMO_ADMIN_EMAIL = "admin@demo.example"
DEMO_FACILITATOR_EMAIL = "facilitator@demo.example"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    totp_secret: str

    @property
    def otpauth_uri(self) -> str:
        """What an authenticator app reads from a QR code, for typing in by hand."""
        issuer = mfa_settings.TOTP_ISSUER or "Facilitator dashboard"
        label = quote(f"{issuer}:{self.email}")
        query = urlencode({"secret": self.totp_secret, "issuer": issuer, "digits": mfa_settings.TOTP_DIGITS})
        return f"otpauth://totp/{label}?{query}"

    def current_code(self) -> str:
        return totp_code_now(self.totp_secret)


def totp_code_now(secret: str) -> str:
    """The code an authenticator app holding ``secret`` shows right now."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def _credentials_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-credentials.json"


def _load_credentials() -> dict[str, dict[str, str]]:
    path = _credentials_file()
    if not path.exists():
        return {}
    stored = json.loads(path.read_text())
    # Older files held only {email: password}.
    return {
        email: ({"password": value} if isinstance(value, str) else value) for email, value in stored.items()
    }


def _ensure_totp(user: User, secret: str | None) -> str:
    """Give ``user`` a TOTP authenticator; keep an existing one's secret."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return decrypt(existing.data["secret"])
    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@transaction.atomic
def demo_accounts_ensure() -> list[DemoLogin]:
    """Create (or reuse) the demo admin and facilitator; return their logins."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Demo accounts are never created in production.")
    credentials = _load_credentials()
    wanted = [
        ("admin", DEMO_ADMIN_EMAIL, "Demo admin", True),
        ("facilitator", DEMO_FACILITATOR_EMAIL, "Demo facilitator", False),
    ]
    logins = []
    for role, email, name, is_staff in wanted:
        stored = credentials.get(email, {})
        password = stored.get("password") or secrets.token_urlsafe(12)
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"display_name": name, "is_staff": is_staff, "is_superuser": is_staff},
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        totp_secret = _ensure_totp(user, stored.get("totp_secret"))
        credentials[email] = {"password": password, "totp_secret": totp_secret}
        logins.append(DemoLogin(role=role, email=email, password=password, totp_secret=totp_secret))
    path = _credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created private before the secrets are written into it.
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps(credentials, indent=2))
    return logins


def demo_login(role: str) -> DemoLogin:
    """The stored demo login for ``role`` ("admin" or "facilitator"), created if needed."""
    return next(login for login in demo_accounts_ensure() if login.role == role)
