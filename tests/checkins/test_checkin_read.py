"""checkin_read, the check-in POST read without the form: it takes almost every real
send, and never one the form would refuse or read differently."""

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups.checkins import instruments
from groups.checkins.forms import CheckinForm, checkin_read
from tests.checkins.helpers import FORM_FIELDS, form_data

pytestmark = pytest.mark.django_db

READINGS = [("11", "Why they leave first"), ("12", "The pull back")]
GOOD_KEY = "abcdefghijklmnopqrstuvwx"
value = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "3",
            "5",
            "6",
            "10",
            "11",
            "12",
            "13",
            " 3",
            "3 ",
            "03",
            "-1",
            "yes",
            "no",
            "not_sure",
            "Yes",
            "\x00",
            "3\x00",
            "٣",
            "ABCD-EFGH",
            GOOD_KEY,
            f" {GOOD_KEY} ",
            GOOD_KEY + "\x00",
            "x" * 501,
            "  fine, thanks  ",
        ]
    ),
    st.text(max_size=40),
)
posts = st.lists(st.tuples(st.sampled_from(FORM_FIELDS), value), max_size=20)


def _query(pairs) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, given_value in pairs:
        for item in given_value if isinstance(given_value, list) else [given_value]:
            data.appendlist(key, item)
    return data


def _form_says(data: QueryDict, *, readings, single_use):
    form = CheckinForm(
        data, versions=instruments.current_versions(), readings=readings, single_use=single_use
    )
    return form.sent() if form.is_valid() else None


@pytest.mark.parametrize("single_use", [False, True])
@pytest.mark.parametrize("readings", [[], READINGS])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=posts, base=st.booleans())
def test_what_it_reads_the_form_reads_the_same(single_use, readings, pairs, base):
    """From a whole valid send with fields changed, added or repeated (``base``), or
    from nothing: whatever it reads, the form reads the same; what it leaves to the form
    may be valid or not."""
    start = list(form_data(slip_code="ABCD-EFGH", send_key=GOOD_KEY).items()) if base else []
    data = _query(start + pairs)

    read = checkin_read(
        data, versions=instruments.current_versions(), readings=readings, single_use=single_use
    )

    if read is not None:
        assert read == _form_says(data, readings=readings, single_use=single_use)


@pytest.mark.parametrize("single_use", [False, True])
@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"program__comment": "  Good to be here  "},
        {"program__safe": "no", "who5__item1": "0"},
        {"program__resonated": ["11", "12"]},
        {"send_key": ""},
        {"send_key": "too-short"},
    ],
)
def test_a_plainly_valid_send_is_read_without_the_form(single_use, changes):
    data = _query(list(form_data(**{"slip_code": " abcd-efgh ", "send_key": GOOD_KEY} | changes).items()))

    read = checkin_read(
        data, versions=instruments.current_versions(), readings=READINGS, single_use=single_use
    )

    assert read is not None
    assert read == _form_says(data, readings=READINGS, single_use=single_use)


@pytest.mark.parametrize(
    "changes",
    [
        {"who5__item1": ""},
        {"who5__item1": "6"},
        {"program__safe": "maybe"},
        {"program__resonated": ["99"]},
        {"program__comment": "x" * 501},
        {"program__comment": "a\x00b"},
        {"send_key": GOOD_KEY + "\x00"},
    ],
)
def test_anything_else_is_left_to_the_form(changes):
    data = _query(list(form_data(**changes).items()))
    assert (
        checkin_read(data, versions=instruments.current_versions(), readings=READINGS, single_use=False)
        is None
    )
