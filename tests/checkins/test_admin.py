"""Admins change an instrument by publishing a new version; published ones are frozen,
and nobody browses raw answers in the admin."""

from http import HTTPStatus

import pytest
from django.contrib import admin
from django.urls import reverse

from groups.checkins import instruments
from groups.checkins.models import Answer, InstrumentVersion, Response, SingleUseCode

pytestmark = pytest.mark.django_db


def _program_v1():
    return InstrumentVersion.objects.get(instrument__key="program", number=1)


def test_raw_answers_and_codes_are_not_in_the_admin():
    for model in (Response, Answer, SingleUseCode):
        assert not admin.site.is_registered(model)


def test_a_published_version_cannot_be_edited_in_the_admin(login, admin_user):
    client = login(admin_user)
    version = _program_v1()
    url = reverse("admin:checkins_instrumentversion_change", args=[version.pk])
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    client.post(url, {"intro": "Rewritten", "number": "1", "instrument": str(version.instrument_id)})
    version.refresh_from_db()
    assert version.intro == "A few questions of our own, about this week."


def test_an_admin_makes_a_draft_edits_it_and_publishes_it_as_the_new_version(login, admin_user):
    client = login(admin_user)
    changelist = reverse("admin:checkins_instrumentversion_changelist")
    client.post(changelist, {"action": "make_draft", "_selected_action": [str(_program_v1().pk)]})
    draft = InstrumentVersion.objects.get(instrument__key="program", number=2)
    assert draft.published_at is None
    assert [i.key for i in draft.items.all()] == [i.key for i in _program_v1().items.all()]
    # A draft is not used by check-ins until it is published.
    assert [v.number for v in instruments.current_versions() if v.instrument.key == "program"] == [1]

    draft.items.filter(key="connection").update(prompt="How connected do you feel to the group today?")
    client.post(changelist, {"action": "publish", "_selected_action": [str(draft.pk)]})

    current = next(v for v in instruments.current_versions() if v.instrument.key == "program")
    assert current.number == 2
    assert current.items.get(key="connection").prompt == "How connected do you feel to the group today?"
    assert _program_v1().items.get(key="connection").prompt == "How connected do you feel to this group?"


@pytest.mark.parametrize("role", ["owner", "cofacilitator", "outsider"])
def test_facilitators_cannot_reach_the_instrument_admin(login, request, role):
    client = login(request.getfixturevalue(role))
    response = client.get(reverse("admin:checkins_instrumentversion_changelist"))
    assert response.status_code == HTTPStatus.FOUND


@pytest.mark.parametrize(
    ("kind", "options", "ok"),
    [
        ("scale", [[0, "No"], [1, "Yes"]], True),
        ("choice", [["yes", "Yes"], ["no", "No"]], True),
        ("scale", [["0", "No"]], False),
        ("scale", [[True, "No"]], False),
        ("choice", [[1, "One"]], False),
        ("scale", [], False),
        ("scale", [[0, "No"], [0, "Also no"]], False),
        ("scale", {"0": "No"}, False),
        ("text", [], True),
    ],
)
def test_item_options_must_have_the_shape_the_form_needs(kind, options, ok):
    from django.core.exceptions import ValidationError

    from groups.checkins.models import Item

    item = Item(version=_program_v1(), key="new", kind=kind, prompt="A question", options=options)
    if ok:
        item.clean()
    else:
        with pytest.raises(ValidationError):
            item.clean()
