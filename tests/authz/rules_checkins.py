"""Who may reach the check-in pages.

Member pages (/c/…) are public: no account, and an account changes nothing.
The facilitator's window controls belong to the session's group: its owner and
co-facilitators, and admins; an outsider gets 404, so a session id leaks nothing.
"""

from datetime import timedelta

from tests.authz import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    Rule,
    everyone,
    group_facilitators,
    per_role,
)
from tests.checkins.helpers import open_window, released_session, session_for


def _open_window(world):
    world.extra["window"] = open_window(world.group)


def _session(world):
    world.extra["session"] = session_for(world.group)


def _session_kwargs(world):
    session = world.extra.get("session") or world.extra["window"].session
    return {"session_id": session.pk}


def _released(world):
    world.extra["session"] = released_session(world.group, [{"comment": "A good week"}] * 5)


def _block(world):
    for week in range(4):
        released_session(world.group, [{}] * 2, starts_in=timedelta(days=7 * week))


def _raised(world):
    world.extra["session"] = released_session(world.group, [{"safe": "no"}] * 3, starts_in=timedelta(days=-7))


def _signal_kwargs(world):
    return {"kind": "session", "unit_id": world.extra["session"].checkin_rollup.pk}


def _comment_kwargs(world):
    return {"comment_id": world.extra["session"].checkin_rollup.comments.first().pk}


def _export_job(world):
    from groups.checkins import services

    job = services.export_request(actor=world.users["admin"])
    services.export_run(job_id=job.pk)
    world.extra["job"] = job


def _job_kwargs(world):
    return {"job_id": world.extra["job"].pk}


def _group_kwargs(world):
    return {"group_id": world.group.pk}


ADMINS_ONLY = per_role(
    anonymous=LOGIN, owner=FORBIDDEN, cofacilitator=FORBIDDEN, outsider=FORBIDDEN, admin=OK
)
# An export is its requester's alone: nobody else learns that it exists.
REQUESTER_ONLY = per_role(
    anonymous=LOGIN, owner=NOT_FOUND, cofacilitator=NOT_FOUND, outsider=NOT_FOUND, admin=OK
)

RULES = [
    Rule("checkins:enter", everyone(OK)),
    Rule(
        "checkins:checkin",
        everyone(OK),
        setup=_open_window,
        kwargs=lambda world: {"code": world.extra["window"].code},
    ),
    Rule(
        "checkins:checkin",
        everyone(NOT_ALLOWED),
        method="put",
        setup=_open_window,
        kwargs=lambda world: {"code": world.extra["window"].code},
    ),
    Rule("checkins:window_manage", group_facilitators(OK), setup=_session, kwargs=_session_kwargs),
    Rule("checkins:window_screen", group_facilitators(OK), setup=_open_window, kwargs=_session_kwargs),
    Rule("checkins:window_count", group_facilitators(OK), setup=_open_window, kwargs=_session_kwargs),
    Rule(
        "checkins:window_settings",
        group_facilitators(REDIRECT),
        method="post",
        setup=_session,
        kwargs=_session_kwargs,
        data=lambda world: {"mode": "browser", "open_automatically": "on", "hours_open": "24"},
    ),
    Rule(
        "checkins:window_open",
        group_facilitators(REDIRECT),
        method="post",
        setup=_session,
        kwargs=_session_kwargs,
    ),
    # The first press shows the page that asks; its "Close it now" closes.
    Rule(
        "checkins:window_close",
        group_facilitators(OK),
        method="post",
        setup=_open_window,
        kwargs=_session_kwargs,
    ),
    Rule(
        "checkins:window_close",
        group_facilitators(REDIRECT),
        method="post",
        setup=_open_window,
        kwargs=_session_kwargs,
        data=lambda world: {"confirm": "yes"},
    ),
    Rule(
        "checkins:window_review",
        group_facilitators(REDIRECT),
        method="post",
        setup=_session,
        kwargs=_session_kwargs,
        data=lambda world: {"decision": "confirm", "understood": "yes"},
    ),
    Rule(
        "checkins:window_review",
        group_facilitators(NOT_ALLOWED, outsider=NOT_ALLOWED),
        setup=_session,
        kwargs=_session_kwargs,
    ),
    Rule(
        "checkins:window_slips",
        group_facilitators(OK),
        method="post",
        setup=_open_window,
        kwargs=_session_kwargs,
        data=lambda world: {"count": "5"},
    ),
    Rule(
        "checkins:window_slips",
        group_facilitators(NOT_ALLOWED, outsider=NOT_ALLOWED),
        setup=_open_window,
        kwargs=_session_kwargs,
    ),
    Rule("checkins:session_results", group_facilitators(OK), setup=_released, kwargs=_session_kwargs),
    Rule("checkins:session_results", group_facilitators(OK), setup=_session, kwargs=_session_kwargs),
    Rule("checkins:trends_group", group_facilitators(OK), setup=_released, kwargs=_group_kwargs),
    Rule("checkins:trends_report", group_facilitators(OK), setup=_released, kwargs=_group_kwargs),
    Rule("checkins:trends_csv", group_facilitators(OK), setup=_released, kwargs=_group_kwargs),
    Rule(
        "checkins:block_results",
        group_facilitators(OK),
        setup=_block,
        kwargs=lambda world: {"group_id": world.group.pk, "number": 1},
    ),
    Rule(
        "checkins:comment_hide",
        group_facilitators(REDIRECT),
        method="post",
        setup=_released,
        kwargs=_comment_kwargs,
    ),
    Rule(
        "checkins:comment_hide",
        group_facilitators(NOT_ALLOWED, outsider=NOT_ALLOWED),
        setup=_released,
        kwargs=_comment_kwargs,
    ),
    Rule("checkins:trends_program", ADMINS_ONLY, setup=_released),
    # Guidance for anyone who facilitates; a signal is marked seen by the group's own
    # facilitators only (an admin, who gets no notice, has nothing to mark).
    Rule("checkins:safety_guidance", {**everyone(OK), "anonymous": LOGIN}, setup=_raised),
    Rule(
        "checkins:signal_seen",
        {**group_facilitators(REDIRECT), "admin": NOT_FOUND},
        method="post",
        setup=_raised,
        kwargs=_signal_kwargs,
    ),
    Rule(
        "checkins:signal_seen",
        {**group_facilitators(NOT_ALLOWED, outsider=NOT_ALLOWED), "anonymous": LOGIN},
        setup=_raised,
        kwargs=_signal_kwargs,
    ),
    Rule("checkins:export_start", {**ADMINS_ONLY, "admin": REDIRECT}, method="post"),
    Rule("checkins:export_status", REQUESTER_ONLY, setup=_export_job, kwargs=_job_kwargs),
    Rule("checkins:export_status_json", REQUESTER_ONLY, setup=_export_job, kwargs=_job_kwargs),
    Rule("checkins:export_download", REQUESTER_ONLY, setup=_export_job, kwargs=_job_kwargs),
]
