"""What the browser tests share."""

from django.test import Client


def sign_in(page, live_server, user) -> None:
    """Reuse a server-side login: the sign-in form and its second factor are tested
    elsewhere (test_accounts.py)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
