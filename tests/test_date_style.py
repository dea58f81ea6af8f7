"""One date and time style across the site, from one place: the format module
(facilitator/formats/en/formats.py), in the group's time zone. "Tue 8 Dec 2026, 19:00",
never "Dec. 8, 2026, 7 p.m." nor "7:51 p.m.." at the end of a sentence."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.formats import get_format

from groups.checkins import services as checkin_services
from groups.models import Session
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
NAMED = {
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
    "TIME_FORMAT",
}

# A <time datetime> attribute: ISO 8601 for machines, whole seconds (HTML's rule).
MACHINE = "Y-m-d\\TH:iO"


def _evening_session(owner, *, days: int = 2) -> Session:
    """A session at 19:00 in New York (midnight in UTC), ``days`` from now."""
    group = GroupFactory(name="Evening group", owner=owner, timezone="America/New_York")
    tz = ZoneInfo("America/New_York")
    day = (datetime.now(tz) + timedelta(days=days)).date()
    starts_at = datetime(day.year, day.month, day.day, 19, 0, tzinfo=tz)
    return Session.objects.create(group=group, starts_at=starts_at)


def test_the_style_comes_from_the_format_module():
    assert "facilitator.formats" in settings.FORMAT_MODULE_PATH
    assert get_format("DATETIME_FORMAT") == "D j M Y, H:i"
    assert get_format("TIME_FORMAT") == "H:i"


def test_every_template_names_its_format_instead_of_writing_one():
    literal = re.compile(r"\|(?:date|time):\"([^\"]*)\"")
    found = [
        (path.relative_to(ROOT).as_posix(), fmt)
        for path in (ROOT / "templates").rglob("*")
        if path.is_file()
        for fmt in literal.findall(path.read_text())
        if fmt not in NAMED | {MACHINE}
    ]
    assert found == []


def test_no_python_module_writes_its_own_date_format():
    found = [
        path.relative_to(ROOT).as_posix()
        for app in ("facilitator", "groups", "content")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and ".strftime(" in path.read_text()
    ]
    assert found == []


def test_the_check_in_page_says_the_session_time_in_the_groups_zone(client, owner):
    session = _evening_session(owner)
    checkin_services.window_ensure(session=session)
    window = checkin_services.window_open(session=session)
    client.force_login(owner)

    page = client.get(reverse("checkins:window_manage", args=[session.pk])).content.decode()

    local = session.starts_at.astimezone(ZoneInfo("America/New_York"))
    when = f"{local:%a} {local.day} {local:%b %Y}, 19:00"
    assert when in page
    closes = window.closes_at.astimezone(ZoneInfo("America/New_York"))
    assert f"Open until {closes:%a} {closes.day} {closes:%b %Y}, {closes:%H:%M}." in page
    assert "p.m." not in page and "a.m." not in page and ".." not in page.replace("...", "")


def test_the_member_page_and_the_reminder_use_the_same_style(client, owner, settings):
    from groups import services as group_services

    session = _evening_session(owner, days=1)
    local = session.starts_at.astimezone(ZoneInfo("America/New_York"))
    group = session.group

    page = client.get(reverse("groups:member_group", args=[group.member_token])).content.decode()
    assert f"{local:%a} {local.day} {local:%b %Y}, 19:00" in page

    group_services.reminders_send_due(now=session.starts_at - timedelta(hours=23))
    (message,) = mail.outbox
    assert f"{local:%a} {local.day} {local:%b %Y}, 19:00" in message.body
    assert f"{local:%a} {local.day} {local:%b}, 19:00" in message.subject


# Templates that format only dates that have no time zone (a DateField, a month).
DATE_ONLY = {"templates/member/accessibility.html", "templates/checkins/trends_program.html"}


def test_a_template_that_writes_a_time_says_which_zone_it_means():
    """Django's |date writes a datetime in the active zone (UTC outside a request's own
    choice), even one already converted: each template that writes one sets the group's."""
    missing = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "templates").rglob("*")
        if path.is_file() and '|date:"' in (text := path.read_text()) and "{% timezone" not in text
    ]
    assert sorted(missing) == sorted(DATE_ONLY)


def test_results_are_dated_on_the_groups_calendar(client, owner):
    from tests.checkins.helpers import released_session

    # 08:30 on a Wednesday in Auckland is still Tuesday in UTC.
    group = GroupFactory(name="Morning group", owner=owner, timezone="Pacific/Auckland")
    session = released_session(group, [{}] * 5, starts_in=timedelta(days=-7))
    tz = ZoneInfo("Pacific/Auckland")
    Session.objects.filter(pk=session.pk).update(
        starts_at=datetime(2026, 11, 25, 8, 30, tzinfo=tz)  # Wed 25 Nov there, Tue 24 Nov in UTC
    )
    client.force_login(owner)

    results = client.get(reverse("checkins:session_results", args=[session.pk])).content.decode()
    trends = client.get(reverse("checkins:trends_group", args=[group.pk])).content.decode()

    assert "Wed 25 Nov 2026" in results and "24 Nov" not in results
    assert "Wed 25 Nov 2026" in trends and "Tue 24 Nov" not in trends
