"""Walk every named URL for every role and check the outcome its rule expects."""

from http import HTTPStatus

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.authz import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    ROLES,
    World,
    all_rules,
)
from tests.authz.rules_facilitator import DELEGATED_PREFIXES

pytestmark = pytest.mark.django_db


def _named_urls(patterns=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _named_urls(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def _unnamed_urls(patterns=None) -> list[str]:
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":  # the admin's own redirects are unnamed
                found += _unnamed_urls(entry.url_patterns)
        elif isinstance(entry, URLPattern) and not entry.name:
            found.append(str(entry.pattern))
    return found


RULES = all_rules()
RULES_BY_NAME = {rule.name: rule for rule in RULES}


def test_every_named_url_has_a_rule():
    # The delegated prefixes are walked role by role in tests/test_authz_exemptions.py.
    uncovered = sorted(
        name
        for name in _named_urls()
        if name not in RULES_BY_NAME and not name.startswith(tuple(DELEGATED_PREFIXES))
    )
    assert not uncovered, f"URLs without an authorization rule in tests/authz/: {uncovered}"


def test_every_rule_names_a_real_url():
    assert not set(RULES_BY_NAME) - _named_urls()


def test_our_own_urls_are_all_named():
    # An unnamed pattern would slip past the matrix; only DEBUG's static files may.
    assert [p for p in _unnamed_urls() if not p.startswith("^static/")] == []


@pytest.fixture
def world(owner, cofacilitator, outsider, admin_user, group):
    return World(
        users={
            "anonymous": None,
            "owner": owner,
            "cofacilitator": cofacilitator,
            "outsider": outsider,
            "admin": admin_user,
        },
        group=group,
    )


def _check(response, outcome: str) -> None:
    status = response.status_code
    location = response.headers.get("Location", "")
    if outcome == OK:
        assert status == HTTPStatus.OK, (status, location)
    elif outcome == LOGIN:
        assert status == HTTPStatus.FOUND, status
        assert location.startswith(reverse(settings.LOGIN_URL)), location
    elif outcome == REDIRECT:
        assert HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST, status
    elif outcome == FORBIDDEN:
        assert status == HTTPStatus.FORBIDDEN, status
    elif outcome == NOT_FOUND:
        assert status == HTTPStatus.NOT_FOUND, status
    elif outcome == NOT_ALLOWED:
        assert status == HTTPStatus.METHOD_NOT_ALLOWED, status
    else:  # pragma: no cover - a typo in a rule
        raise AssertionError(f"unknown outcome {outcome}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_authorization_matrix(rule, role, world, client):
    if rule.setup:
        rule.setup(world)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(rule.name, kwargs=rule.kwargs(world))
    response = getattr(client, rule.method)(url, rule.data(world))
    _check(response, rule.expect[role])
