"""People in fixed roles, after healthchecks' Alice, Bob and Charlie.

- ``owner``: the facilitator who owns ``group``
- ``cofacilitator``: co-facilitates ``group``
- ``outsider``: a facilitator of another group, who must see nothing of ``group``
- ``admin_user``: staff
- the anonymous member has no account: use the plain ``client``.

And the helpers every suite shares: ``login`` (a session without the sign-in
steps), ``sign_in_with_code`` (the real sign-in: password, then the authenticator
code) and ``wait_for`` (tests/waiting.py).
"""

import pytest

from tests import factories, waiting
from tests.factories import AdminFactory, GroupFactory, UserFactory


@pytest.fixture
def owner(db):
    return UserFactory(email="alice@example.org", display_name="Alice")


@pytest.fixture
def cofacilitator(db):
    return UserFactory(email="bob@example.org", display_name="Bob")


@pytest.fixture
def outsider(db):
    user = UserFactory(email="charlie@example.org", display_name="Charlie")
    GroupFactory(name="Charlie's group", owner=user)
    return user


@pytest.fixture
def admin_user(db):
    return AdminFactory(email="admin@example.org", display_name="Admin")


@pytest.fixture
def group(owner, cofacilitator):
    return GroupFactory(name="Tuesday group", owner=owner, co_facilitators=[cofacilitator])


@pytest.fixture
def login(client):
    """Log the test client in as a user (or stay anonymous for None)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.fixture
def sign_in_with_code():
    """``tests.factories.sign_in_with_code``: the password, then the authenticator code."""
    return factories.sign_in_with_code


@pytest.fixture
def wait_for():
    return waiting.wait_for


@pytest.fixture(autouse=True)
def _fresh_help_resources():
    """Each test reads the helplines its own database holds (they are kept per process)."""
    from groups.selectors import help_resources_forget

    help_resources_forget()
    yield
    help_resources_forget()
