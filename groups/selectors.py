"""Reads that cross a permission line. Views never filter by facilitator themselves."""

from django.db.models import QuerySet

from groups.models import Group


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
