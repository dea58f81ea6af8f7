"""A facilitator on a phone meets the safety signal where they look: the notice on the
home page, the guidance beside it, the results, and marking it seen."""

import re

import pytest
from playwright.sync_api import expect

from groups.checkins.demo import demo_trends_ensure
from groups.demo import demo_group_ensure
from tests.browser.helpers import sign_in
from tests.factories import UserFactory

# serialized_rollback: the instruments come from data migrations.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_facilitator_reads_the_notice_and_its_guidance_and_marks_it_seen(live_server, phone, axe_check):
    facilitator = UserFactory(email="dana@example.org", display_name="Dana")
    group = demo_group_ensure(owner=facilitator)
    demo_trends_ensure(group=group)  # one member of the latest session did not feel safe
    sign_in(phone, live_server, facilitator)

    phone.goto(f"{live_server.url}/")
    notice = phone.get_by_role("region", name="A member may not feel safe")
    expect(notice).to_contain_text("at least one member who checked in said they do not feel safe right now")
    guidance = notice.get_by_role("heading", name="Opening the next session")
    expect(guidance).to_be_hidden()
    notice.get_by_text(re.compile("^What to do")).tap()
    expect(guidance).to_be_visible()
    expect(notice.get_by_role("heading", name="Safeguarding contact")).to_be_visible()
    axe_check(phone)

    notice.get_by_role("link", name="See the results").tap()
    expect(phone.get_by_text("At least one member who checked in at this session said")).to_be_visible()
    axe_check(phone)
    phone.go_back()

    phone.get_by_role("button", name="Mark as seen").tap()
    expect(phone.get_by_text(re.compile("Marked as seen"))).to_be_visible()
    expect(phone.get_by_role("region", name="A member may not feel safe")).to_have_count(0)
    phone.goto(f"{live_server.url}/groups/{group.pk}/")
    expect(phone.get_by_role("region", name="A member may not feel safe")).to_have_count(0)
    expect(phone.get_by_role("link", name="A member said they did not feel safe")).to_be_visible()

    phone.goto(f"{live_server.url}/checkins/groups/{group.pk}/trends")
    table = phone.get_by_role("table", name=re.compile("WHO-5 wellbeing by session"))
    expect(table.get_by_text("Yes: at least one member")).to_have_count(1)
    axe_check(phone)
