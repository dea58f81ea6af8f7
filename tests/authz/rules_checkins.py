"""Who may reach the check-in pages.

Member pages (/c/…) are public: no account, and an account changes nothing.
The facilitator's window controls belong to the session's group: its owner and
co-facilitators, and admins; an outsider gets 404, so a session id leaks nothing.
"""

from tests.authz import NOT_ALLOWED, OK, REDIRECT, Rule, everyone, group_facilitators
from tests.checkins.helpers import open_window, session_for


def _open_window(world):
    world.extra["window"] = open_window(world.group)


def _session(world):
    world.extra["session"] = session_for(world.group)


def _session_kwargs(world):
    session = world.extra.get("session") or world.extra["window"].session
    return {"session_id": session.pk}


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
    Rule(
        "checkins:window_close",
        group_facilitators(REDIRECT),
        method="post",
        setup=_open_window,
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
]
