"""Every error a member can meet is a page in the member layout, with the help
resources and the quick exit, saying nothing was saved; the database being down is a
503 with Retry-After, and the help resources show even then. Staff pages get the
site's own error pages."""

from contextlib import contextmanager
from http import HTTPStatus

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from groups import selectors as group_selectors
from groups.checkins import selectors
from groups.checkins.models import Response
from groups.models import HelpResource
from groups.services import help_resources_add_defaults
from tests.checkins.helpers import form_data, open_window

pytestmark = pytest.mark.django_db

NOTHING_SAVED = "Nothing was saved"


@pytest.fixture(autouse=True)
def _helplines():
    help_resources_add_defaults()


@contextmanager
def database_down():
    """Every new query fails as it would with the database server stopped."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    original = BaseDatabaseWrapper.cursor
    BaseDatabaseWrapper.cursor = refuse
    try:
        yield
    finally:
        BaseDatabaseWrapper.cursor = original


def _member_error_page(response, status: int) -> str:
    html = response.content.decode()
    assert response.status_code == status, response.status_code
    assert 'class="member"' in html  # the member layout's <body>
    assert 'id="quick-exit"' in html
    assert "Samaritans" in html and "116 123" in html
    assert NOTHING_SAVED in html
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    return html


def _client() -> Client:
    return Client(raise_request_exception=False)


def test_an_unknown_member_address_is_a_member_page(group):
    _member_error_page(_client().get("/c/ABCDEF/more"), HTTPStatus.NOT_FOUND)
    _member_error_page(_client().get("/g/x/y/z"), HTTPStatus.NOT_FOUND)


def test_a_method_the_check_in_does_not_take_is_a_member_page(group):
    window = open_window(group)
    _member_error_page(_client().put(f"/c/{window.code}"), HTTPStatus.METHOD_NOT_ALLOWED)


def test_a_send_too_big_to_read_is_a_member_page(group, settings):
    window = open_window(group)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    html = _member_error_page(
        _client().post(f"/c/{window.code}", form_data(safe="no")), HTTPStatus.BAD_REQUEST
    )
    assert not Response.objects.exists()
    assert 'class="member-main help-shown"' in html or 'class="member-main help-quiet"' in html


def test_a_crash_behind_a_check_in_is_a_member_page_with_help_for_who_asked(group, monkeypatch):
    window = open_window(group)

    def crash(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "window_for_code", crash)
    unsafe = _client().post(f"/c/{window.code}", form_data(safe="no"))
    fair = _client().post(f"/c/{window.code}", form_data())

    assert 'class="member-main help-shown"' in _member_error_page(unsafe, HTTPStatus.INTERNAL_SERVER_ERROR)
    assert 'class="member-main help-quiet"' in _member_error_page(fair, HTTPStatus.INTERNAL_SERVER_ERROR)
    assert len(unsafe.content) == len(fair.content)
    assert "a bug" not in unsafe.content.decode()


@pytest.mark.parametrize("page", ["group", "check-in"])
def test_the_database_down_is_a_503_member_page_with_retry_after(group, page):
    path = f"/g/{group.member_token}" if page == "group" else f"/c/{open_window(group).code}"
    client = _client()
    with database_down():
        response = client.get(path)
    _member_error_page(response, HTTPStatus.SERVICE_UNAVAILABLE)
    assert int(response["Retry-After"]) > 0
    assert "try again in a minute" in response.content.decode()


def test_a_check_in_sent_while_the_database_is_down_still_shows_help(group):
    window = open_window(group)
    with database_down():
        unsafe = _client().post(f"/c/{window.code}", form_data(safe="no"))
        fair = _client().post(f"/c/{window.code}", form_data())
    assert 'class="member-main help-shown"' in _member_error_page(unsafe, HTTPStatus.SERVICE_UNAVAILABLE)
    assert 'class="member-main help-quiet"' in _member_error_page(fair, HTTPStatus.SERVICE_UNAVAILABLE)
    assert len(unsafe.content) == len(fair.content)


def test_the_helplines_an_admin_set_show_while_the_database_is_down_in_a_fresh_process(group, settings):
    HelpResource.objects.create(
        country_code=settings.HELP_COUNTRY, order=1, name="Local line", phone="0800 111"
    )
    group_selectors.help_resources_forget()
    assert "Local line" in _client().get("/help").content.decode()
    group_selectors.help_resources_forget()  # as a new worker process would start

    with database_down():
        help_page = _client().get("/help")
        check_in = _client().get("/c/ABCDEF")
    # The help page needs nothing else from the database: it still works.
    assert help_page.status_code == HTTPStatus.OK
    assert "Local line" in help_page.content.decode() and "0800 111" in help_page.content.decode()
    assert "Local line" in _member_error_page(check_in, HTTPStatus.SERVICE_UNAVAILABLE)


def test_with_no_copy_at_all_the_built_in_helplines_show(group, settings, tmp_path):
    settings.DATA_DIR = tmp_path  # no copy on disk
    group_selectors.help_resources_forget()
    with database_down():
        response = _client().get("/help")
    assert response.status_code == HTTPStatus.OK
    assert "Samaritans" in response.content.decode() and "116 123" in response.content.decode()


# --- Staff pages ---------------------------------------------------------------------


def _staff_error_page(response, status: int) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert "Facilitator dashboard" in html  # the staff layout
    assert 'id="quick-exit"' not in html
    return html


def test_a_facilitator_meets_the_sites_own_not_found_page(login, outsider, group):
    html = _staff_error_page(
        login(outsider).get(reverse("groups:group_detail", args=[group.pk])), HTTPStatus.NOT_FOUND
    )
    assert "could not find" in html.lower()


def test_a_crash_on_a_staff_page_is_the_sites_own_500(login, owner, monkeypatch):
    import groups.views

    def crash(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(groups.views, "groups_visible_to", crash)
    client = login(owner)
    client.raise_request_exception = False
    html = _staff_error_page(client.get(reverse("groups:group_list")), HTTPStatus.INTERNAL_SERVER_ERROR)
    assert "a bug" not in html


def test_the_database_down_on_a_staff_page_is_a_503_with_retry_after(login, owner):
    client = login(owner)
    client.raise_request_exception = False
    with database_down():
        response = client.get(reverse("groups:group_list"))
    _staff_error_page(response, HTTPStatus.SERVICE_UNAVAILABLE)
    assert int(response["Retry-After"]) > 0
