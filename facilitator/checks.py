"""System checks that ``manage.py check --deploy`` runs: what Django's own do not know."""

from email.utils import parseaddr

from django.conf import settings
from django.core.checks import Error, register

# Domains no receiving server accepts mail from.
_UNDELIVERABLE = ("localhost", "localdomain", "invalid", "example", "test", "local")


def _sender_problem(value: str) -> str:
    _name, address = parseaddr(value)
    if "@" not in address:
        return "is not an email address"
    domain = address.rsplit("@", 1)[1].lower().rstrip(".")
    if "." not in domain or domain.rsplit(".", 1)[-1] in _UNDELIVERABLE or domain in _UNDELIVERABLE:
        return f"sends from {domain}, which receiving mail servers reject or file as spam"
    return ""


@register("email", deploy=True)
def sender_addresses(app_configs, **kwargs) -> list[Error]:
    """DEFAULT_FROM_EMAIL (invitations, reminders, password resets) and SERVER_EMAIL
    (error mail) must be real addresses on a real domain."""
    errors = []
    for name in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL"):
        problem = _sender_problem(getattr(settings, name))
        if problem:
            errors.append(
                Error(
                    f"{name} {problem}.",
                    hint=f"Set {name} to an address on your own domain, e.g. "
                    '"Group sessions <sessions@your-charity.org.uk>".',
                    id="facilitator.E001",
                )
            )
    return errors
