"""Reads that cross a permission line. Views never filter by facilitator themselves."""

import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from time import monotonic

from django.conf import settings
from django.db import DatabaseError
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from facilitator.models import User
from groups.help_defaults import DEFAULT_EMERGENCY_NUMBERS, DEFAULT_HELP_RESOURCES
from groups.models import (
    AccessibilityStatement,
    FacilitatorPreference,
    Group,
    GroupFacilitator,
    HelpResource,
    Reminder,
    Session,
    SessionSeries,
)

logger = logging.getLogger(__name__)


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


# Every member page shows the helplines, so each process keeps them for a minute.
# Saving or deleting one (the admin, help_resources_add_defaults) forgets them in the
# process that saved; the others show the change within HELP_RESOURCES_TTL_SECONDS.
HELP_RESOURCES_TTL_SECONDS = 60
# country -> (when read, the helplines, what a member page shows of them)
_help_resources_kept: dict[str, tuple[float, list[HelpResource], tuple]] = {}


# The fields a copy of the helplines keeps (everything a member page shows).
_HELP_FIELDS = (
    "name",
    "phone",
    "text_line",
    "website",
    "hours",
    "country_code",
    "description",
    "order",
    "emergency",
)


def _help_copy_path() -> Path:
    return Path(settings.DATA_DIR) / "help_resources.json"


# What this process last found in (or wrote to) the copy on disk, per country: the
# file is touched only when the helplines change, not on every read of the database.
_help_copy_written: dict[str, list[dict]] = {}


def _help_copy_write(country: str, resources: list[HelpResource]) -> None:
    """Keep the helplines on this machine's disk too, for a process that starts while
    the database is down. Written only when they changed; a write that fails changes
    nothing (the built-in helplines are the last resort)."""
    rows = [{field: getattr(resource, field) for field in _HELP_FIELDS} for resource in resources]
    if _help_copy_written.get(country) == rows:
        return
    path = _help_copy_path()
    try:
        kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if kept.get(country) != rows:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps({**kept, country: rows}), encoding="utf-8")
            temporary.replace(path)
        _help_copy_written[country] = rows
    except (OSError, ValueError):
        logger.warning("could not keep a copy of the help resources on disk")


def _help_copy_read(country: str) -> list[HelpResource]:
    """The helplines without the database: this process's last copy, else the copy on
    disk, else the ones every deployment starts with."""
    kept = _help_resources_kept.get(country)
    if kept is not None:
        return kept[1]
    try:
        rows = json.loads(_help_copy_path().read_text(encoding="utf-8")).get(country)
    except (OSError, ValueError):
        rows = None
    if rows is None:
        rows = sorted(
            (
                row
                for row in [*DEFAULT_HELP_RESOURCES, *DEFAULT_EMERGENCY_NUMBERS]
                if row["country_code"] in (country, "")
            ),
            key=lambda row: (row["order"], row["name"]),
        )
    # Unsaved instances: the model's own defaults fill any field a row leaves out.
    return [HelpResource(**{field: row[field] for field in _HELP_FIELDS if field in row}) for row in rows]


def help_resources(*, country: str | None = None) -> list[HelpResource]:
    """The active helplines for this deployment's country, plus those available everywhere.

    Every member page shows them, error pages included: with the database down they
    come from the last copy (this process's, or the one on disk), never not at all."""
    country = (country or settings.HELP_COUNTRY).upper()
    kept = _help_resources_kept.get(country)
    if kept is not None and monotonic() - kept[0] < HELP_RESOURCES_TTL_SECONDS:
        return kept[1]
    try:
        resources = list(
            HelpResource.objects.filter(Q(country_code=country) | Q(country_code=""), active=True).order_by(
                "order", "name"
            )
        )
    except DatabaseError:
        return _help_copy_read(country)
    _help_resources_kept[country] = (monotonic(), resources, _help_shown(resources))
    _help_copy_write(country, resources)
    return resources


def _help_shown(resources: list[HelpResource]) -> tuple:
    return tuple(tuple(getattr(resource, field) for field in _HELP_FIELDS) for resource in resources)


def help_resources_shown(*, country: str | None = None) -> tuple:
    """Everything a member page shows of ``help_resources()``, as one value: equal
    whenever the pages would be (groups.pages keys the pages it keeps by it)."""
    resources = help_resources(country=country)
    kept = _help_resources_kept.get((country or settings.HELP_COUNTRY).upper())
    if kept is not None and kept[1] is resources:
        return kept[2]
    return _help_shown(resources)  # the copy read while the database is down


def help_resources_forget(**_signal_kwargs) -> None:
    """Drop this process's copy of the helplines (connected to HelpResource's saves)."""
    _help_resources_kept.clear()
    _help_copy_written.clear()


def group_for_user(*, user, group_id: int) -> Group:
    """A group this account may see, or 404: an outsider must not learn it exists."""
    return get_object_or_404(groups_visible_to(user=user), pk=group_id)


def group_is_owner(*, user, group: Group) -> bool:
    return GroupFacilitator.objects.filter(group=group, user=user, role=GroupFacilitator.Role.OWNER).exists()


def group_can_manage_facilitators(*, user, group: Group) -> bool:
    """The owner adds and removes co-facilitators (and archives); admins may too."""
    return user.is_staff or group_is_owner(user=user, group=group)


def session_for_user(*, user, session_id: int) -> Session:
    return get_object_or_404(
        Session.objects.filter(group__in=groups_visible_to(user=user)).select_related("group", "series"),
        pk=session_id,
    )


def series_for_user(*, user, series_id: int) -> SessionSeries:
    return get_object_or_404(
        SessionSeries.objects.filter(group__in=groups_visible_to(user=user)).select_related("group"),
        pk=series_id,
    )


def group_facilitator_links(*, group: Group) -> QuerySet[GroupFacilitator]:
    return group.facilitator_links.select_related("user").order_by("-role", "user__email")


def group_by_member_token(*, token: str) -> Group:
    """The group behind a member link. Archived groups' links stop working."""
    return get_object_or_404(Group, member_token=token, archived_at=None)


def sessions_upcoming(*, group: Group, now=None) -> QuerySet[Session]:
    """Sessions that have not ended, cancelled ones included (members must see them)."""
    now = now or timezone.now()
    return group.sessions.filter(starts_at__gt=now - timedelta(hours=12)).order_by("starts_at", "id")


def sessions_with_following(*, session: Session, following: bool) -> QuerySet[Session]:
    """The session itself, or (``following``) it and every later, not yet started
    session of its series: what a move or a cancellation "for this and later" touches."""
    if following and session.series_id:
        return Session.objects.filter(
            series_id=session.series_id, starts_at__gte=session.starts_at, starts_at__gt=timezone.now()
        )
    return Session.objects.filter(pk=session.pk)


def sessions_past(*, group: Group, now=None) -> QuerySet[Session]:
    """Sessions that have started, newest first, each with ``safety_signal``: its
    check-in's released safety signal ("raised", "clear"...), or None."""
    now = now or timezone.now()
    return (
        group.sessions.filter(starts_at__lte=now)
        .annotate(safety_signal=F("checkin_rollup__signal"))
        .order_by("-starts_at", "-id")
    )


def sessions_for_member_page(*, group: Group, now=None, limit: int = 12) -> list[Session]:
    now = now or timezone.now()
    # A session that started in the last three hours is still "today's" to a member.
    sessions = group.sessions.filter(starts_at__gte=now - timedelta(hours=3)).select_related("group")
    return list(sessions.order_by("starts_at", "id")[:limit])


@dataclass(frozen=True)
class HomeSession:
    session: Session
    needs_readings: bool
    checkin_off: bool

    @property
    def needs_preparing(self) -> bool:
        return self.needs_readings or self.checkin_off


@dataclass(frozen=True)
class FirstSteps:
    """Where a new facilitator has got to: shown on the home page until a session
    is planned. ``group`` is their first active group, if any."""

    group: Group | None


def first_steps(*, user) -> FirstSteps | None:
    """None once any of the user's active groups has a session: the home page's
    sessions and "still to prepare" then say what to do."""
    active = groups_for_facilitator(user=user).filter(archived_at=None)
    if Session.objects.filter(group__in=active).exists():
        return None
    return FirstSteps(group=active.order_by("created_at", "pk").first())


def home_for_facilitator(*, user, now=None, limit: int = 10) -> list[HomeSession]:
    """The next sessions across the user's active groups, each flagged with what still
    needs preparing: no reading assigned, or a check-in that will not open."""
    now = now or timezone.now()
    sessions = list(
        Session.objects.filter(
            group__in=groups_for_facilitator(user=user).filter(archived_at=None),
            status=Session.Status.SCHEDULED,
            starts_at__gt=now,
        )
        .select_related("group")
        .order_by("starts_at", "id")[:limit]
    )
    with_readings = set(
        Session.objects.filter(
            pk__in=[s.pk for s in sessions], reading_assignments__isnull=False
        ).values_list("pk", flat=True)
    )
    # Check-ins open on their own when a session starts, unless a facilitator turned
    # that off for the session and has not opened it by hand.
    checkin_off = set(
        Session.objects.filter(
            pk__in=[s.pk for s in sessions],
            checkin_window__open_automatically=False,
            checkin_window__opened_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    return [
        HomeSession(session=s, needs_readings=s.pk not in with_readings, checkin_off=s.pk in checkin_off)
        for s in sessions
    ]


def group_member_label(*, group: Group, sessions: list[Session]) -> str:
    """The member page's title: the group's neutral label, else "<weekday> group" from
    its next session, else just "Group"."""
    if group.member_label:
        return group.member_label
    upcoming = [s for s in sessions if not s.is_cancelled]
    if upcoming:
        return upcoming[0].neutral_label
    return group.neutral_label


def calendar_sessions_for_facilitator(*, user, now=None) -> QuerySet[Session]:
    """What a facilitator's private feed covers: their groups, from 90 days back."""
    now = now or timezone.now()
    return (
        Session.objects.filter(
            group__in=groups_for_facilitator(user=user), starts_at__gte=now - timedelta(days=90)
        )
        .select_related("group")
        .order_by("starts_at", "id")
    )


def calendar_sessions_for_members(*, group: Group, now=None) -> QuerySet[Session]:
    now = now or timezone.now()
    return (
        group.sessions.filter(starts_at__gte=now - timedelta(days=30))
        .select_related("group")
        .order_by("starts_at", "id")
    )


def facilitator_by_calendar_token(*, token: str):
    preference = get_object_or_404(
        FacilitatorPreference.objects.select_related("user"), calendar_token=token, user__is_active=True
    )
    return preference.user


def accessibility_statement() -> AccessibilityStatement:
    """The deployment's contact and check date (the defaults until an admin sets them)."""
    return AccessibilityStatement.objects.filter(pk=1).first() or AccessibilityStatement(pk=1)


# --- Reminders due ----------------------------------------------------------------

# Sessions read per query when finding due reminders.
REMINDER_CHUNK = 400


def reminders_due_chunks(now: datetime) -> Iterator[list[tuple[Session, User, datetime]]]:
    """(session, facilitator, due time) for every reminder due by ``now`` for a session
    that has not started, whether or not a row exists yet, a bounded number of
    sessions at a time (a long list of ids in one query is too much for SQLite)."""
    longest = timedelta(hours=168)
    sessions = (
        Session.objects.filter(
            status=Session.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + longest,
            group__archived_at=None,
        )
        .select_related("group")
        .order_by("starts_at", "id")
    )
    after: tuple[datetime, int] | None = None
    while True:
        page = sessions
        if after is not None:
            page = page.filter(Q(starts_at__gt=after[0]) | Q(starts_at=after[0], id__gt=after[1]))
        chunk = list(page[:REMINDER_CHUNK])
        if not chunk:
            return
        after = (chunk[-1].starts_at, chunk[-1].pk)
        links = defaultdict(list)
        for link in (
            GroupFacilitator.objects.filter(group_id__in={session.group_id for session in chunk})
            .select_related("user", "user__session_preferences")
            .order_by("group_id", "id")
        ):
            links[link.group_id].append(link.user)
        due = []
        for session in chunk:
            for user in links[session.group_id]:
                if not user.is_active:
                    continue
                preference = getattr(user, "session_preferences", None)
                enabled = preference.reminders_enabled if preference else True
                hours = preference.reminder_hours_before if preference else 24
                due_at = session.starts_at - timedelta(hours=hours)
                if enabled and due_at <= now:
                    due.append((session, user, due_at))
        if due:
            yield due


def reminders_unsettled_count(*, now: datetime, due_before: datetime) -> int:
    """How many reminders due before ``due_before`` are neither sent nor skipped: not
    yet tried, waiting to be tried again, or given up on after failing (until their
    session starts, a facilitator is still going without them)."""
    count = 0
    for due in reminders_due_chunks(now):
        due = [item for item in due if item[2] <= due_before]
        if not due:
            continue
        settled = set(
            Reminder.objects.filter(session_id__in={session.pk for session, _u, _d in due})
            .exclude(sent_at=None, skipped_at=None)
            .values_list("session_id", "user_id", "session_starts_at")
        )
        count += sum((session.pk, user.pk, session.starts_at) not in settled for session, user, _d in due)
    return count


def reminders_given_up_count(*, since: datetime) -> int:
    """How many reminders were given up on (every attempt failed) since ``since``."""
    return Reminder.objects.filter(failed_at__gte=since).count()
