"""The facilitator's window controls, for each role (outcomes by role are also in
tests/authz/rules_checkins.py; these check what each role actually gets done)."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from groups.checkins import services
from groups.checkins.models import CheckinWindow, Response, SingleUseCode
from groups.models import Session
from tests.checkins.helpers import form_data, open_window, session_for

pytestmark = pytest.mark.django_db

FACILITATORS = ["owner", "cofacilitator", "admin_user"]


@pytest.fixture
def session(group):
    return session_for(group)


def _url(name, session):
    return reverse(f"checkins:{name}", kwargs={"session_id": session.pk})


@pytest.mark.parametrize("role", FACILITATORS)
def test_a_facilitator_opens_the_check_in_and_lands_on_the_room_screen(login, request, session, role):
    client = login(request.getfixturevalue(role))
    response = client.post(_url("window_open", session), follow=True)

    window = CheckinWindow.objects.get(session=session)
    assert window.is_open
    assert response.redirect_chain[-1][0] == _url("window_screen", session)
    html = response.content.decode()
    assert "<svg" in html and 'class="qr"' in html
    assert window.code in html
    assert f"/c/{window.code}" in html
    assert "style=" not in html and "<script>" not in html


def test_the_outsider_cannot_open_close_or_see_another_groups_check_in(login, outsider, session):
    client = login(outsider)
    for name, method in [
        ("window_manage", "get"),
        ("window_open", "post"),
        ("window_screen", "get"),
        ("window_close", "post"),
        ("window_slips", "post"),
        ("window_settings", "post"),
    ]:
        assert getattr(client, method)(_url(name, session)).status_code == HTTPStatus.NOT_FOUND
    assert not CheckinWindow.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in_and_nothing_changes(client, session):
    response = client.post(_url("window_open", session))
    assert response.status_code == HTTPStatus.FOUND
    assert response.headers["Location"].startswith(reverse("account_login"))
    assert not CheckinWindow.objects.exists()


@pytest.mark.parametrize("role", FACILITATORS)
def test_the_manage_page_shows_the_count_so_far_and_nothing_else_about_answers(
    login, request, group, role, client
):
    window = open_window(group)
    member = type(client)()
    url = reverse("checkins:checkin", kwargs={"code": window.code})
    member.post(url, form_data(program__comment="a private remark"))
    type(client)().post(url, form_data(safe="no"))

    html = login(request.getfixturevalue(role)).get(_url("window_manage", window.session)).content.decode()
    assert "2 answers so far." in html
    assert "a private remark" not in html
    assert window.code in html


@pytest.mark.parametrize("role", FACILITATORS)
def test_a_facilitator_closes_the_check_in_and_the_code_stops_working(login, request, group, role, client):
    window = open_window(group)
    facilitator = login(request.getfixturevalue(role))
    # After the page that asks (tests/checkins/test_nothing_irreversible.py).
    response = facilitator.post(_url("window_close", window.session), {"confirm": "yes"}, follow=True)
    assert "The check-in is closed." in response.content.decode()

    window.refresh_from_db()
    assert window.is_closed
    member = type(client)()
    closed = member.get(reverse("checkins:checkin", kwargs={"code": window.code}))
    # Answered like an unknown code (a guesser learns nothing); the member reads "closed".
    assert closed.status_code == HTTPStatus.NOT_FOUND
    assert "code-elapsed" in closed.content.decode()


def test_closing_a_check_in_that_never_opened_explains_itself(login, owner, session):
    response = login(owner).post(_url("window_close", session), follow=True)
    assert "has not opened yet" in response.content.decode()


def test_a_closed_check_in_cannot_be_reopened_from_the_page(login, owner, group):
    window = open_window(group)
    services.window_close(window=window)
    response = login(owner).post(_url("window_open", window.session), follow=True)
    assert "cannot open again" in response.content.decode()
    window.refresh_from_db()
    assert window.is_closed


def test_a_cancelled_sessions_check_in_cannot_open(login, owner, group):
    session = session_for(group, status=Session.Status.CANCELLED)
    response = login(owner).post(_url("window_open", session), follow=True)
    assert "cancelled" in response.content.decode()
    assert not CheckinWindow.objects.filter(session=session, opened_at__isnull=False).exists()


@pytest.mark.parametrize("role", FACILITATORS)
def test_printed_single_use_codes_each_work_once(login, request, group, role, client):
    window = open_window(group)
    response = login(request.getfixturevalue(role)).post(_url("window_slips", window.session), {"count": "4"})
    html = response.content.decode()
    codes = re.findall(r'<strong class="code">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>', html)

    assert response.status_code == HTTPStatus.OK
    assert len(codes) == 4 and SingleUseCode.objects.count() == 4
    member = type(client)()
    url = reverse("checkins:checkin", kwargs={"code": window.code})
    assert member.post(url, form_data(slip_code=codes[0])).status_code == HTTPStatus.OK
    assert member.post(url, form_data(slip_code=codes[0])).status_code == HTTPStatus.BAD_REQUEST
    assert Response.objects.count() == 1


@pytest.mark.parametrize("count", ["0", "201", "many", ""])
def test_asking_for_an_impossible_number_of_codes_explains_the_limits(login, owner, group, count):
    window = open_window(group)
    response = login(owner).post(_url("window_slips", window.session), {"count": count}, follow=True)
    assert "between 1 and 200" in response.content.decode()
    assert not SingleUseCode.objects.exists()


def test_settings_can_be_changed_before_opening_and_not_after(login, owner, session):
    client = login(owner)
    data = {"mode": "single_use", "hours_open": "3"}  # open_automatically unticked
    client.post(_url("window_settings", session), data)
    window = CheckinWindow.objects.get(session=session)
    assert (window.mode, window.open_automatically, window.hours_open) == ("single_use", False, 3)

    page = client.get(_url("window_manage", session)).content.decode()
    assert "It will not open by itself" in page

    services.window_open(session=session)
    response = client.post(
        _url("window_settings", session), {"mode": "browser", "hours_open": "48"}, follow=True
    )
    assert "can no longer change" in response.content.decode()
    window.refresh_from_db()
    assert window.hours_open == 3


def test_bad_settings_keep_what_was_typed_and_say_why(login, owner, session):
    response = login(owner).post(_url("window_settings", session), {"mode": "browser", "hours_open": "999"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "Choose between 1 and 336 hours" in html
    assert 'value="999"' in html


def test_the_room_screen_for_a_window_that_is_not_open_says_so(login, owner, session):
    html = login(owner).get(_url("window_screen", session)).content.decode()
    assert "The check-in is not open" in html
    assert "<svg" not in html


def test_the_settings_forms_hidden_copy_of_its_first_value_carries_no_description(login, owner, session):
    """Django describes the hidden copy of a field's first value (show_hidden_initial)
    like the field itself: aria-* on a hidden input is invalid and reads as nothing."""
    html = login(owner).get(_url("window_manage", session)).content.decode()

    hidden = re.findall(r'<input type="hidden"[^>]*>', html)
    assert any('name="initial-hours_open"' in tag for tag in hidden)
    assert [tag for tag in hidden if "aria-" in tag] == []
    # The field a person uses keeps its help.
    assert re.search(
        r'<input type="number" name="hours_open"[^>]*aria-describedby="id_hours_open_helptext"', html
    )


@pytest.mark.parametrize("role", FACILITATORS)
def test_the_room_screen_shows_the_count_against_people_present_and_refreshes_it(login, request, group, role):
    window = open_window(group)
    for _ in range(3):
        services.checkin_submit(window=window, submission=_submission())
    Session.objects.filter(pk=window.session_id).update(attendance=7)
    client = login(request.getfixturevalue(role))

    screen = client.get(_url("window_screen", window.session)).content.decode()
    count = client.get(_url("window_count", window.session))

    assert "3 answers so far, of 7 people present." in screen
    assert 'data-count-url="' + _url("window_count", window.session) + '"' in screen
    assert count.json() == {
        "answers": 3,
        "present": 7,
        "open": True,
        "text": "3 answers so far, of 7 people present.",
    }
    assert "no-store" in count["Cache-Control"]


def _submission():
    from tests.checkins.helpers import submission

    return submission()


# --- The room screen is a presentation page ------------------------------------------


def test_the_room_screen_is_a_presentation_page_with_close_and_leave(login, owner, group):
    window = open_window(group)
    html = login(owner).get(_url("window_screen", window.session)).content.decode()

    # No site navigation, header or footer: only what the room needs.
    assert 'aria-label="Main"' not in html and "Sign out" not in html and "site-footer" not in html
    assert 'class="presentation"' in html and "<svg" in html and window.display_code in html
    # Close (through the page that asks) and leave, both from the screen.
    assert f'action="{_url("window_close", window.session)}"' in html
    assert '<input type="hidden" name="next" value="screen">' in html
    assert f'href="{_url("window_manage", window.session)}"' in html and "Leave presentation" in html


def test_closing_from_the_screen_asks_first_and_keep_it_open_returns_to_the_screen(login, owner, group):
    window = open_window(group)
    client = login(owner)

    asked = client.post(_url("window_close", window.session), {"next": "screen"}).content.decode()

    window.refresh_from_db()
    assert window.is_open and "Close the check-in now?" in asked
    assert f'href="{_url("window_screen", window.session)}"' in asked  # "Keep it open"
    assert '<input type="hidden" name="next" value="screen">' in asked

    closed = client.post(_url("window_close", window.session), {"next": "screen", "confirm": "yes"})

    window.refresh_from_db()
    assert window.is_closed
    assert closed.url == _url("window_manage", window.session)


def test_the_closed_screen_has_no_navigation_and_a_way_back(login, owner, session):
    html = login(owner).get(_url("window_screen", session)).content.decode()
    assert 'aria-label="Main"' not in html and "Leave presentation" in html
