"""Guessing a check-in code: too many codes to try, and nothing in the status, the
headers, the length or the work done tells an unknown code from a closed or a
not-yet-open one."""

import math
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.checkins import services
from groups.checkins.forms import CodeForm
from groups.checkins.models import CODE_ALPHABET, CODE_LENGTH, new_window_code
from tests.checkins.helpers import form_data, open_window, session_for

pytestmark = pytest.mark.django_db

# The design point: 5,000 groups, windows open 48 hours, weekly sessions; allow two
# open windows per group at once.
OPEN_WINDOWS_AT_ONCE = 10_000


def test_finding_any_open_window_by_guessing_takes_over_ten_million_guesses():
    codes = len(set(CODE_ALPHABET)) ** CODE_LENGTH
    expected_guesses = (codes + 1) / (OPEN_WINDOWS_AT_ONCE + 1)
    assert expected_guesses >= 10**7, f"{expected_guesses:.2e}"
    assert math.log2(codes) > 38


def test_codes_have_no_look_alikes_and_are_shown_in_groups_of_three():
    assert not set("0OQD1IL2Z5S8BGUV") & set(CODE_ALPHABET)
    code = new_window_code()
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    window = open_window_for_display()
    assert window.display_code == "-".join(window.code[i : i + 3] for i in range(0, CODE_LENGTH, 3))


def open_window_for_display():
    from tests.factories import GroupFactory

    return open_window(GroupFactory())


@pytest.mark.parametrize("typed", ["{}", "{} ", "{}".lower(), "display"])
def test_a_code_typed_with_dashes_spaces_or_small_letters_is_found(group, typed):
    window = open_window(group)
    raw = window.display_code if typed == "display" else typed.format(window.code)
    if typed == "{}".lower():
        raw = window.code.lower()
    form = CodeForm({"code": raw})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["code"] == window.code


def _three_codes(group):
    closed = open_window(group)
    services.window_close(window=closed)
    waiting = services.window_ensure(session=session_for(group))
    return {"unknown": "ACEFHJKMN", "closed": closed.code, "not open": waiting.code}


@pytest.mark.parametrize("method", ["get", "head", "post"])
def test_unknown_closed_and_not_yet_open_codes_answer_alike(group, method):
    # What a running process already holds: the helplines and the instruments.
    warm = reverse("checkins:checkin", args=["WARMWARMW"])
    getattr(Client(), method)(warm, form_data() if method == "post" else {})
    answers = {}
    for name, code in _three_codes(group).items():
        url = reverse("checkins:checkin", args=[code])
        with CaptureQueriesContext(connection) as queries:
            response = getattr(Client(), method)(url, form_data() if method == "post" else {})
        headers = {k: v for k, v in response.headers.items() if k not in ("Date", "Expires")}
        answers[name] = (response.status_code, headers, len(response.content), len(queries))
    assert answers["unknown"][0] == HTTPStatus.NOT_FOUND
    assert answers["unknown"] == answers["closed"] == answers["not open"], answers


def test_a_member_who_typed_a_closed_code_still_reads_that_it_has_closed(group):
    codes = _three_codes(group)
    closed = Client().get(reverse("checkins:checkin", args=[codes["closed"]])).content.decode()
    assert 'class="member-main help-quiet code-elapsed"' in closed
    assert "This check-in has closed" in closed
    waiting = Client().get(reverse("checkins:checkin", args=[codes["not open"]])).content.decode()
    assert 'class="member-main help-quiet code-pending"' in waiting
