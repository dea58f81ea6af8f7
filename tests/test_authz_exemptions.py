"""The URL names the authorization matrix leaves to allauth and Django's admin
(``DELEGATED_PREFIXES`` in tests/authz/rules_facilitator.py), checked here instead of
taken on trust: every account and two-step page, for every role, is never a server
error and sends anonymous visitors to sign in where it needs an account; and no admin
page ever answers a facilitator who is not staff."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from facilitator.models import User
from tests.authz import all_rules
from tests.authz.rules_facilitator import DELEGATED_PREFIXES
from tests.factories import (
    TEST_PASSWORD,
    AdminFactory,
    UserFactory,
    sign_in_to_set_up,
    sign_in_with_code,
)

pytestmark = pytest.mark.django_db

LOGIN_PATH = reverse("account_login")


def _patterns(patterns=None, namespace: str = ""):
    """(name, pattern) of every named URL, with its namespace."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


NAMED = dict(_patterns())


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Sign-ins and wrong codes are counted in the shared cache.
    cache.clear()
    yield
    cache.clear()


# --- The exemptions themselves ----------------------------------------------------


def test_each_delegated_prefix_is_sampled_by_an_explicit_rule():
    ruled = {rule.name for rule in all_rules()}
    for prefix in DELEGATED_PREFIXES:
        assert any(name.startswith(prefix) for name in ruled), prefix


def test_only_allauths_own_views_hide_behind_the_account_and_two_step_prefixes():
    # A view of ours named "account_…" or "mfa_…" would otherwise skip the matrix.
    ours = sorted(
        f"{name} -> {pattern.callback.__module__}"
        for name, pattern in NAMED.items()
        if name.startswith(("account_", "mfa_")) and not pattern.callback.__module__.startswith("allauth.")
    )
    assert ours == []


def test_only_the_admin_site_serves_the_admin_prefix():
    admin_paths = {name: str(pattern.pattern) for name, pattern in NAMED.items() if name.startswith("admin:")}
    assert admin_paths
    for name in admin_paths:
        assert reverse(name, **_admin_arguments(NAMED[name])).startswith("/admin/"), name


# --- Account and two-step pages: every role ---------------------------------------

LOGIN = "login"  # needs an account: an anonymous visitor is sent to sign in
PUBLIC = "public"  # open to anyone (sign in, reset, the closed sign-up page, …)

# Every account_ and mfa_ URL name, and what it asks of a visitor. A new one fails
# test_every_account_page_has_an_expectation until someone decides.
ACCOUNT_PAGES = {
    "account_login": PUBLIC,
    "account_logout": PUBLIC,
    "account_signup": PUBLIC,  # shows "sign-up is closed" (invitation only)
    "account_inactive": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_email_verification_sent": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_confirm_login_code": LOGIN,  # sign-in by code is off: back to sign in
    "account_change_password": LOGIN,
    "account_set_password": LOGIN,
    "account_email": LOGIN,
    "account_reauthenticate": LOGIN,
    "account_request_reauthentication_code": LOGIN,
    "account_confirm_reauthentication_code": LOGIN,
    "mfa_authenticate": LOGIN,  # the second step: without a first, back to sign in
    "mfa_reauthenticate": LOGIN,
    "mfa_index": LOGIN,
    "mfa_activate_totp": LOGIN,
    "mfa_deactivate_totp": LOGIN,
    "mfa_generate_recovery_codes": LOGIN,
    "mfa_view_recovery_codes": LOGIN,
    "mfa_download_recovery_codes": LOGIN,
    "mfa_add_webauthn": LOGIN,
    "mfa_list_webauthn": LOGIN,
    "mfa_edit_webauthn": LOGIN,
    "mfa_remove_webauthn": LOGIN,
    "mfa_reauthenticate_webauthn": LOGIN,
}

ROLES = ("anonymous", "facilitator", "facilitator_setting_up", "admin")


def test_every_account_page_has_an_expectation():
    names = {name for name in NAMED if name.startswith(("account_", "mfa_"))}
    assert names == set(ACCOUNT_PAGES)


def _someone_elses_passkey() -> Authenticator:
    return Authenticator.objects.create(
        user=UserFactory(),
        type=Authenticator.Type.WEBAUTHN,
        data={
            "name": "Someone's phone",
            "credential": {"clientExtensionResults": {"credProps": {"rk": True}}},
        },
    )


def _account_kwargs(name: str) -> dict:
    if name == "account_reset_password_from_key":
        return {"uidb36": "1", "key": "not-a-key"}
    if name == "account_confirm_email":
        return {"key": "not-a-key"}
    if name in ("mfa_edit_webauthn", "mfa_remove_webauthn"):
        return {"pk": _someone_elses_passkey().pk}
    return {}


def _client_for(role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role == "facilitator":
        sign_in_with_code(client, UserFactory())
    elif role == "facilitator_setting_up":
        sign_in_to_set_up(client, UserFactory(mfa=False))
    elif role == "admin":
        sign_in_with_code(client, AdminFactory())
    return client


ACCOUNT_CASES = [pytest.param(name, role, id=f"{name}-{role}") for name in ACCOUNT_PAGES for role in ROLES]


@pytest.mark.parametrize(("name", "role"), ACCOUNT_CASES)
def test_account_pages_are_never_a_server_error_and_ask_anonymous_visitors_to_sign_in(name, role):
    client = _client_for(role)
    url = reverse(name, kwargs=_account_kwargs(name))

    answered = {method: getattr(client, method)(url) for method in ("get", "post")}

    for method, response in answered.items():
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (method, response.status_code)
        if role == "anonymous" and ACCOUNT_PAGES[name] == LOGIN:
            assert response.status_code == HTTPStatus.FOUND, (method, response.status_code)
            assert response["Location"].startswith(LOGIN_PATH), (method, response["Location"])


@pytest.mark.parametrize("name", ["mfa_edit_webauthn", "mfa_remove_webauthn"])
def test_a_facilitator_cannot_edit_or_remove_someone_elses_passkey(name):
    user = UserFactory()
    own = Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "My phone", "credential": {"clientExtensionResults": {"credProps": {"rk": True}}}},
    )
    client = Client(raise_request_exception=False)
    sign_in_with_code(client, user)
    # allauth asks for the password again before a key is edited or removed.
    assert client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD}).status_code == (
        HTTPStatus.FOUND
    )
    passkey = _someone_elses_passkey()
    url = reverse(name, kwargs={"pk": passkey.pk})
    # The same page for the facilitator's own key opens.
    assert client.get(reverse(name, kwargs={"pk": own.pk})).status_code == HTTPStatus.OK

    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert client.post(url, {"name": "Mine now"}).status_code == HTTPStatus.NOT_FOUND
    passkey.refresh_from_db()
    assert passkey.data["name"] == "Someone's phone"


def test_a_facilitator_with_a_passkey_can_open_manage_from_the_two_step_page():
    user = UserFactory()
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Alice's phone", "credential": {"clientExtensionResults": {"credProps": {"rk": True}}}},
    )
    client = Client(raise_request_exception=False)
    sign_in_with_code(client, user)
    manage = reverse("mfa_list_webauthn")
    assert f'href="{manage}"' in client.get(reverse("mfa_index")).content.decode()

    response = client.get(manage)

    assert response.status_code == HTTPStatus.OK
    assert "Alice&#x27;s phone" in response.content.decode()


def test_the_closed_sign_up_page_creates_no_account():
    client = Client(raise_request_exception=False)
    before = User.objects.count()

    response = client.post(
        reverse("account_signup"),
        {
            "email": "stranger@example.org",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert User.objects.count() == before
    assert not User.objects.filter(email="stranger@example.org").exists()


# --- The admin --------------------------------------------------------------------


def _admin_arguments(pattern: URLPattern) -> dict:
    """Arguments that make ``pattern`` reverse: "1" for every part (the app list
    needs a real app label). Access is checked before anything is looked up."""
    regex = pattern.pattern.regex
    named = {name: ("groups" if name == "app_label" else "1") for name in regex.groupindex}
    unnamed = regex.groups - len(regex.groupindex)
    if unnamed:
        return {"args": ["1"] * unnamed}
    return {"kwargs": named} if named else {}


ADMIN_NAMES = sorted(name for name in NAMED if name.startswith("admin:"))
ADMIN_WITHOUT_ARGUMENTS = [name for name in ADMIN_NAMES if not _admin_arguments(NAMED[name])]


def test_the_admin_has_pages_without_arguments_to_walk():
    assert "admin:index" in ADMIN_WITHOUT_ARGUMENTS
    assert "admin:groups_group_changelist" in ADMIN_WITHOUT_ARGUMENTS
    assert len(ADMIN_WITHOUT_ARGUMENTS) > 20


def _admin_url(name: str) -> str:
    return reverse(name, **_admin_arguments(NAMED[name]))


def _is_admin_path(url: str) -> bool:
    return re.match(r"^(https?://[^/]+)?/admin/", url) is not None


@pytest.mark.parametrize("name", ADMIN_NAMES)
def test_a_facilitator_who_is_not_staff_never_gets_an_admin_page(name):
    client = _client_for("facilitator")
    url = _admin_url(name)

    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code != HTTPStatus.OK, method
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (method, response.status_code)
        followed = getattr(client, method)(url, follow=True)
        # Wherever the redirects lead, it is not an admin page.
        assert not _is_admin_path(followed.request["PATH_INFO"]) or followed.status_code != HTTPStatus.OK, (
            method,
            followed.redirect_chain,
        )


@pytest.mark.parametrize("name", ADMIN_NAMES)
def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_admin_page(name):
    client = Client(raise_request_exception=False)

    response = client.get(_admin_url(name), follow=True)

    assert response.redirect_chain, "not redirected"
    assert response.request["PATH_INFO"] == LOGIN_PATH, response.redirect_chain
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("name", ADMIN_WITHOUT_ARGUMENTS)
def test_admin_pages_without_arguments_are_never_a_server_error_for_an_admin(name):
    client = Client(raise_request_exception=False)
    client.force_login(AdminFactory())

    response = client.get(_admin_url(name))

    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, response.status_code
