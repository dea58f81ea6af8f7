"""A member checks in on a phone: from the room screen's link, getting help after a
low score, leaving quickly, and meeting a closed check-in. axe-core on every page."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from groups.checkins import rollups, services
from groups.checkins.models import Answer, CheckinWindow, Response
from tests.browser.helpers import sign_in
from tests.checkins.helpers import open_window, session_for
from tests.factories import GroupFactory, UserFactory

# serialized_rollback: the instruments and helplines come from data migrations, which a
# transactional test's flush would otherwise remove.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WHO5_LOW = {
    "I have felt cheerful and in good spirits": "Some of the time",
    "I have felt calm and relaxed": "Less than half of the time",
    "I have felt active and vigorous": "Some of the time",
    "I woke up feeling fresh and rested": "Some of the time",
    "My daily life has been filled with things that interest me": "Less than half of the time",
}
WHO5_FAIR = dict.fromkeys(WHO5_LOW, "Most of the time")


@pytest.fixture
def exit_url(live_server, settings):
    # A page of our own stands in for the neutral site: the tests have no network.
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz"
    return settings.QUICK_EXIT_URL


@pytest.fixture
def group():
    return GroupFactory(name="Recovery circle", member_label="Tuesday group", owner=UserFactory())


def answer(phone, who5: dict, *, safe: str = "Yes", pull: str = "3", connection: str = "4") -> None:
    for prompt, choice in who5.items():
        phone.get_by_role("group", name=re.compile(re.escape(prompt))).get_by_label(
            choice, exact=True
        ).check()
    phone.get_by_role("group", name=re.compile("pull to contact")).get_by_label(pull, exact=True).check()
    connected = phone.get_by_role("group", name=re.compile("connected do you feel"))
    connected.get_by_label(re.compile(rf"^{connection}\b")).check()
    phone.get_by_role("group", name="Do you feel safe right now?").get_by_label(safe, exact=True).check()


def test_a_member_checks_in_from_the_room_screens_link(live_server, page, phone, axe_check, group):
    facilitator = group.facilitators.get()
    session = session_for(group)
    sign_in(page, live_server, facilitator)

    page.goto(f"{live_server.url}/checkins/sessions/{session.pk}/")
    page.get_by_role("button", name="Open the check-in now").click()
    expect(page.get_by_role("heading", name="Check in on your phone")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for the check-in link")).to_be_visible()
    axe_check(page)
    link = page.locator(".screen-link a").get_attribute("href")
    code = page.locator(".code-large").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3}", code)  # easy to read off a screen
    code = code.replace("-", "")
    assert link.endswith(f"/c/{code}")

    phone.goto(link)
    expect(phone).to_have_title("Tuesday group")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check-in")
    axe_check(phone)
    answer(phone, WHO5_FAIR)
    phone.get_by_label(re.compile("Anything you would like the facilitators to know")).fill("Glad to be here")
    phone.get_by_role("button", name="Send my answers").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(phone.locator(".help-now")).to_be_hidden()
    axe_check(phone)
    assert Response.objects.count() == 1
    assert Answer.objects.get(version__instrument__key="program").values["comment"] == "Glad to be here"

    # The same browser session is not asked again.
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("You have already checked in")
    axe_check(phone)

    # The facilitator sees the count, and nothing else.
    page.goto(f"{live_server.url}/checkins/sessions/{session.pk}/")
    expect(page.get_by_text("1 answer so far.")).to_be_visible()


def test_a_member_typing_the_code_sees_help_at_once_after_a_low_score(live_server, phone, axe_check, group):
    window = open_window(group)

    phone.goto(f"{live_server.url}/c/")
    axe_check(phone)
    # Typed as the screen shows it, in small letters.
    phone.get_by_label("Check-in code").fill(window.display_code.lower())
    phone.get_by_role("button", name="Continue").click()
    expect(phone).to_have_url(re.compile(rf"/c/{window.code}$"))

    answer(phone, WHO5_LOW, safe="Not sure")
    phone.get_by_role("button", name="Send my answers").click()

    help_now = phone.locator(".help-now")
    expect(help_now).to_be_visible()
    expect(help_now).to_contain_text("It sounds like things are really hard right now")
    expect(help_now.get_by_role("link", name="Call 116 123")).to_be_visible()
    # The help is the first thing on the page, above the fold of a phone.
    assert help_now.bounding_box()["y"] < 740
    axe_check(phone)


def test_a_check_in_whose_reply_is_lost_is_sent_again_and_stored_once(live_server, phone, group):
    window = open_window(group)
    phone.goto(f"{live_server.url}/c/{window.code}")
    answer(phone, WHO5_LOW, safe="No")
    lost = []

    def lose_the_first_reply(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server stores the answers...
            lost.append(route.request.url)
            phone.context.clear_cookies()  # (route.fetch kept the reply's cookie)
            route.abort("connectionreset")  # ...and the reply never reaches the phone
        else:
            route.continue_()

    phone.route(re.compile(r"/c/"), lose_the_first_reply)
    phone.get_by_role("button", name="Send my answers").tap()

    # The page sends the same copy of the form again, and is thanked as stored.
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Thank you")
    expect(phone.locator(".help-now")).to_be_visible()
    assert lost
    assert Response.objects.count() == 1


def test_missing_answers_are_listed_and_linked_and_the_rest_are_kept(live_server, phone, axe_check, group):
    window = open_window(group)
    phone.goto(f"{live_server.url}/c/{window.code}")
    partly = dict(list(WHO5_FAIR.items())[:4])
    answer(phone, partly)
    phone.get_by_role("button", name="Send my answers").click()

    summary = phone.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    axe_check(phone)
    link = summary.get_by_role("link", name=re.compile("My daily life has been filled"))
    link.click()
    expect(phone.locator("#id_who5__item5_0")).to_be_focused()
    # What was answered is still there.
    first = phone.get_by_role("group", name=re.compile("cheerful and in good spirits"))
    expect(first.get_by_label("Most of the time", exact=True)).to_be_checked()
    assert not Response.objects.exists()


def test_the_form_works_by_keyboard_and_without_javascript(live_server, browser, group):
    window = open_window(group)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    phone = context.new_page()
    try:
        phone.goto(f"{live_server.url}/c/{window.code}")
        answer(phone, WHO5_FAIR)
        phone.get_by_role("button", name="Send my answers").focus()
        phone.keyboard.press("Enter")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    finally:
        context.close()
    assert Response.objects.count() == 1


def test_quick_exit_by_button_clears_the_form_and_leaves_no_history(live_server, phone, exit_url, group):
    window = open_window(group)
    phone.goto(f"{live_server.url}/c/")
    phone.goto(f"{live_server.url}/c/{window.code}")
    phone.get_by_label(re.compile("Anything you would like the facilitators to know")).fill("private")

    phone.get_by_role("link", name="Leave this site").click()

    expect(phone).to_have_url(exit_url)
    phone.go_back()
    # The check-in page was replaced in the history, not added to it.
    assert not phone.url.endswith(f"/c/{window.code}")
    assert not Response.objects.exists()


def test_quick_exit_by_pressing_shift_three_times(live_server, phone, exit_url, group):
    window = open_window(group)
    phone.goto(f"{live_server.url}/c/{window.code}")
    field = phone.get_by_label(re.compile("Anything you would like the facilitators to know"))
    field.fill("Some Capitals Typed Here")  # typing capitals never triggers it
    expect(phone).to_have_url(re.compile(rf"/c/{window.code}$"))

    field.focus()
    for _ in range(3):
        phone.keyboard.press("Shift")
    expect(phone).to_have_url(exit_url)


def test_the_quick_exit_bar_never_covers_the_focused_field(live_server, phone, group):
    window = open_window(group)
    phone.goto(f"{live_server.url}/c/{window.code}")
    seen = 0
    for _ in range(20):
        phone.keyboard.press("Tab")
        where = phone.evaluate(
            """(() => {
                const active = document.activeElement;
                const bar = document.getElementById('quick-exit-bar').getBoundingClientRect();
                const box = active.getBoundingClientRect();
                const skip = active === document.body || active.classList.contains('skip-link');
                const inBar = document.getElementById('quick-exit-bar').contains(active);
                return {skip, inBar, top: box.top, bottom: box.bottom, barBottom: bar.bottom};
            })()"""
        )
        if where["skip"] or where["inBar"]:
            continue  # the skip link sits above the bar when focused; body is "nothing focused"
        seen += 1
        assert where["top"] >= where["barBottom"] - 1, where
    assert seen >= 10


def test_a_closed_check_in_says_so_plainly(live_server, phone, axe_check, group):
    window = open_window(group)
    phone.goto(f"{live_server.url}/c/{window.code}")
    answer(phone, WHO5_FAIR)
    services.window_close(window=window)
    phone.get_by_role("button", name="Send my answers").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("This check-in has closed")
    expect(phone.locator("main").get_by_text("nothing was saved").filter(visible=True)).to_have_count(1)
    axe_check(phone)
    assert not Response.objects.exists()

    phone.goto(f"{live_server.url}/c/{window.code}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("This check-in has closed")


def test_unknown_and_not_yet_open_codes_are_explained(live_server, phone, axe_check, group):
    phone.goto(f"{live_server.url}/c/KKKKKK")
    expect(phone.get_by_role("heading", level=1)).to_have_text("We could not find that check-in")
    axe_check(phone)

    waiting = services.window_ensure(session=session_for(group))
    phone.goto(f"{live_server.url}/c/{waiting.code}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("This check-in has not opened yet")
    axe_check(phone)


def test_a_member_with_a_slip_checks_in_once(live_server, phone, axe_check, group):
    window = open_window(group)
    code = services.single_use_codes_issue(window=window, count=1)[0]
    phone.goto(f"{live_server.url}/c/{window.code}")
    axe_check(phone)
    phone.get_by_label("The code on your slip").fill(f"{code[:4]}-{code[4:]}".lower())
    answer(phone, WHO5_FAIR)
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert Response.objects.count() == 1


def test_a_facilitator_plans_a_check_in_and_prints_single_use_codes(live_server, page, axe_check, group):
    facilitator = group.facilitators.get()
    session = session_for(group)
    sign_in(page, live_server, facilitator)

    page.goto(f"{live_server.url}/checkins/sessions/{session.pk}/")
    expect(page.get_by_text("0 answers so far.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Hours open").fill("3")
    page.get_by_label("Open automatically when the session starts").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Check-in settings saved.")).to_be_visible()
    expect(page.get_by_text("It will not open by itself")).to_be_visible()

    page.get_by_label("How many codes to print").fill("6")
    page.get_by_role("button", name="Make codes to print").click()
    expect(page.locator(".slip")).to_have_count(6)
    axe_check(page)
    code = page.locator(".slip .code").first.inner_text()

    page.goto(f"{live_server.url}/checkins/sessions/{session.pk}/")
    page.get_by_role("button", name="Open the check-in now").click()
    window_code = page.locator(".code-large").inner_text()
    closes = CheckinWindow.objects.get(session=session)
    assert closes.closes_at - closes.opened_at == timedelta(hours=3)
    assert closes.mode == CheckinWindow.Mode.SINGLE_USE

    member = page.context.browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    member.goto(f"{live_server.url}/c/{window_code}")
    member.get_by_label("The code on your slip").fill(code)
    answer(member, WHO5_FAIR)
    member.get_by_role("button", name="Send my answers").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Thank you")
    member.context.close()

    page.goto(f"{live_server.url}/checkins/sessions/{session.pk}/")
    page.get_by_role("button", name="Close the check-in now").click()
    # Final, so it asks first: "Keep it open" goes back, "Close it now" closes.
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the check-in now?")
    axe_check(page)
    page.get_by_role("link", name="Keep it open").click()
    page.get_by_role("button", name="Close the check-in now").click()
    page.get_by_role("button", name="Close it now").click()
    expect(page.get_by_text("The check-in is closed. The code no longer works.")).to_be_visible()
    # Once closed, the count gives way to the results, which need k answers.
    expect(page.get_by_text("1 answer so far.")).to_have_count(0)
    axe_check(page)
    page.get_by_role("link", name="See this check-in's results").click()
    expect(page.get_by_text("being released")).to_be_visible()
    rollups.rollups_sweep()  # what beat's sweep does when no worker took the nudge
    page.reload()
    expect(page.get_by_text("Fewer than 5 members answered")).to_be_visible()
    axe_check(page)
