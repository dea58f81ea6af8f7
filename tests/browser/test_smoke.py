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


def test_the_tab_icon_loads_and_nothing_a_page_asks_for_is_missing(live_server, page):
    failed = []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))

    page.goto(f"{live_server.url}/accounts/login/")
    icons = page.locator("link[rel=icon]")
    expect(icons).to_have_count(2)
    for href in icons.evaluate_all("links => links.map((link) => link.href)"):
        response = page.request.get(href)
        assert response.ok, href
        assert response.headers["content-type"].startswith("image/"), href
    # The address browsers try when a page names no icon leads to the same file.
    response = page.request.get(f"{live_server.url}/favicon.ico")
    assert response.ok and response.url.endswith("/static/facilitator/favicon.ico")
    assert response.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert failed == []
