"""The reading library in a real browser: admin history, applying a plan, a member on a phone."""

import re

import pytest
from playwright.sync_api import expect

from content.models import Reading, SessionReading
from content.services import library_load
from tests.browser.helpers import sign_in
from tests.content.support import weekly_sessions
from tests.factories import AdminFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_admin_edits_a_reading_and_sees_its_history(live_server, page, axe_check):
    library_load()
    admin = AdminFactory(email="admin@example.org", display_name="Admin")
    sign_in(page, live_server, admin)

    page.goto(f"{live_server.url}/admin/content/reading/")
    page.get_by_role("searchbox").fill("withdrawal")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Withdrawal", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change reading")

    page.get_by_label("One-line summary").fill("Memories, dreams and the waves of withdrawal after the end.")
    page.get_by_label("Content note").fill("Describes intrusive memories and dreams about an abuser.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change history")
    history = page.locator("#change-history")
    expect(history).to_contain_text("Admin")
    expect(history).to_contain_text("Content note")
    expect(history).to_contain_text("Describes intrusive memories and dreams about an abuser.")
    axe_check(page)

    reading = Reading.objects.get(slug="withdrawal")
    latest = reading.history.first()
    assert latest.history_user == admin
    assert latest.content_note == "Describes intrusive memories and dreams about an abuser."
    page.goto(f"{live_server.url}/admin/content/reading/{reading.pk}/preview/")
    expect(page.locator(".content-note")).to_contain_text("Describes intrusive memories")
    axe_check(page)


def test_a_facilitator_applies_a_reading_plan_to_a_run_of_sessions(live_server, page, axe_check):
    library_load()
    owner = UserFactory(email="alice@example.org", display_name="Alice")
    group = GroupFactory(name="Tuesday group", owner=owner)
    sessions = weekly_sessions(group, 4)
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/library/plans/")
    axe_check(page)
    page.get_by_role("link", name="Six weeks: after they left").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Six weeks: after they left")
    axe_check(page)

    page.goto(f"{live_server.url}/library/sessions/{sessions[0].pk}/")
    axe_check(page)
    page.get_by_label("Reading plan", exact=True).select_option(label="Twelve weeks through the article")
    page.get_by_role("button", name="Preview the plan for these sessions").click()

    preview = page.locator("table.plan-preview")
    expect(preview.locator("tbody tr")).to_have_count(4)
    expect(preview.locator("tbody tr").nth(0)).to_contain_text("When it felt like true love")
    expect(preview.locator("tbody tr").nth(3)).to_contain_text("Ghosted without answers")
    axe_check(page)
    # Keyboard only: focus the button and press Enter.
    page.get_by_role("button", name="Apply the plan").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/library/sessions/$"))
    expect(page.get_by_role("status").first).to_contain_text("4 readings assigned")
    expect(page.get_by_role("cell", name=re.compile("What a trauma bond is"))).to_be_visible()
    axe_check(page)
    assigned = [
        list(SessionReading.objects.filter(session=s).values_list("reading__slug", flat=True))
        for s in sessions
    ]
    assert assigned == [
        ["when-it-felt-like-love"],
        ["what-a-trauma-bond-is"],
        ["the-push-and-pull"],
        ["ghosted-without-answers"],
    ]


def test_a_member_reads_a_passage_on_a_phone(live_server, phone, axe_check):
    library_load()
    group = GroupFactory(name="Tuesday group", owner=UserFactory())
    session = weekly_sessions(group, 1)[0]
    SessionReading.objects.create(session=session, reading=Reading.objects.get(slug="withdrawal"), position=0)

    blocked = []
    phone.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    phone.goto(f"{live_server.url}/g/{group.member_token}")
    card = phone.locator(".reading-card")
    expect(card.get_by_role("heading", name="Withdrawal")).to_be_visible()
    note = card.locator(".content-note")
    expect(note).to_be_visible()
    passage = card.locator(".reading-passage")
    expect(passage).to_be_hidden()
    axe_check(phone)

    summary = card.get_by_text("Read the passage")
    summary.tap()
    expect(passage).to_be_visible()
    expect(passage).to_contain_text("The cycle of abuse does not end when the abuser walks away.")
    # The content note comes before the passage, and the readings fit in 360 px.
    assert note.bounding_box()["y"] < passage.bounding_box()["y"]
    too_wide = phone.evaluate(
        "[...document.querySelectorAll('.readings, .readings *')]"
        ".filter(e => e.getBoundingClientRect().right > 360).map(e => e.tagName)"
    )
    assert too_wide == []
    expect(card.locator(".reading-prompts li")).to_have_count(3)
    axe_check(phone)

    # Keyboard: the disclosure closes and opens again with Enter.
    summary.focus()
    phone.keyboard.press("Enter")
    expect(passage).to_be_hidden()

    # Printing opens every passage so the printout has the text.
    phone.emulate_media(media="print")
    phone.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(passage).to_be_visible()
    assert blocked == []


def test_a_facilitator_finds_a_reading_by_theme_and_assigns_it_by_keyboard(live_server, page, axe_check):
    library_load()
    owner = UserFactory(email="alice@example.org", display_name="Alice")
    group = GroupFactory(name="Tuesday group", owner=owner)
    session = weekly_sessions(group, 1)[0]
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Reading library").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reading library")
    axe_check(page)
    page.get_by_label("Theme", exact=True).select_option(label="Forgiveness")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("1 reading")
    page.get_by_label("Search the library").fill("breadcrumbs")
    page.get_by_label("Theme", exact=True).select_option(label="All themes")
    page.get_by_label("Search the library").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 reading")
    page.get_by_role("link", name="The push and pull").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The push and pull")
    expect(page.get_by_role("heading", name="Reflection prompts for the group")).to_be_visible()
    axe_check(page)
    add = page.get_by_role("button", name=re.compile("Add to Tuesday group"))
    add.focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/library/sessions/{session.pk}/$"))
    expect(page.get_by_role("status").first).to_contain_text("Reading assigned")
    page.get_by_label("Your note on “The push and pull”").fill("Pause after the first paragraph.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status").first).to_contain_text("Note saved")
    axe_check(page)
    assignment = SessionReading.objects.get(session=session)
    assert assignment.note == "Pause after the first paragraph."

    page.goto(f"{live_server.url}/library/plans/new/")
    axe_check(page)
    page.get_by_label("Title").fill("Two weeks on leaving")
    page.get_by_label("Session 1", exact=True).select_option(label="Ghosted without answers")
    page.get_by_label("Session 2", exact=True).select_option(label="The grand exit")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two weeks on leaving")
    expect(page.get_by_role("listitem").filter(has_text="The grand exit")).to_be_visible()
    axe_check(page)
