"""Arbitrary form data never causes a server error or a partial answer."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups.checkins.models import Answer, Response
from tests.checkins.helpers import FORM_FIELDS, form_data, open_window

pytestmark = pytest.mark.django_db

FIELD_NAMES = [*FORM_FIELDS, "csrfmiddlewaretoken"]
text = st.text(max_size=300)
values = st.one_of(
    text,
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["", "0", "5", "10", "yes", "no", "not_sure", "\x00", "1e3", " 3 ", "٣"]),
    st.lists(text, max_size=4),
)
form = st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), text), values, max_size=14)


@pytest.fixture
def code(group):
    return open_window(group).code


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=form, start_valid=st.booleans())
def test_arbitrary_posts_never_cause_a_server_error_or_a_partial_answer(code, data, start_valid):
    payload = {**form_data(), **data} if start_valid else data
    before = Response.objects.count()
    response = Client().post(reverse("checkins:checkin", kwargs={"code": code}), payload)

    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    stored = Response.objects.count() - before
    assert stored in (0, 1)
    assert (stored == 1) == (
        response.status_code == HTTPStatus.OK and b"Your answers are saved" in response.content
    )
    # Every response has its two answers or none at all.
    assert Answer.objects.count() == 2 * Response.objects.count()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(max_size=40))
def test_arbitrary_codes_never_cause_a_server_error(raw, db):
    client = Client()
    assert client.get(reverse("checkins:enter"), {"code": raw}).status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    safe = "".join(ch for ch in raw if ch not in "/?#%") or "A"
    response = client.get(f"/c/{safe}")
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
