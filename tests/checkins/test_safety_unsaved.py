"""The safety net when nothing is stored: a member whose answers say they do not feel
safe, or whose WHO-5 is very low, sees the help section at the top of whatever page
answers their send (an incomplete form, a busy, full or closed check-in, a refused
slip code, a changed instrument, a refused cross-site post...) — and nothing of that
signal is stored, logged, cached or put in a cookie or URL."""

import logging
import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from groups.checkins import instruments, selectors, services
from groups.checkins.models import Answer, CheckinWindow, Response
from tests.checkins.helpers import GOOD_WHO5, form_data, open_window, session_for, who5_all

pytestmark = pytest.mark.django_db

HELP_LEAD = "It sounds like things are really hard right now"

# What a member sent, and whether it calls for help (the rule the thank-you page uses).
UNSAFE = {"safe": "no"}
LOW = {"who5": who5_all(1), "safe": "yes"}  # raw 5 of 25
ONE_ITEM_AT_NO_TIME = {"who5": {**GOOD_WHO5, "item4": 0}, "safe": "yes"}
FAIR = {"safe": "yes"}
FAIR_NOT_SURE = {"safe": "not_sure"}
ANSWERS = [
    pytest.param(UNSAFE, True, id="unsafe"),
    pytest.param(LOW, True, id="low-who5"),
    pytest.param(ONE_ITEM_AT_NO_TIME, True, id="who5-item-at-0"),
    pytest.param(FAIR, False, id="fair"),
    pytest.param(FAIR_NOT_SURE, False, id="fair-not-sure"),
]


def _url(window) -> str:
    return reverse("checkins:checkin", kwargs={"code": window.code})


@pytest.fixture
def window(group):
    return open_window(group)


def _help_section(html: str) -> str:
    start = html.index('<section class="help-now')
    return html[start : html.index("</section>", start) + len("</section>")]


def _help_state(html: str) -> str:
    """The help section is on every page that answers a send; the class on <main>
    shows the full one ("shown"), the gentler one ("light") or none ("quiet"), so that
    the page's length says nothing."""
    assert html.count('<section class="help-now if-help"') == 1
    states = [state for state in ("shown", "light", "quiet") if f'class="member-main help-{state}' in html]
    assert len(states) == 1, states
    return states[0]


def _shows_help(html: str) -> bool:
    return _help_state(html) == "shown"


# --- How each refusal is arranged: (url, extra form data, request headers, status) -----


def _incomplete(client, window, settings, monkeypatch):
    # A required question left out, one the signal does not read.
    return _url(window), {"program__connection": None}, {}, HTTPStatus.OK


def _busy(client, window, settings, monkeypatch):
    settings.CHECKIN_RATE_PER_MINUTE = 0
    return _url(window), {}, {}, HTTPStatus.TOO_MANY_REQUESTS


def _full(client, window, settings, monkeypatch):
    settings.CHECKIN_MAX_PER_WINDOW = 0
    return _url(window), {}, {}, HTTPStatus.CONFLICT


def _closed(client, window, settings, monkeypatch):
    services.window_close(window=window)
    return _url(window), {}, {}, HTTPStatus.NOT_FOUND


def _closed_mid_way(client, window, settings, monkeypatch):
    # The facilitator closes the check-in after the view read the window as open:
    # the service's own check, under the window's lock, refuses the answer.
    stale = selectors.window_for_code(code=window.code)
    services.window_close(window=window)
    monkeypatch.setattr(selectors, "window_for_code", lambda *, code: stale)
    return _url(window), {}, {}, HTTPStatus.NOT_FOUND


def _slip(client, window, settings, monkeypatch):
    services.single_use_codes_issue(window=window, count=1)
    return _url(window), {"slip_code": "WRONG-CODE"}, {}, HTTPStatus.BAD_REQUEST


def _instrument_changed(client, window, settings, monkeypatch):
    def changed(*, version, values):
        raise ValueError("the items changed")

    monkeypatch.setattr(instruments, "values_check", changed)
    return _url(window), {}, {}, HTTPStatus.CONFLICT


def _not_open(client, window, settings, monkeypatch):
    waiting = services.window_ensure(session=session_for(window.session.group))
    return _url(waiting), {}, {}, HTTPStatus.NOT_FOUND


def _unknown(client, window, settings, monkeypatch):
    return reverse("checkins:checkin", kwargs={"code": "ZZZZZZ"}), {}, {}, HTTPStatus.NOT_FOUND


def _already(client, window, settings, monkeypatch):
    assert client.post(_url(window), form_data()).status_code == HTTPStatus.OK
    return _url(window), {}, {}, HTTPStatus.CONFLICT


def _cross_site(client, window, settings, monkeypatch):
    return _url(window), {}, {"Sec-Fetch-Site": "cross-site"}, HTTPStatus.FORBIDDEN


REFUSALS = {
    "incomplete": _incomplete,
    "busy": _busy,
    "full": _full,
    "closed": _closed,
    "closed-mid-way": _closed_mid_way,
    "slip": _slip,
    "instrument-changed": _instrument_changed,
    "not-open": _not_open,
    "unknown-code": _unknown,
    "already-answered": _already,
    "cross-site": _cross_site,
}
# The refusals that show the form again, with the answers filled in.
WITH_FORM = {"incomplete", "busy", "full", "slip", "instrument-changed"}


def _post(client, url, answers: dict, extra: dict, headers: dict):
    data = form_data(**answers, **{k: v for k, v in extra.items() if v is not None})
    for name, value in extra.items():
        if value is None:
            del data[name]
    return client.post(url, data, headers=headers)


def _stored(window) -> tuple[str, int]:
    """Every row of every table but the windows' (whose per-minute attempt counter a
    refused send still moves, by design), and how many answers the window took."""
    skip = CheckinWindow._meta.db_table
    chunks = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table == skip:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names
            chunks.append(f"{table}: {sorted(map(repr, cursor.fetchall()))}")
    return "\n".join(chunks), CheckinWindow.objects.get(pk=window.pk).answers_taken


@pytest.fixture
def every_log_record(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("django.request", "django.server", "django.security"):
        caplog.set_level(logging.DEBUG, logger=name)
        logging.getLogger(name).addHandler(caplog.handler)
    yield caplog
    for name in ("django.request", "django.server", "django.security"):
        logging.getLogger(name).removeHandler(caplog.handler)


# --- The main case ---------------------------------------------------------------------


def test_safe_no_with_a_missing_answer_shows_help_above_the_errors_and_keeps_the_answers(client, window):
    data = form_data(safe="no", program__comment="kept text")
    del data["who5__item3"]
    response = client.post(_url(window), data)
    html = response.content.decode()

    assert response.status_code == HTTPStatus.OK
    assert _shows_help(html)
    help_now = _help_section(html)
    assert HELP_LEAD in help_now
    assert "Samaritans" in help_now and "116 123" in help_now
    # At the top: the first thing after the page's heading, before the error summary;
    # focusable, so checkin.js moves focus to it rather than to the summary below.
    assert html.index("</h1>") < html.index('class="help-now if-help"') < html.index('class="error-summary"')
    assert re.search(r'<section class="help-now if-help"[^>]*tabindex="-1"', html)
    assert 'id="error-summary"' in html
    assert "Choose an answer for: I have felt active and vigorous" in html
    safe_no = re.search(r'<input[^>]*name="program__safe"[^>]*value="no"[^>]*>', html).group(0)
    assert "checked" in safe_no
    kept_radio = re.search(r'<input[^>]*id="id_who5__item1_2"[^>]*>', html).group(0)
    assert 'value="3"' in kept_radio and "checked" in kept_radio
    assert 'value="kept text"' in html
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_a_low_who5_with_a_missing_answer_shows_help(client, window):
    data = form_data(who5=who5_all(1))
    del data["program__pull"]
    html = client.post(_url(window), data).content.decode()
    assert _shows_help(html) and 'class="error-summary"' in html
    assert not Response.objects.exists()


def test_an_incomplete_form_without_a_signal_shows_no_help(client, window):
    data = form_data(safe="not_sure")
    del data["who5__item3"]
    html = client.post(_url(window), data).content.decode()
    assert 'id="error-summary"' in html
    assert not _shows_help(html)


def test_a_value_that_fails_its_check_counts_for_nothing(client, window):
    # A forged "safe" value is not an answer: the form asks again, without the help.
    html = client.post(_url(window), form_data(safe="definitely")).content.decode()
    assert 'id="error-summary"' in html
    assert not _shows_help(html)


def test_the_help_section_is_the_thank_you_pages_own(client, window, settings):
    thanked = client.post(_url(open_window(window.session.group)), form_data(safe="no")).content.decode()
    settings.CHECKIN_RATE_PER_MINUTE = 0
    refused = client.post(_url(window), form_data(safe="no")).content.decode()
    assert _help_section(refused) == _help_section(thanked)


def test_a_page_merely_visited_shows_no_help(client, window):
    services.window_close(window=window)
    assert not _shows_help(client.get(_url(window)).content.decode())


# --- Every refusal -------------------------------------------------------------------


@pytest.mark.parametrize(("answers", "helped"), ANSWERS)
@pytest.mark.parametrize("refusal", REFUSALS)
def test_every_refused_send_shows_help_exactly_when_the_answers_call_for_it(
    client, window, settings, monkeypatch, refusal, answers, helped
):
    url, extra, headers, status = REFUSALS[refusal](client, window, settings, monkeypatch)
    stored_before = Response.objects.count()

    response = _post(client, url, answers, extra, headers)
    html = response.content.decode()

    assert response.status_code == status
    assert _shows_help(html) is helped
    if answers is FAIR_NOT_SURE:
        assert _help_state(html) == "light"  # the gentler help, at once
    if helped:
        assert HELP_LEAD in _help_section(html)
        assert html.index("</h1>") < html.index('class="help-now if-help"')
        if 'class="error-summary"' in html:
            assert html.index('class="help-now if-help"') < html.index('class="error-summary"')
    if refusal in WITH_FORM:
        assert 'class="error-summary"' in html
        safe = re.search(rf'<input[^>]*name="program__safe"[^>]*value="{answers["safe"]}"[^>]*>', html)
        assert "checked" in safe.group(0)
    assert Response.objects.count() == stored_before


@pytest.mark.parametrize("refusal", REFUSALS)
def test_nothing_of_the_signal_is_stored_logged_cached_or_sent_back(
    client, window, settings, monkeypatch, every_log_record, refusal
):
    url, extra, headers, status = REFUSALS[refusal](client, window, settings, monkeypatch)
    before = _stored(window)
    every_log_record.clear()

    logged = []
    for answers in (UNSAFE, FAIR):
        response = _post(client, url, answers, extra, headers)
        assert response.status_code == status
        # No redirect (the signal would travel in a URL), no cookie, never kept by a cache.
        assert "Location" not in response.headers
        assert not response.cookies
        assert "no-store" in response.headers["Cache-Control"]
        logged.append([(r.name, r.levelno, r.getMessage()) for r in every_log_record.records])
        every_log_record.clear()

    # The database (the database cache among its tables) holds what it held before, and
    # the log says the same whether or not the member asked for help.
    assert _stored(window) == before
    assert logged[0] == logged[1]
    for _name, _level, message in logged[0]:
        assert "help" not in message.lower() and "safe" not in message.lower()


def test_one_who5_item_at_zero_shows_help_even_with_another_item_missing(client, window):
    # "At no time" on one item calls for help on its own; the raw score is not needed.
    data = form_data(who5={"item1": 0, "item2": 4, "item3": 4, "item4": 4})
    html = client.post(_url(window), data).content.decode()
    assert _shows_help(html) and 'class="error-summary"' in html
    assert not Response.objects.exists()


# --- Equal lengths: HTTPS hides the words, not the size ----------------------------


@pytest.mark.parametrize(
    "calling_for_help", [UNSAFE, LOW, ONE_ITEM_AT_NO_TIME], ids=["unsafe", "low", "item-at-0"]
)
@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refusal_page_is_exactly_as_long_with_the_help_section_as_without(
    group, settings, monkeypatch, refusal, calling_for_help
):
    sizes = {}
    for answers in (calling_for_help, FAIR):
        client = Client()
        url, extra, headers, status = REFUSALS[refusal](client, open_window(group), settings, monkeypatch)
        response = _post(client, url, answers, extra, headers)
        assert response.status_code == status
        assert _shows_help(response.content.decode()) is (answers is calling_for_help)
        sizes[answers is FAIR] = (int(response["Content-Length"]), len(response.content))
    assert sizes[True] == sizes[False]


@pytest.mark.parametrize(
    "calling_for_help", [UNSAFE, LOW, ONE_ITEM_AT_NO_TIME], ids=["unsafe", "low", "item-at-0"]
)
def test_the_thank_you_page_is_exactly_as_long_with_the_help_section_as_without(group, calling_for_help):
    sizes = {}
    for answers in (calling_for_help, FAIR):
        window = open_window(group)
        response = Client().post(_url(window), form_data(**answers))
        assert response.status_code == HTTPStatus.OK
        assert "Thank you" in response.content.decode()
        assert (_help_state(response.content.decode()) == "quiet") is (answers is FAIR)
        sizes[answers is FAIR] = (int(response["Content-Length"]), len(response.content))
    assert sizes[True] == sizes[False]
