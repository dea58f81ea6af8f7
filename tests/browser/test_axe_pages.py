"""axe-core on the pages no other browser test checks: the facilitator's group list, a
reading plan's edit form, the members' help page and an unknown member link, the
admin's reading list and change form, the admin's task list with overdue work, the
"too many attempts" page (429), and the member check-in pages that answer a
send which stored nothing: refused as cross-site (403), and with the help section
the form with errors, closed (410), not open and unknown (404)."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from content.models import Reading
from content.services import library_load
from groups.checkins import services
from groups.checkins.models import Response
from groups.services import help_resources_add_defaults
from tests.browser.helpers import sign_in
from tests.checkins.helpers import open_window, session_for
from tests.content.support import weekly_sessions
from tests.factories import AdminFactory, GroupFactory, ReadingPlanFactory, UserFactory

# serialized_rollback: keep the helplines the data migration loaded (see test_member.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_group_list_and_a_plans_edit_form_pass_axe(live_server, page, axe_check):
    library_load()
    owner = UserFactory(email="alice@example.org", display_name="Alice")
    group = GroupFactory(name="Tuesday group", owner=owner)
    GroupFactory(name="Thursday evening", owner=owner)
    weekly_sessions(group, 2)
    plan = ReadingPlanFactory(
        title="Two weeks on leaving",
        created_by=owner,
        readings=list(Reading.objects.filter(is_published=True).order_by("position")[:2]),
    )
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/groups/")
    expect(page.get_by_role("link", name="Tuesday group")).to_be_visible()
    axe_check(page)

    page.goto(f"{live_server.url}/library/plans/{plan.pk}/edit/")
    expect(page.get_by_label("Title")).to_have_value("Two weeks on leaving")
    axe_check(page)


def test_the_help_page_and_an_unknown_member_link_pass_axe_on_a_phone(live_server, phone, axe_check):
    help_resources_add_defaults()  # an earlier transactional test flushed the migration's rows

    phone.goto(f"{live_server.url}/help")
    expect(phone.get_by_role("link", name="Leave this site")).to_be_visible()
    axe_check(phone)

    response = phone.goto(f"{live_server.url}/g/not-a-real-token")
    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    axe_check(phone)


def test_the_admins_reading_list_and_change_form_pass_axe(live_server, page, axe_check):
    library_load()
    sign_in(page, live_server, AdminFactory(email="admin@example.org", display_name="Admin"))

    page.goto(f"{live_server.url}/admin/content/reading/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("reading")
    axe_check(page)

    reading = Reading.objects.get(slug="withdrawal")
    page.goto(f"{live_server.url}/admin/content/reading/{reading.pk}/change/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change reading")
    axe_check(page)


def test_the_admins_group_list_with_its_no_delete_hint_passes_axe(live_server, page, axe_check):
    GroupFactory(name="Tuesday group", owner=UserFactory())
    sign_in(page, live_server, AdminFactory(email="admin@example.org", display_name="Admin"))

    page.goto(f"{live_server.url}/admin/groups/group/")
    expect(page.locator(".no-delete-hint")).to_contain_text("archived, never deleted")
    expect(page.get_by_label("Action:")).not_to_contain_text("Delete")
    axe_check(page)


def test_the_admins_task_list_with_overdue_work_passes_axe(live_server, page, axe_check):
    from datetime import timedelta

    from django.utils import timezone

    from facilitator.models import TaskHeartbeat
    from facilitator.schedule import BEAT_SCHEDULE

    for entry in BEAT_SCHEDULE.values():
        TaskHeartbeat.objects.create(name=entry["task"], last_run_at=timezone.now(), runs=3)
    TaskHeartbeat.objects.filter(name="groups.tasks.reminders_sweep").update(
        last_run_at=timezone.now() - timedelta(hours=2)
    )
    sign_in(page, live_server, AdminFactory(email="admin@example.org", display_name="Admin"))

    page.goto(f"{live_server.url}/admin/facilitator/taskheartbeat/")
    expect(page.locator(".jobs-summary")).to_contain_text("Periodic tasks not running on time")
    axe_check(page)


def test_the_too_many_attempts_page_passes_axe(live_server, page, axe_check):
    # The page as allauth serves it after six posts to a reset link within five minutes
    # (the browser would need a valid form each time; the test client needs no token),
    # shown on the live server's origin so that its stylesheet loads.
    client = Client()
    url = "/accounts/password/reset/key/1-not-a-key/"
    for _ in range(6):
        response = client.post(url, {"password1": "first passphrase 1", "password2": "first passphrase 1"})
    assert response.status_code == 429
    page.goto(f"{live_server.url}/accounts/login/")
    page.set_content(response.content.decode())

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts")
    expect(page.locator("link[rel=stylesheet]").first).to_have_attribute("href", re.compile("^/static/"))
    axe_check(page)


# --- Member check-in pages that answer a send which stored nothing ------------------


# Another site, served by the test itself (the tests have no network).
ELSEWHERE = "http://elsewhere.example/form"


def _check_in_link(live_server, window) -> str:
    return f"{live_server.url}/c/{window.code}"


def _answer_unsafe_but_skip_one(phone) -> None:
    """Every question but the last WHO-5 one, saying "No" to feeling safe."""
    for index in range(1, 5):
        phone.locator(f"#id_who5__item{index}_1").check()
    phone.get_by_role("group", name=re.compile("pull to contact")).get_by_label("3", exact=True).check()
    phone.get_by_role("group", name=re.compile("connected do you feel")).get_by_label("3", exact=True).check()
    phone.get_by_role("group", name="Do you feel safe right now?").get_by_label("No", exact=True).check()


def _post_from_elsewhere(phone, url: str, fields: dict) -> None:
    """Send a form to ``url`` from a page of another site: the browser marks the post
    cross-site (Sec-Fetch-Site), as it would one a hostile page made it send."""
    inputs = "".join(f'<input type="hidden" name="{name}" value="{value}">' for name, value in fields.items())
    page = f'<title>Elsewhere</title><form method="post" action="{url}">{inputs}<button>Send</button></form>'
    phone.route(ELSEWHERE, lambda route: route.fulfill(content_type="text/html", body=page))
    phone.goto(ELSEWHERE)
    phone.get_by_role("button", name="Send").click()
    phone.unroute(ELSEWHERE)


def _post_form_to(phone, url: str) -> None:
    """Send the check-in form on this page to another check-in link, as a stale tab or
    a mistyped link would: same-site, so only the link decides the page."""
    phone.locator("form.checkin-form").evaluate("(form, url) => { form.action = url; }", url)
    phone.get_by_role("button", name="Send my answers").click()


def test_a_check_in_with_errors_and_the_help_section_passes_axe_on_a_phone(live_server, phone, axe_check):
    help_resources_add_defaults()
    window = open_window(GroupFactory(member_label="Tuesday group", owner=UserFactory()))

    phone.goto(_check_in_link(live_server, window))
    _answer_unsafe_but_skip_one(phone)
    phone.get_by_role("button", name="Send my answers").click()

    help_now = phone.locator(".help-now")
    expect(help_now).to_contain_text("It sounds like things are really hard right now")
    # The help takes focus and stays in sight at the top: focus is not moved down to
    # the error summary, whose links still lead to their questions.
    expect(help_now).to_be_focused()
    assert 0 <= help_now.bounding_box()["y"] < 740
    axe_check(phone)
    summary = phone.locator(".error-summary")
    summary.get_by_role("link", name=re.compile("My daily life has been filled")).click()
    expect(phone.locator("#id_who5__item5_0")).to_be_focused()
    expect(phone.locator("#id_who5__item5_0")).to_be_in_viewport()
    assert not Response.objects.exists()


def test_the_refused_closed_not_open_and_unknown_pages_with_the_help_section_pass_axe(
    live_server, phone, axe_check
):
    """Without the help section these pages are checked in test_checkin.py (closed, not
    open, unknown); the refused page (403) is checked here both ways."""
    help_resources_add_defaults()
    group = GroupFactory(member_label="Tuesday group", owner=UserFactory())
    window = open_window(group)
    link = _check_in_link(live_server, window)

    unsafe = {"program__safe": "no"}
    for fields, helped in (({"program__safe": "yes"}, 0), (unsafe, 1)):
        _post_from_elsewhere(phone, link, fields)
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            "Please send your answers from the check-in page"
        )
        help_now = expect(phone.locator(".help-now"))
        help_now.to_be_visible() if helped else help_now.to_be_hidden()
        axe_check(phone)

    waiting = services.window_ensure(session=session_for(group))
    for url, heading in (
        (_check_in_link(live_server, waiting), "This check-in has not opened yet"),
        (f"{live_server.url}/c/KKKKKK", "We could not find that check-in"),
    ):
        phone.goto(link)
        _answer_unsafe_but_skip_one(phone)
        _post_form_to(phone, url)
        expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
        expect(phone.locator(".help-now")).to_contain_text("It sounds like things are really hard right now")
        axe_check(phone)

    phone.goto(link)
    _answer_unsafe_but_skip_one(phone)
    services.window_close(window=window)
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("This check-in has closed")
    expect(phone.locator(".help-now")).to_contain_text("It sounds like things are really hard right now")
    assert phone.locator(".help-now").bounding_box()["y"] < 740  # above the fold of a phone
    axe_check(phone)
    assert not Response.objects.exists()


def test_the_error_pages_pass_axe_in_both_layouts(live_server, page, phone, axe_check):
    help_resources_add_defaults()
    response = phone.goto(f"{live_server.url}/c/ABCDEF/not-a-page")
    assert response.status == 404
    expect(phone.get_by_text("Nothing was saved.")).to_be_visible()
    expect(phone.get_by_role("link", name="Leave this site")).to_be_visible()
    axe_check(phone)

    sign_in(page, live_server, UserFactory(email="dana@example.org", display_name="Dana"))
    response = page.goto(f"{live_server.url}/groups/999999/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    axe_check(page)
