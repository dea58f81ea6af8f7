from datetime import timedelta

from django.utils import timezone

from groups.models import Session
from groups.services import facilitator_preference_get
from tests.authz import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    Rule,
    World,
    everyone,
    group_facilitators,
    per_role,
    signed_in,
)


def _group(world: World) -> dict:
    return {"pk": world.group.pk}


def _future_session(world: World) -> None:
    world.extra["session"] = Session.objects.create(
        group=world.group, starts_at=timezone.now() + timedelta(days=3), duration_minutes=90
    )


def _past_session(world: World) -> None:
    world.extra["session"] = Session.objects.create(
        group=world.group, starts_at=timezone.now() - timedelta(days=1), duration_minutes=90
    )


def _series(world: World) -> None:
    from datetime import time

    from groups.models import SessionSeries
    from groups.services import session_schedule

    first = (timezone.now() + timedelta(days=3)).astimezone(world.group.tzinfo).date()
    sessions = session_schedule(
        group=world.group,
        first_day=first,
        start_time=time(19, 0),
        duration_minutes=90,
        frequency=SessionSeries.Frequency.WEEKLY,
        count=2,
    )
    world.extra["series"] = sessions[0].series


def _series_pk(world: World) -> dict:
    return {"pk": world.extra["series"].pk}


def _session(world: World) -> dict:
    return {"pk": world.extra["session"].pk}


def _move_data(world: World) -> dict:
    local = world.extra["session"].local_start + timedelta(days=1)
    return {
        "move-new_day": local.date().isoformat(),
        "move-new_time": "18:30",
        "move-duration_minutes": 60,
        "move-scope": "one",
    }


def _owner_only(outcome: str) -> dict:
    """The owner (and admins) may; a co-facilitator is refused; outsiders learn nothing."""
    return per_role(
        anonymous=LOGIN, owner=outcome, cofacilitator=FORBIDDEN, outsider=NOT_FOUND, admin=outcome
    )


def _owner_token(world: World) -> dict:
    return {"token": facilitator_preference_get(user=world.users["owner"]).calendar_token}


RULES = [
    # Facilitator pages.
    Rule("groups:group_list", signed_in(OK)),
    Rule("groups:group_create", signed_in(OK)),
    Rule(
        "groups:group_create",
        signed_in(REDIRECT),
        method="post",
        data=lambda world: {
            "name": "New group",
            "timezone": "Europe/London",
            "meeting_mode": "online",
            "call_link": "https://call.example/room",
        },
    ),
    Rule("groups:group_detail", group_facilitators(OK), kwargs=_group),
    Rule("groups:group_edit", group_facilitators(OK), kwargs=_group),
    Rule("groups:group_archive", _owner_only(REDIRECT), kwargs=_group, method="post"),
    Rule(
        "groups:group_archive",
        per_role(
            anonymous=LOGIN,
            owner=NOT_ALLOWED,
            cofacilitator=NOT_ALLOWED,
            outsider=NOT_ALLOWED,
            admin=NOT_ALLOWED,
        ),
        kwargs=_group,
    ),
    Rule(
        "groups:cofacilitator_add",
        _owner_only(REDIRECT),
        kwargs=_group,
        method="post",
        data=lambda world: {"email": world.users["admin"].email},
    ),
    Rule(
        "groups:cofacilitator_remove",
        _owner_only(REDIRECT),
        kwargs=lambda world: {"pk": world.group.pk, "user_id": world.users["cofacilitator"].pk},
        method="post",
    ),
    Rule("groups:member_card", group_facilitators(OK), kwargs=_group),
    Rule("groups:member_token_rotate", group_facilitators(REDIRECT), kwargs=_group, method="post"),
    Rule("groups:session_create", group_facilitators(OK), kwargs=_group),
    Rule("groups:session_detail", group_facilitators(OK), kwargs=_session, setup=_future_session),
    Rule(
        "groups:session_move",
        group_facilitators(REDIRECT),
        kwargs=_session,
        setup=_future_session,
        method="post",
        data=_move_data,
    ),
    # The first press shows the page that asks; its button cancels.
    Rule(
        "groups:session_cancel",
        group_facilitators(OK),
        kwargs=_session,
        setup=_future_session,
        method="post",
        data=lambda world: {"cancel-scope": "one"},
    ),
    Rule(
        "groups:session_cancel",
        group_facilitators(REDIRECT),
        kwargs=_session,
        setup=_future_session,
        method="post",
        data=lambda world: {"cancel-scope": "one", "confirm": "yes"},
    ),
    Rule("groups:series_detail", group_facilitators(OK), kwargs=_series_pk, setup=_series),
    Rule(
        "groups:series_extend",
        group_facilitators(REDIRECT),
        kwargs=_series_pk,
        setup=_series,
        method="post",
        data=lambda world: {"count": 2, "seen": world.extra["series"].count},
    ),
    Rule(
        "groups:session_attendance",
        group_facilitators(REDIRECT),
        kwargs=_session,
        setup=_past_session,
        method="post",
        data=lambda world: {"attendance": 7},
    ),
    Rule("groups:reminder_settings", signed_in(OK)),
    Rule("groups:calendar_token_rotate", signed_in(REDIRECT), method="post"),
    # The owner's private feed: the secret token is the credential, whoever asks.
    Rule("groups:facilitator_feed", everyone(OK), kwargs=_owner_token),
    Rule("groups:facilitator_feed", everyone(NOT_FOUND), kwargs=lambda world: {"token": "not-a-real-token"}),
    # Member pages: public, no account; the token in the link is all that is needed.
    Rule("groups:member_group", everyone(OK), kwargs=lambda world: {"token": world.group.member_token}),
    Rule("groups:member_group", everyone(NOT_FOUND), kwargs=lambda world: {"token": "not-a-real-token"}),
    Rule("groups:member_feed", everyone(OK), kwargs=lambda world: {"token": world.group.member_token}),
    Rule("groups:member_help", everyone(OK)),
    Rule("groups:member_safety", everyone(OK)),
    Rule("groups:accessibility", everyone(OK)),
]
