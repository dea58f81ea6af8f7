"""Factories for the people and things the tests need."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.utils import timezone

from facilitator.models import User
from groups.models import Group, GroupFacilitator, Session

TEST_PASSWORD = "a long test passphrase 4 tests"
# Every factory account's TOTP secret, so a test can compute the current code.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TEST_TOTP_SECRET, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (``offset`` periods later or earlier)."""
    counter = next(iter(yield_hotp_counters_from_time())) + app_settings.TOTP_TOLERANCE + offset
    return format_hotp_value(hotp_value(secret, counter))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("first_name")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """Accounts have TOTP by default, as the site requires; ``UserFactory(mfa=False)`` for none."""
        if create and extracted is not False:
            TOTP.activate(self, TEST_TOTP_SECRET)


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Tuesday group {n}")
    timezone = "Europe/London"
    meeting_mode = Group.MeetingMode.IN_PERSON
    location = "Community centre, room 2"

    @factory.post_generation
    def owner(self, create, extracted, **kwargs):
        if create and extracted:
            GroupFacilitator.objects.create(group=self, user=extracted, role=GroupFacilitator.Role.OWNER)

    @factory.post_generation
    def co_facilitators(self, create, extracted, **kwargs):
        for user in extracted or ():
            GroupFacilitator.objects.create(group=self, user=user, role=GroupFacilitator.Role.CO_FACILITATOR)


class SessionFactory(factory.django.DjangoModelFactory):
    """A session three days from now unless told otherwise."""

    class Meta:
        model = Session

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    duration_minutes = 90


# --- Reading library (content) ---------------------------------------------------


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "content.Source"
        django_get_or_create = ("slug",)

    title = "An article"
    slug = factory.Sequence(lambda n: f"source-{n}")
    credit_line = "From an unsigned article."


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "content.Theme"

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "content.Reading"
        skip_postgeneration_save = True

    source = factory.SubFactory(SourceFactory)
    title = factory.Sequence(lambda n: f"Reading {n}")
    slug = factory.Sequence(lambda n: f"reading-{n}")
    passage = "The cycle of abuse does not end when the abuser walks away."
    summary = "A short passage."
    content_note = "Mentions abuse."
    prompts = "What stays with you?\nWhat helps you?"
    position = factory.Sequence(lambda n: n)
    is_published = True

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class ReadingPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "content.ReadingPlan"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Plan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")

    @factory.post_generation
    def readings(self, create, extracted, **kwargs):
        for position, reading in enumerate(extracted or ()):
            self.items.create(reading=reading, position=position)


def sign_in_with_code(client, user):
    """Sign a test client in as a person does: the password, then the authenticator
    code (when the account has one). Fails the test unless it worked; the client."""
    from http import HTTPStatus

    from allauth.mfa.models import Authenticator
    from django.urls import reverse

    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == HTTPStatus.FOUND, response.status_code
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert response.status_code == HTTPStatus.FOUND, response.status_code
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def sign_in_to_set_up(client, user) -> None:
    """Sign ``user`` (an account without a second factor) in as its emailed setup link
    does: the only way such an account gets a session. The password alone is refused
    (tests/facilitator/test_password_is_never_enough.py)."""
    from django.urls import reverse

    from facilitator.models import Invitation, invitation_token_hash

    token = f"setup-{user.pk}-{timezone.now().timestamp()}"
    now = timezone.now()
    Invitation.objects.create(
        email=user.email,
        for_account=user,
        token_hash=invitation_token_hash(token),
        sent_at=now,
        expires_at=now + timedelta(hours=1),
    )
    response = client.post(reverse("invitation_accept", kwargs={"token": token}))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), response
