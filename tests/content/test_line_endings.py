"""Text typed into any form keeps its line ends as "\\n" and is otherwise kept as typed
(issue 17): a browser sends a text area's line ends as CR LF, and saving a reading
without editing it rewrote its passage and prompts (632 -> 636 characters)."""

from http import HTTPStatus

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from content.models import Reading
from tests.factories import ReadingFactory

pytestmark = pytest.mark.django_db

PASSAGE = "The first line.\n\nA second paragraph,\nwith a line of its own.  "
PROMPTS = "What stays with you?\nWhat helps you?"


def _form(reading) -> dict:
    """The change form as a browser sends it: every text area's line ends as CR LF."""
    return {
        "title": reading.title,
        "slug": reading.slug,
        "source": reading.source_id,
        "position": reading.position,
        "is_published": "on",
        "content_note": reading.content_note,
        "passage": reading.passage.replace("\n", "\r\n"),
        "reading_minutes": reading.reading_minutes or "",
        "summary": reading.summary,
        "prompts": reading.prompts.replace("\n", "\r\n"),
        "_continue": "Save and continue editing",
    }


def test_saving_a_reading_unchanged_changes_no_text(client, admin_user):
    reading = ReadingFactory(passage=PASSAGE, prompts=PROMPTS, is_published=True)
    client.force_login(admin_user)
    url = reverse("admin:content_reading_change", args=[reading.pk])
    response = client.post(url, _form(reading))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    reading.refresh_from_db()
    assert (reading.passage, reading.prompts) == (PASSAGE, PROMPTS)
    assert LogEntry.objects.get(object_id=str(reading.pk)).get_change_message() == "No fields changed."
    # The history may gain an entry for the save, but never new text.
    assert {record.passage for record in reading.history.all()} == {PASSAGE}


def test_any_form_keeps_typed_line_ends_as_newlines(client, owner, group):
    from datetime import timedelta

    from django.utils import timezone

    from groups.models import Session

    session = Session.objects.create(group=group, starts_at=timezone.now() + timedelta(days=3))
    client.force_login(owner)
    client.post(
        reverse("content:session_note_update", args=[session.pk]),
        {"text": "Read it aloud.\r\nPause after the list.\rThen ask."},
    )
    from content.models import SessionNote

    assert SessionNote.objects.get(session=session).text == "Read it aloud.\nPause after the list.\nThen ask."


def test_the_migration_normalises_what_is_stored(db):
    import importlib

    from django.apps import apps

    reading = ReadingFactory(passage="One.\r\nTwo.\rThree.", prompts="A?\r\nB?")
    migration = importlib.import_module("content.migrations.0004_line_endings")
    migration.normalise_line_endings(apps, None)
    reading = Reading.objects.get(pk=reading.pk)
    assert (reading.passage, reading.prompts) == ("One.\nTwo.\nThree.", "A?\nB?")
