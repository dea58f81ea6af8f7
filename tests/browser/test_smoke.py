import re

import pytest
from playwright.sync_api import expect

from facilitator.demo import demo_accounts_ensure

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_facilitator_logs_in_and_sees_the_dashboard(live_server, page, axe_check):
    facilitator = next(login for login in demo_accounts_ensure() if login.role == "facilitator")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    axe_check(page)

    page.get_by_label("Email").fill(facilitator.email)
    page.get_by_label("Password").fill(facilitator.password)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Demo facilitator")
    expect(page.get_by_role("heading", name="Your groups")).to_be_visible()
    axe_check(page)
