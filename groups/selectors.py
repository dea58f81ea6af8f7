"""Reads that cross a permission line. Views never filter by facilitator themselves."""

from django.conf import settings
from django.db.models import Q, QuerySet

from groups.models import Group, HelpResource


def groups_for_facilitator(*, user) -> QuerySet[Group]:
    """The groups this user facilitates (as owner or co-facilitator), active first."""
    if not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(facilitator_links__user=user).order_by("archived_at", "name", "id").distinct()


def groups_visible_to(*, user) -> QuerySet[Group]:
    """Every group an account may look at: its own, or all of them for an admin."""
    if not user.is_authenticated:
        return Group.objects.none()
    if user.is_staff:
        return Group.objects.all()
    return groups_for_facilitator(user=user)


def help_resources(*, country: str | None = None) -> list[HelpResource]:
    """The active helplines for this deployment's country, plus those available everywhere."""
    country = (country or settings.HELP_COUNTRY).upper()
    return list(
        HelpResource.objects.filter(Q(country_code=country) | Q(country_code=""), active=True).order_by(
            "order", "name"
        )
    )
