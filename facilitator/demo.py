"""Demo accounts for ``make run``: created once, reused on every later run.

Passwords are random per installation and kept in DATA_DIR (git-ignored), so a
demo that is left running on a shared network does not have a well-known login.
"""

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from allauth.account.models import EmailAddress
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


def _credentials_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-credentials.json"


def _load_passwords() -> dict[str, str]:
    path = _credentials_file()
    if path.exists():
        return json.loads(path.read_text())
    return {}


@transaction.atomic
def demo_accounts_ensure() -> list[DemoLogin]:
    """Create (or reuse) the demo admin and facilitator; return their logins."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Demo accounts are never created in production.")
    passwords = _load_passwords()
    wanted = [
        ("admin", DEMO_ADMIN_EMAIL, "Demo admin", True),
        ("facilitator", DEMO_FACILITATOR_EMAIL, "Demo facilitator", False),
    ]
    logins = []
    for role, email, name, is_staff in wanted:
        password = passwords.get(email) or secrets.token_urlsafe(12)
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
        passwords[email] = password
        logins.append(DemoLogin(role=role, email=email, password=password))
    path = _credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(passwords, indent=2))
    path.chmod(0o600)
    return logins
