"""Factories for the people and things the tests need."""

import factory
from allauth.account.models import EmailAddress

from facilitator.models import User
from groups.models import Group, GroupFacilitator

TEST_PASSWORD = "a long test passphrase 4 tests"


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
