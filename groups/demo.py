"""Demo data for ``make run``: a group with a weekly series, some sessions past and
some to come. Idempotent: a second run finds the group and leaves it alone."""

from datetime import datetime, time, timedelta
from itertools import cycle

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from facilitator.models import User
from groups.models import Group, GroupFacilitator, Session, SessionSeries
from groups.recurrence import aware, local_occurrences, series_rule

DEMO_GROUP_NAME = "Demo: Tuesday evening group"
DEMO_TIMEZONE = "Europe/London"
DEMO_SESSIONS = 12
DEMO_PAST_SESSIONS = 4
# Headcounts for the past sessions: numbers only, as facilitators record them.
DEMO_HEADCOUNTS = (9, 7, 8, 6)


@transaction.atomic
def demo_group_ensure(*, owner: User) -> Group:
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Demo data is never created in production.")
    group = Group.objects.filter(name=DEMO_GROUP_NAME, facilitator_links__user=owner).first()
    if group is not None:
        return group
    group = Group.objects.create(
        name=DEMO_GROUP_NAME,
        member_label="Tuesday group",
        description="A peer-support group that meets on Tuesday evenings. Everyone is welcome to listen.",
        timezone=DEMO_TIMEZONE,
        meeting_mode=Group.MeetingMode.BOTH,
        location="Community centre, room 2",
        call_link="https://call.example/tuesday-group",
    )
    GroupFacilitator.objects.create(group=group, user=owner, role=GroupFacilitator.Role.OWNER)
    tz = group.tzinfo
    today = timezone.now().astimezone(tz).date()
    # Start so that the last DEMO_PAST_SESSIONS Tuesdays (this one included, if its
    # session is over) are in the past and the rest are to come.
    last_tuesday = today - timedelta(days=(today.weekday() - 1) % 7)
    first_day = last_tuesday - timedelta(weeks=DEMO_PAST_SESSIONS - 1)
    first_local = datetime.combine(first_day, time(19, 0))
    rule = series_rule(frequency=SessionSeries.Frequency.WEEKLY, count=DEMO_SESSIONS, first=first_day)
    series = SessionSeries.objects.create(
        group=group,
        frequency=SessionSeries.Frequency.WEEKLY,
        rrule=rule,
        first_date=first_day,
        start_time=first_local.time(),
        count=DEMO_SESSIONS,
    )
    now = timezone.now()
    past_counts = cycle(DEMO_HEADCOUNTS)
    sessions = []
    for local in local_occurrences(rule=rule, first_local_start=first_local):
        starts_at = aware(day=local.date(), at=local.time(), tz=tz)
        sessions.append(
            Session(
                group=group,
                series=series,
                starts_at=starts_at,
                duration_minutes=90,
                attendance=next(past_counts) if starts_at < now else None,
            )
        )
    Session.objects.bulk_create(sessions)
    return group
