"""The audit log: who changed what, recorded with ids only (never names, text or
member data). A leaf module: every app records through ``audit_record`` and it
imports nothing of the project but the models."""

import re
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from facilitator.models import AuditEntry

_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_ID_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_MAX_IDS = 10


def _clean_ids(ids: dict[str, Any]) -> dict[str, int | str | bool | None]:
    if len(ids) > _MAX_IDS:
        raise ValueError(f"An audit entry holds at most {_MAX_IDS} ids")
    cleaned: dict[str, int | str | bool | None] = {}
    for key, value in ids.items():
        if not _ID_KEY.match(key):
            raise ValueError(f"Audit id name {key!r} must be a short snake_case word")
        if isinstance(value, models.Model):
            value = value.pk
        if isinstance(value, uuid.UUID):
            value = str(value)
        if isinstance(value, str) and len(value) > 64:
            raise ValueError(f"Audit id {key!r} is too long to be an id")
        if value is not None and not isinstance(value, int | str):
            raise ValueError(
                f"Audit id {key!r} must be an int, a short string or None, not {type(value).__name__}"
            )
        cleaned[key] = value
    return cleaned


def audit_record(*, actor: Any, action: str, target: models.Model | None = None, **ids: Any) -> AuditEntry:
    """Append an entry to the audit log.

    ``actor`` is the account that acted (``None`` or an anonymous user for the
    system or a visitor); ``action`` is a dotted name such as
    ``"group.token_rotated"``; ``target`` is the object acted on; ``ids`` are extra
    ids or small numbers (``threshold=5``), never names, text or member data.
    """
    if not _ACTION.match(action):
        raise ValueError(f"Audit action {action!r} must be a dotted name like 'group.token_rotated'")
    actor_id = (
        getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", True) else None
    )
    entry = AuditEntry(actor_id=actor_id, action=action, ids=_clean_ids(ids))
    if target is not None:
        if target.pk is None:
            raise ValueError("An audit target must be saved first")
        entry.target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        entry.target_id = str(target.pk)
    entry.save()
    return entry
