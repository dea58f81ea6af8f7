"""A facilitator creates a group with a weekly series, moves one session and cancels another."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Group
from tests.browser.helpers import sign_in
from tests.factories import GroupFactory, SessionFactory, UserFactory

# serialized_rollback: keep the helplines the data migration loaded, and flush without
# re-running post_migrate, so later serialized tests can restore the database.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_facilitator_plans_a_weekly_series_then_moves_one_session_and_cancels_another(
    live_server, page, axe_check
):
    facilitator = UserFactory(email="dana@example.org", display_name="Dana")
    sign_in(page, live_server, facilitator)
    first_day = (timezone.now() + timedelta(days=3)).date()

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="New group").click()
    axe_check(page)
    page.get_by_label("Name:", exact=True).fill("Tuesday evening circle")
    page.get_by_label("Name shown to members").fill("Tuesday group")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Meeting mode").select_option("in_person")
    page.get_by_role("button", name="Create group").click()
    # Forgot the place: the form says so and keeps what was typed.
    expect(page.get_by_text("Say where the group meets.")).to_be_visible()
    expect(page.get_by_label("Name:", exact=True)).to_have_value("Tuesday evening circle")
    axe_check(page)
    page.get_by_label("Location").fill("Community centre, room 2")
    page.get_by_role("button", name="Create group").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Schedule sessions for Tuesday evening circle"
    )
    page.get_by_label("Date").fill(first_day.isoformat())
    page.get_by_label("Start time").fill("19:00")
    page.get_by_label("Repeats").select_option("weekly")
    page.get_by_label("Number of sessions").fill("10")
    axe_check(page)
    page.get_by_role("button", name="Schedule").click()

    expect(page.get_by_role("status")).to_contain_text("10 sessions scheduled.")
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming sessions"))
    expect(upcoming.locator(".session-row")).to_have_count(10)
    axe_check(page)

    # Move the third session to the Wednesday after, at 18:30.
    upcoming.locator(".session-row").nth(2).get_by_role("link").click()
    third_day = first_day + timedelta(weeks=2)
    moved_to = third_day + timedelta(days=1)
    expect(page.get_by_label("New date")).to_have_value(third_day.isoformat())
    axe_check(page)
    page.get_by_label("New date").fill(moved_to.isoformat())
    page.get_by_label("New start time").fill("18:30")
    page.get_by_label("Only this session").first.check()
    page.get_by_role("button", name="Move session").click()
    expect(page.get_by_role("status")).to_contain_text("1 session moved.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("18:30")

    # Cancel the fifth one.
    page.get_by_role("link", name="Tuesday evening circle").click()
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming sessions"))
    upcoming.locator(".session-row").nth(4).get_by_role("link").click()
    page.get_by_role("button", name="Cancel session").click()
    # The page that asks first says what will happen; the facilitator confirms.
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel this session?")
    axe_check(page)
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_role("status")).to_contain_text("1 session cancelled.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancelled")
    axe_check(page)

    group = Group.objects.get(name="Tuesday evening circle")
    sessions = list(group.sessions.select_related("group"))
    assert [s.local_start.strftime("%H:%M") for s in sessions].count("18:30") == 1
    assert sessions[2].local_start.date() == moved_to
    assert [s.is_cancelled for s in sessions] == [False] * 4 + [True] + [False] * 5
    # The rest of the series did not move.
    assert sessions[3].local_start.date() == first_day + timedelta(weeks=3)

    # Members see the cancellation.
    page.goto(f"{live_server.url}/g/{group.member_token}")
    expect(page).to_have_title("Tuesday group")
    expect(page.locator(".session-cancelled")).to_have_count(1)
    expect(page.locator(".session-cancelled")).to_contain_text("Cancelled")
    expect(page.locator(".session-card").first).to_contain_text(re.compile(r"19:00"))


def test_the_home_page_and_reminder_settings_work_by_keyboard_and_pass_axe(live_server, page, axe_check):
    facilitator = UserFactory(email="erin@example.org", display_name="Erin")
    sign_in(page, live_server, facilitator)
    group = GroupFactory(name="Thursday circle", owner=facilitator)
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=2))

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Next sessions")).to_be_visible()
    expect(page.get_by_role("link", name="No readings assigned: choose readings")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Reminders and calendar").click()
    axe_check(page)
    page.get_by_label("Hours before the session").fill("200")
    page.get_by_label("Hours before the session").press("Enter")
    expect(page.get_by_text("Ensure this value is less than or equal to 168.")).to_be_visible()
    page.get_by_label("Email me before each session").uncheck()
    page.get_by_label("Hours before the session").fill("12")
    page.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Reminder settings saved.")

    preference = facilitator.session_preferences
    preference.refresh_from_db()
    assert (preference.reminders_enabled, preference.reminder_hours_before) == (False, 12)


def _checked_choices(page) -> dict[str, list[str]]:
    """For each form on the page (by its button), the words of the choices ticked in it."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("main form")].map((form) => [
            form.querySelector("button").textContent.trim(),
            [...form.querySelectorAll("input:checked")].map(
                (input) => input.closest("label").textContent.trim()),
        ]))"""
    )


def test_clicking_the_words_of_a_choice_changes_only_its_own_form(live_server, page):
    from groups.services import session_schedule

    owner = UserFactory(email="dana@example.org", display_name="Dana")
    group = GroupFactory(name="Tuesday evening circle", owner=owner)
    first, *_ = session_schedule(
        group=group,
        first_day=(timezone.now() + timedelta(days=3)).date(),
        start_time=timezone.now().time().replace(hour=19, minute=0, second=0, microsecond=0),
        duration_minutes=90,
        frequency="weekly",
        count=4,
    )
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/sessions/{first.pk}/")
    move = page.locator("form", has=page.get_by_role("button", name="Move session"))
    cancel = page.locator("form", has=page.get_by_role("button", name="Cancel session"))
    assert _checked_choices(page) == {
        "Move session": ["Only this session"],
        "Cancel session": ["Only this session"],
    }

    for form, other, name in (
        (cancel, "Move session", "Cancel session"),
        (move, "Cancel session", "Move session"),
    ):
        for words in ("This and all later sessions in the series", "Only this session"):
            form.get_by_text(words, exact=True).click()
            checked = _checked_choices(page)
            assert checked[name] == [words], (name, words, checked)
            assert checked[other] == ["Only this session"], (name, words, checked)

    # The words the facilitator clicked are what is sent: the rest of the series is cancelled.
    cancel.get_by_text("This and all later sessions in the series", exact=True).click()
    cancel.get_by_role("button", name="Cancel session").click()
    page.get_by_role("button", name="Cancel the 4 sessions").click()
    expect(page.get_by_role("status")).to_contain_text("4 sessions cancelled.")
    assert set(group.sessions.values_list("status", flat=True)) == {"cancelled"}
