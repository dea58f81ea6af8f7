"""The cost of one check-in (benchmark issue 9): what a member's POST asks of the
database, and that the rate limit and the published versions stay exact while
they are read cheaply."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.checkins import instruments, services
from groups.checkins.models import Answer, Instrument, Item, Response
from tests.checkins.helpers import form_data, open_window, submission

pytestmark = pytest.mark.django_db

PHONE = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "null"}

# A successful POST, whatever the database and whatever the cache: the rows of the
# code (the window's state, the label and the readings: one read while they are
# unchanged since the form's GET), the current instrument versions (likewise), then in
# the transaction the window again (locked) with whether this copy of the form was
# stored already (a resend), its counters (the rate limit and the cap) and the three
# INSERTs (the answer's two, the form's key). (The thank-you page's help resources are
# kept per process and were read by the form's GET.) On PostgreSQL the three INSERTs
# are one statement (facilitator.compiled.rows_insert).
QUERIES_PER_CHECKIN = {"sqlite": 7, "postgresql": 5}

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def _url(window) -> str:
    return reverse("checkins:checkin", kwargs={"code": window.code})


def _form_key(page) -> str:
    """The key of the copy of the form the page holds, which the phone sends back."""
    return re.search(r'name="send_key" value="([^"]+)"', page.content.decode()).group(1)


def _statements(captured) -> list[str]:
    """The statements of a request without transaction control (a test's own
    transaction turns the request's into savepoints)."""
    sql = [query["sql"] for query in captured.captured_queries]
    return [s for s in sql if not s.upper().startswith(_TRANSACTION_CONTROL)]


def test_a_check_in_is_stored_with_a_fixed_number_of_queries(client, group):
    window = open_window(group)
    key = _form_key(
        client.get(_url(window))
    )  # the phone loads the form first, as when the QR code is scanned

    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            _url(window), form_data(program__comment="Good to be here", send_key=key), **PHONE
        )

    assert response.status_code == HTTPStatus.OK
    assert "Your answers are saved" in response.content.decode()
    assert Response.objects.count() == 1 and Answer.objects.count() == 2
    work = _statements(captured)
    assert len(work) == QUERIES_PER_CHECKIN[connection.vendor], "\n".join(work)
    assert not [s for s in work if "django_cache" in s], "limits are counted on the window, not in a cache"
    sql = [query["sql"] for query in captured.captured_queries]
    locked = max(i for i, s in enumerate(sql) if s.startswith('SELECT "checkins_checkinwindow"'))
    counted = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "checkins_checkinwindow"'))
    inserted = next(i for i, s in enumerate(sql) if 'INSERT INTO "checkins_response"' in s)
    assert locked < counted < inserted, "the counters were written outside the check-in's transaction"


def test_the_query_count_does_not_grow_with_answers_already_stored(client, group):
    window = open_window(group)
    for _ in range(5):
        services.checkin_submit(window=window, submission=submission())
    key = _form_key(client.get(_url(window)))

    with CaptureQueriesContext(connection) as captured:
        client.post(_url(window), form_data(send_key=key), **PHONE)

    assert len(_statements(captured)) == QUERIES_PER_CHECKIN[connection.vendor]
    assert Response.objects.count() == 6


def test_an_item_edited_in_the_database_shows_on_the_next_check_in(client, group):
    window = open_window(group)
    assert "No names, please" in client.get(_url(window)).content.decode()
    current = next(v for v in instruments.current_versions() if v.instrument.key == "program")

    # Not possible in the admin for a published version, but the form never shows
    # an older wording than the database holds, in any process.
    Item.objects.filter(version=current, key="comment").update(help_text="Say it in your own words")

    page = client.get(_url(window)).content.decode()
    assert "Say it in your own words" in page and "No names, please" not in page


def test_an_instrument_switched_off_leaves_the_next_check_in(client, group):
    window = open_window(group)
    assert "I have felt cheerful" in client.get(_url(window)).content.decode()

    Instrument.objects.filter(key="who5").update(is_active=False)

    page = client.get(_url(window)).content.decode()
    assert "I have felt cheerful" not in page and "No names, please" in page
    assert client.post(_url(window), form_data(), **PHONE).status_code == HTTPStatus.OK
    assert Answer.objects.get().version.instrument.key == "program"


def test_refused_attempts_count_towards_the_rate_limit(group, settings):
    settings.CHECKIN_RATE_PER_MINUTE = 2
    window = open_window(group)
    code = services.single_use_codes_issue(window=window, count=1)[0]
    window.refresh_from_db()

    for guess in ("WRONG111", "WRONG222"):
        with pytest.raises(services.CheckinRefused) as refused:
            services.checkin_submit(window=window, submission=submission(), slip_code=guess)
        assert refused.value.reason == services.CheckinRefused.SLIP
    with pytest.raises(services.CheckinRefused) as refused:
        services.checkin_submit(window=window, submission=submission(), slip_code=code)

    assert refused.value.reason == services.CheckinRefused.BUSY
    assert not Response.objects.exists()


def test_a_busy_window_takes_answers_again_as_its_bucket_refills(group, settings):
    settings.CHECKIN_RATE_PER_MINUTE = 2  # a place comes back every 30 seconds
    window = open_window(group)
    start = timezone.now()

    services.checkin_submit(window=window, submission=submission(), now=start)
    services.checkin_submit(window=window, submission=submission(), now=start + timedelta(seconds=10))
    with pytest.raises(services.CheckinRefused) as refused:
        services.checkin_submit(window=window, submission=submission(), now=start + timedelta(seconds=20))
    assert refused.value.reason == services.CheckinRefused.BUSY
    # Sending again while it is busy does not keep it busy.
    services.checkin_submit(window=window, submission=submission(), now=start + timedelta(seconds=31))
    with pytest.raises(services.CheckinRefused):
        services.checkin_submit(window=window, submission=submission(), now=start + timedelta(seconds=40))
    services.checkin_submit(window=window, submission=submission(), now=start + timedelta(seconds=61))

    assert Response.objects.count() == 4


def test_after_a_burst_of_65_cookieless_answers_a_real_member_gets_in_within_15_seconds(group):
    # The default limit (60 a minute): the burst fills the bucket, then it stops.
    window = open_window(group)
    start = timezone.now()
    refused = 0
    for n in range(65):
        try:
            services.checkin_submit(
                window=window, submission=submission(), now=start + timedelta(seconds=3 * n / 65)
            )
        except services.CheckinRefused as busy:
            assert busy.reason == services.CheckinRefused.BUSY
            refused += 1
    assert refused == 3  # 60 places, and two more came back during the three seconds

    services.checkin_submit(window=window, submission=submission(), now=start + timedelta(seconds=3 + 15))

    assert Response.objects.count() == 63


def test_the_cap_counts_answers_taken_not_attempts(group, settings):
    settings.CHECKIN_MAX_PER_WINDOW = 2
    window = open_window(group)
    code = services.single_use_codes_issue(window=window, count=2)
    window.refresh_from_db()

    with pytest.raises(services.CheckinRefused):
        services.checkin_submit(window=window, submission=submission(), slip_code="WRONG111")
    for slip in code:
        services.checkin_submit(window=window, submission=submission(), slip_code=slip)
    window.refresh_from_db()

    assert (window.answers_taken, window.attempts) == (2, 3)
    assert Response.objects.count() == 2


def test_closing_a_window_clears_its_minute_of_attempts(group):
    window = open_window(group)
    services.checkin_submit(window=window, submission=submission())

    services.window_close(window=window)
    window.refresh_from_db()

    assert window.attempts_since is None and window.attempts == 0
    assert window.answers_taken == 1


def test_the_upgrade_counts_what_open_windows_already_hold(group):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("groups.checkins.migrations.0005_window_counters")
    still_open, closed = open_window(group), open_window(group)
    for window, held in ((still_open, 3), (closed, 2)):
        Response.objects.bulk_create([Response(session_id=window.session_id) for _ in range(held)])
    services.window_close(window=closed)

    migration.count_answers_taken(apps, None)

    still_open.refresh_from_db()
    closed.refresh_from_db()
    assert (still_open.answers_taken, closed.answers_taken) == (3, 0)
