"""A check-in to try on the demo site (``manage.py demo_setup``)."""

from django.utils import timezone

from groups.checkins import services
from groups.checkins.models import CheckinWindow
from groups.models import Group, Session


def demo_checkin_ensure(*, group: Group) -> CheckinWindow | None:
    """An open check-in for the demo group: the one already open, or the next
    scheduled session's, opened now. None when the group has no session to use."""
    now = timezone.now()
    open_window = CheckinWindow.objects.filter(
        session__group=group, opened_at__isnull=False, closed_at__isnull=True, closes_at__gt=now
    ).first()
    if open_window is not None:
        return open_window
    session = (
        Session.objects.filter(group=group, status=Session.Status.SCHEDULED, starts_at__gte=now)
        .exclude(checkin_window__opened_at__isnull=False)
        .order_by("starts_at")
        .first()
    )
    return services.window_open(session=session) if session is not None else None
