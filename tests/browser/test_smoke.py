import re

import pytest
from playwright.sync_api import expect

from facilitator.demo import demo_login

# serialized_rollback: keep the data migrations' rows for browser tests that run after this one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_demo_facilitator_logs_in_with_a_code_and_sees_the_dashboard(live_server, page, axe_check):
    facilitator = demo_login("facilitator")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    axe_check(page)

    page.get_by_label("Email").fill(facilitator.email)
    page.get_by_label("Password").fill(facilitator.password)
    page.get_by_role("button", name=re.compile("Sign in", re.IGNORECASE)).click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    axe_check(page)
    page.get_by_label(re.compile("code", re.IGNORECASE)).fill(facilitator.current_code())
    page.get_by_role("button", name=re.compile("Sign in", re.IGNORECASE)).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Demo facilitator")
    axe_check(page)
