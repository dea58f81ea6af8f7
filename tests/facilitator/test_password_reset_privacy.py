"""The password-reset form sends nothing to an address without an account, and does
the same work either way (the same page, the same queries, no mail sent while the
visitor waits): a stranger learns nothing about who has an account."""

import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from facilitator import services
from facilitator.models import PasswordResetRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The reset form's rate limits live in the shared cache (Redis in CI): start from zero.
    cache.clear()
    yield
    cache.clear()


def _ask(client, email: str, address: str = "10.0.0.1"):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("account_reset_password"), {"email": email}, REMOTE_ADDR=address)
    return response, [query["sql"] for query in queries.captured_queries]


def _shape(sql: list[str]) -> list[str]:
    """The statements without their values (an id or NULL, an address, a savepoint's name)."""
    return [re.sub(r"'[^']*'|\b\d+\b|\"s\d+_x\d+\"|\bNULL\b", "?", statement) for statement in sql]


def test_an_address_without_an_account_gets_no_mail_at_all(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response, _sql = _ask(client, "stranger@example.org")
    services.password_resets_send_waiting(older_than_minutes=0)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("account_reset_password_done")
    assert mail.outbox == []
    assert not PasswordResetRequest.objects.exists()


def test_an_account_gets_its_link_from_a_worker_never_while_the_visitor_waits(client):
    user = UserFactory(email="alice@example.org")
    response, _sql = _ask(client, "alice@example.org")
    assert response["Location"] == reverse("account_reset_password_done")
    assert mail.outbox == []  # nothing sent during the request
    request = PasswordResetRequest.objects.get()
    assert services.password_reset_send(request_id=request.pk)
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    link = re.search(r"https?://\S+(/accounts/password/reset/key/\S+/)", message.body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == HTTPStatus.OK and "new password" in page.content.decode().lower()
    # Done once: a second delivery of the same task sends nothing more.
    assert not services.password_reset_send(request_id=request.pk)
    assert len(mail.outbox) == 1
    assert user.email in message.to


def test_both_answers_are_the_same_page_after_the_same_work(client):
    UserFactory(email="alice@example.org")
    # Two visitors (each their own rate-limit counters), one address each.
    known, known_sql = _ask(client, "alice@example.org", address="10.0.0.1")
    unknown, unknown_sql = _ask(client, "stranger@example.org", address="10.0.0.2")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert _shape(known_sql) == _shape(unknown_sql)
    assert client.get(known["Location"]).content == client.get(unknown["Location"]).content


def test_the_request_row_holds_no_address(client):
    _ask(client, "stranger@example.org")
    fields = {field.name for field in PasswordResetRequest._meta.get_fields()}
    assert fields == {"id", "user", "created_at"}


def test_a_waiting_request_is_sent_by_the_sweep_when_the_broker_lost_it(client):
    UserFactory(email="alice@example.org")
    _ask(client, "alice@example.org")  # the on-commit publish never ran: as if lost
    assert services.password_resets_send_waiting(older_than_minutes=0) == 1
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]
    assert not PasswordResetRequest.objects.exists()


def test_the_reset_mail_says_nothing_of_the_topic(client):
    UserFactory(email="alice@example.org")
    _ask(client, "alice@example.org")
    services.password_resets_send_waiting(older_than_minutes=0)
    (message,) = mail.outbox
    for part in (message.subject, message.body):
        assert not {"trauma", "abuse", "recovery", "survivor"} & set(part.lower().split())
