"""Helpers for the reading-library tests: sessions to assign readings to."""

from datetime import timedelta

from django.utils import timezone

from groups.models import Session


def weekly_sessions(group, count: int = 3, *, first_in_days: int = 2) -> list[Session]:
    start = timezone.now().replace(microsecond=0) + timedelta(days=first_in_days)
    return [
        Session.objects.create(group=group, starts_at=start + timedelta(weeks=week), duration_minutes=90)
        for week in range(count)
    ]
