"""Admins change an instrument by publishing a new version; published ones are frozen,
and nobody browses raw answers in the admin."""

from http import HTTPStatus

import pytest
from django.contrib import admin
from django.urls import reverse

from groups.checkins import instruments
from groups.checkins.models import Answer, InstrumentVersion, Response, SentForm, SingleUseCode

pytestmark = pytest.mark.django_db


def _program_v1():
    return InstrumentVersion.objects.get(instrument__key="program", number=1)


def test_raw_answers_and_codes_are_not_in_the_admin():
    for model in (Response, Answer, SingleUseCode, SentForm):
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


def test_an_admin_sets_the_thresholds_and_the_change_is_audited(login, admin_user):
    from facilitator.models import AuditEntry
    from groups.checkins import rollups
    from groups.checkins.models import PrivacySettings

    client = login(admin_user)
    changelist = client.get(reverse("admin:checkins_privacysettings_changelist"))
    url = reverse("admin:checkins_privacysettings_change", args=[1])
    assert changelist.status_code == HTTPStatus.FOUND and changelist["Location"] == url
    response = client.post(url, {"k_scores": "7", "k_comments": "9"})
    assert response.status_code == HTTPStatus.FOUND
    assert (rollups.thresholds().k_scores, rollups.thresholds().k_comments) == (7, 9)
    entry = AuditEntry.objects.get(action="checkin.thresholds_changed")
    assert entry.actor_id == admin_user.pk and entry.ids["k_scores"] == 7
    assert PrivacySettings.objects.count() == 1


def test_the_admin_refuses_a_threshold_below_three_and_keeps_what_was_typed(login, admin_user):
    from groups.checkins import rollups

    client = login(admin_user)
    client.get(reverse("admin:checkins_privacysettings_changelist"))
    page = client.post(
        reverse("admin:checkins_privacysettings_change", args=[1]), {"k_scores": "2", "k_comments": "5"}
    )
    assert page.status_code == HTTPStatus.OK
    assert "greater than or equal to 3" in page.content.decode()
    assert rollups.thresholds().k_scores == 5


def test_released_aggregates_and_comments_are_not_browsable_in_the_admin():
    from groups.checkins.models import BlockRollup, RollupComment, SessionRollup

    for model in (SessionRollup, BlockRollup, RollupComment):
        assert not admin.site.is_registered(model)
