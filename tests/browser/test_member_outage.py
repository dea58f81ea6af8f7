"""The database goes down while a member has the check-in open: sending it answers a
page in the member layout, 503 with Retry-After, with the help resources, the quick
exit and the help section for a member who said they do not feel safe."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from groups.checkins.models import Response
from tests.checkins.helpers import open_window
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]
EXIT_URL = "https://weather.example/today"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_without_database(tmp_path):
    port, dead_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.settings_database_down",
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{dead_port}/nothing",
        "DATA_DIR": str(tmp_path),
        "QUICK_EXIT_URL": EXIT_URL,
    }
    log = (tmp_path / "web.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "facilitator.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(150):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_a_check_in_sent_while_the_database_is_down_gets_help_and_says_nothing_was_saved(
    live_server, phone, server_without_database, axe_check
):
    group = GroupFactory(member_label="Tuesday group", owner=UserFactory())
    window = open_window(group)
    # The form as the member loaded it a minute ago, before the database went down.
    form_page = Client().get(f"/c/{window.code}").content.decode()
    link = f"{server_without_database}/c/{window.code}"
    phone.route(
        link,
        lambda route: (
            route.fulfill(content_type="text/html", body=form_page)
            if route.request.method == "GET"
            else route.continue_()
        ),
    )
    phone.route(
        EXIT_URL, lambda route: route.fulfill(content_type="text/html", body="<title>Weather</title>")
    )
    phone.goto(link)
    safe = phone.get_by_role("group", name="Do you feel safe right now?")
    safe.get_by_text("No", exact=True).tap()

    with phone.expect_response(link) as sent:
        phone.get_by_role("button", name="Send my answers").tap()

    assert sent.value.status == 503
    assert int(sent.value.headers["retry-after"]) > 0
    expect(phone.get_by_role("heading", level=1)).to_have_text("The site is not available for a moment")
    expect(phone.get_by_text("Nothing was saved.")).to_be_visible()
    help_now = phone.locator(".help-now")
    expect(help_now).to_be_visible()
    expect(help_now).to_contain_text("It sounds like things are really hard right now")
    expect(help_now.get_by_role("link", name=re.compile("116 123"))).to_be_visible()
    axe_check(phone)
    assert not Response.objects.exists()

    phone.get_by_role("link", name="Leave this site").tap()
    expect(phone).to_have_url(EXIT_URL)


def test_the_group_page_while_the_database_is_down_is_a_member_page_with_help(phone, server_without_database):
    response = phone.goto(f"{server_without_database}/g/some-group-link")

    assert response.status == 503
    expect(phone.get_by_role("link", name="Leave this site")).to_be_visible()
    expect(phone.locator(".member-help")).to_contain_text("Samaritans")
    expect(phone.get_by_text("Nothing was saved.")).to_be_visible()
    # The help page needs nothing from the database: it still works.
    assert phone.goto(f"{server_without_database}/help").status == 200
