"""The authorization matrix: one rule for every named URL, for every role.

Each app declares its rules in ``tests/authz/rules_<app>.py`` as a list named
``RULES``. ``tests/test_authz_matrix.py`` walks the whole URL conf and fails when a
named URL has no rule, so a new view cannot ship without a decision about who may
see it.

Outcomes:
- ``OK``: 200
- ``LOGIN``: redirected to the login page
- ``FORBIDDEN``: 403 — the account is known but may not do this
- ``NOT_FOUND``: 404 — used where even the existence of an object must not leak
- ``REDIRECT``: any other 3xx (e.g. the admin's own login for a non-staff account)
- ``NOT_ALLOWED``: 405, the method is refused
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "owner", "cofacilitator", "outsider", "admin")

OK = "ok"
LOGIN = "login"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
REDIRECT = "redirect"
NOT_ALLOWED = "not_allowed"


@dataclass
class World:
    """Everything a rule may point at: the people and the owner's group."""

    users: dict[str, Any]
    group: Any
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    name: str
    expect: dict[str, str]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = lambda world: {}
    setup: Callable[[World], None] | None = None

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"Rule {self.name} says nothing for {sorted(missing)}")


def per_role(*, anonymous: str, owner: str, cofacilitator: str, outsider: str, admin: str) -> dict[str, str]:
    return {
        "anonymous": anonymous,
        "owner": owner,
        "cofacilitator": cofacilitator,
        "outsider": outsider,
        "admin": admin,
    }


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: str) -> dict[str, str]:
    """Any account may; anonymous visitors are sent to log in."""
    return {**dict.fromkeys(ROLES, outcome), "anonymous": LOGIN}


def group_facilitators(outcome: str, *, outsider: str = NOT_FOUND) -> dict[str, str]:
    """Only the group's facilitators and admins; outsiders learn nothing."""
    return per_role(anonymous=LOGIN, owner=outcome, cofacilitator=outcome, outsider=outsider, admin=outcome)


def all_rules() -> list[Rule]:
    rules: list[Rule] = []
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("rules_"):
            rules.extend(importlib.import_module(f"{__name__}.{module.name}").RULES)
    return rules
