"""A facilitator reads the group's wellbeing trend: the chart, the table below it,
a pooled block and a suppressed session; an admin reads the program view. axe-core
on every page, and the trend page on a 360 px phone."""

import re

import pytest
from playwright.sync_api import expect

from groups.checkins import services
from groups.checkins.demo import demo_trends_ensure
from groups.checkins.models import ExportJob
from groups.demo import demo_group_ensure
from tests.browser.helpers import sign_in
from tests.factories import AdminFactory, UserFactory

# serialized_rollback: the instruments come from data migrations.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def history():
    facilitator = UserFactory(email="dana@example.org", display_name="Dana")
    group = demo_group_ensure(owner=facilitator)
    demo_trends_ensure(group=group)
    return facilitator, group


def test_a_facilitator_reads_the_chart_and_its_table(live_server, page, axe_check, history):
    facilitator, group = history
    sign_in(page, live_server, facilitator)
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    page.get_by_role("link", name="Wellbeing trends").click()
    # Until the stylesheet arrives both drawings are in the page; a person sees the
    # page only once it is styled (the stylesheet blocks rendering), so wait for load.
    page.wait_for_url(re.compile(r"/trends$"), wait_until="load")
    expect(page.get_by_role("heading", level=1)).to_contain_text("How Demo: Tuesday evening group is doing")

    chart = page.get_by_role("img", name="WHO-5 wellbeing over time")
    expect(chart).to_be_visible()
    expect(chart.locator("circle.line-who5")).to_have_count(10)  # 9 released sessions and 1 pooled block
    table = page.get_by_role("table", name=re.compile("WHO-5 wellbeing by session"))
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("Pooled block 1"))).to_contain_text("Released")
    expect(table.get_by_role("row", name=re.compile("Pooled block 3"))).to_contain_text("even pooled")
    expect(table.get_by_text(re.compile("too few even pooled in block 3"))).to_have_count(1)
    expect(table.get_by_text(re.compile("pooled into block 1"))).to_have_count(2)
    expect(table.get_by_text(re.compile("Suppressed: fewer than 5 answers"))).to_have_count(
        4
    )  # 3 sessions and block 3
    expect(page.get_by_role("img", name="Pull to contact and connection over time")).to_be_visible()
    axe_check(page)

    # By keyboard: tab to the pooled block's link and open it.
    link = table.get_by_role("link", name="Pooled block 1")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pooled block 1")
    expect(page.get_by_text("pooled here")).to_have_count(2)
    axe_check(page)


def test_the_trend_page_and_a_session_page_fit_a_phone(live_server, phone, axe_check, history):
    facilitator, group = history
    sign_in(phone, live_server, facilitator)
    phone.goto(f"{live_server.url}/checkins/groups/{group.pk}/trends")
    expect(phone.get_by_role("img", name="WHO-5 wellbeing over time")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    axe_check(phone)
    phone.get_by_role("table", name=re.compile("WHO-5 wellbeing by session")).get_by_role("link").last.click()
    expect(phone.get_by_role("heading", name="Scores")).to_be_visible()
    axe_check(phone)


def test_the_printable_report_and_the_program_view_pass_axe(live_server, page, axe_check, history):
    _facilitator, group = history
    admin = AdminFactory(email="ada@example.org")
    sign_in(page, live_server, admin)
    page.goto(f"{live_server.url}/checkins/groups/{group.pk}/trends/report")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wellbeing report")
    axe_check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Program trends").click()
    expect(page.get_by_role("table", name="WHO-5 mean by group and month")).to_contain_text(group.name)
    axe_check(page)
    page.get_by_role("button", name=re.compile("Export every group")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export of released results")
    expect(page.get_by_label("Progress")).to_be_visible()
    expect(page.get_by_role("link", name="Download the CSV")).to_be_hidden()
    axe_check(page)
    # A worker finishes the job; the page's own polling shows the download link.
    services.export_run(job_id=ExportJob.objects.get().pk)
    expect(page.get_by_role("link", name="Download the CSV")).to_be_visible()
    expect(page.get_by_text("Ready")).to_be_visible()
