"""What a member's code finds (selectors.checkin_for_code): kept per process while
its rows are unchanged, never deciding on its own whether an answer is taken."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.models import Reading, SessionReading, Source
from groups.checkins import selectors, services
from groups.checkins.answers import responses_count
from groups.checkins.models import CheckinWindow
from groups.checkins.selectors import CodeLookup
from tests.checkins.helpers import form_data, open_window, session_for

pytestmark = pytest.mark.django_db

PHONE = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "null"}


@pytest.fixture(autouse=True)
def _nothing_kept():
    selectors._open_kept.clear()
    yield
    selectors._open_kept.clear()


def _url(window) -> str:
    return reverse("checkins:checkin", kwargs={"code": window.code})


def _reading(title: str, *, published: bool = True) -> Reading:
    source, _created = Source.objects.get_or_create(title="The article")
    return Reading.objects.create(
        source=source,
        title=title,
        slug=title.lower().replace(" ", "-"),
        passage="Text",
        is_published=published,
    )


def test_an_open_window_is_found_with_its_readings_and_kept_after_one_read(group):
    window = open_window(group)
    SessionReading.objects.create(
        session=window.session, reading=_reading("Why they leave first"), position=1
    )
    SessionReading.objects.create(session=window.session, reading=_reading("Not yet out", published=False))

    first = selectors.checkin_for_code(code=window.code)
    with CaptureQueriesContext(connection) as captured:
        again = selectors.checkin_for_code(code=window.code)

    assert first.state == CodeLookup.OPEN
    assert first.window.pk == window.pk and first.window.session.group.pk == group.pk
    assert [title for _pk, title in first.readings] == ["Why they leave first"]
    assert again is first
    assert len(captured) == 1


@pytest.mark.parametrize("how", ["closed early", "closed by the sweep", "deleted"])
def test_a_window_closed_or_gone_elsewhere_is_seen_on_the_next_request(group, how):
    """Another process (the sweep, another web worker) sends no signal here: the
    read of the rows sees the change."""
    window = open_window(group)
    assert selectors.checkin_for_code(code=window.code).state == CodeLookup.OPEN
    if how == "deleted":
        CheckinWindow.objects.filter(pk=window.pk).delete()
    else:
        CheckinWindow.objects.filter(pk=window.pk).update(closed_at=timezone.now())

    found = selectors.checkin_for_code(code=window.code)

    assert found.state == (CodeLookup.UNKNOWN if how == "deleted" else CodeLookup.CLOSED)
    assert found.window is None


def test_a_reading_unpublished_or_renamed_while_open_is_seen_on_the_next_request(group):
    window = open_window(group)
    reading = _reading("Why they leave first")
    SessionReading.objects.create(session=window.session, reading=reading)
    selectors.checkin_for_code(code=window.code)

    Reading.objects.filter(pk=reading.pk).update(title="Why they go")
    assert selectors.checkin_for_code(code=window.code).readings == ((str(reading.pk), "Why they go"),)
    Reading.objects.filter(pk=reading.pk).update(is_published=False)
    assert selectors.checkin_for_code(code=window.code).readings == ()


def test_a_window_closed_a_moment_ago_takes_no_answer_whatever_was_kept(client, group, monkeypatch):
    """The kept lookup still says open; the submit's locked read of the window decides."""
    window = open_window(group)
    client.get(_url(window))
    kept = selectors.checkin_for_code(code=window.code)
    services.window_close(window=CheckinWindow.objects.get(pk=window.pk))
    monkeypatch.setattr(selectors, "checkin_for_code", lambda code: kept)

    response = client.post(_url(window), form_data(safe="no"), **PHONE)

    assert kept.state == CodeLookup.OPEN
    assert response.status_code == HTTPStatus.NOT_FOUND
    html = response.content.decode()
    assert "code-elapsed" in html
    assert "help-shown" in html  # the member who said they do not feel safe still sees help
    assert responses_count(session_ids=[window.session_id]) == 0


def test_unknown_closed_and_not_yet_open_codes_are_not_kept(group):
    closed = open_window(group)
    services.window_close(window=closed)
    waiting = services.window_ensure(session=session_for(group))
    opened = open_window(group)

    states = [
        selectors.checkin_for_code(code=code).state for code in ("ACEFHJKMN", closed.code, waiting.code)
    ]
    selectors.checkin_for_code(code=opened.code)

    assert states == [CodeLookup.UNKNOWN, CodeLookup.CLOSED, CodeLookup.NOT_OPEN]
    assert list(selectors._open_kept) == [opened.code]


def test_no_more_than_codes_kept_are_kept(group, monkeypatch):
    monkeypatch.setattr(selectors, "CODES_KEPT", 2)
    windows = [open_window(group) for _ in range(3)]
    for window in windows:
        selectors.checkin_for_code(code=window.code)

    assert list(selectors._open_kept) == [windows[1].code, windows[2].code]
