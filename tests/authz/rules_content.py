"""Who may use the reading library's pages.

Any signed-in facilitator or admin may browse the published library and the shared
reading plans. A session's readings belong to its group: its facilitators and admins
may change them, and a facilitator of another group gets a 404, so not even the
session's existence leaks. A plan may be changed only by its author or an admin.
"""

from groups.models import Session
from tests.authz import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    OK,
    REDIRECT,
    Rule,
    group_facilitators,
    per_role,
    signed_in,
)
from tests.factories import ReadingFactory, ReadingPlanFactory


def _arrange(world) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from content.models import Reading, SessionReading

    session = Session.objects.create(group=world.group, starts_at=timezone.now() + timedelta(days=3))
    # The library's own readings where it is loaded (the markup check walks a full site).
    reading = Reading.objects.filter(slug="the-push-and-pull").first() or ReadingFactory(
        slug="the-push-and-pull"
    )
    spare = Reading.objects.filter(slug="withdrawal").first() or ReadingFactory(slug="withdrawal")
    world.extra.update(
        session=session,
        reading=reading,
        spare=spare,
        assignment=SessionReading.objects.create(session=session, reading=reading, position=0),
        second=SessionReading.objects.create(session=session, reading=spare, position=1),
        plan=ReadingPlanFactory(created_by=world.users["owner"], readings=[reading, spare]),
    )


def _session(world):
    return {"session_id": world.extra["session"].pk}


def _assignment(world):
    return {"assignment_id": world.extra["assignment"].pk}


def _plan(world):
    return {"pk": world.extra["plan"].pk}


POST_ONLY = per_role(
    anonymous=LOGIN, owner=NOT_ALLOWED, cofacilitator=NOT_ALLOWED, outsider=NOT_ALLOWED, admin=NOT_ALLOWED
)
AUTHOR_OR_ADMIN_FORM = per_role(
    anonymous=LOGIN, owner=OK, cofacilitator=FORBIDDEN, outsider=FORBIDDEN, admin=OK
)
AUTHOR_OR_ADMIN_POST = per_role(
    anonymous=LOGIN, owner=REDIRECT, cofacilitator=FORBIDDEN, outsider=FORBIDDEN, admin=REDIRECT
)

RULES = [
    Rule("content:reading_list", signed_in(OK)),
    Rule("content:reading_list", signed_in(OK), data=lambda w: {"q": "cycle", "theme": "no-such-theme"}),
    Rule(
        "content:reading_detail",
        signed_in(OK),
        setup=_arrange,
        kwargs=lambda w: {"slug": "the-push-and-pull"},
    ),
    Rule("content:session_list", signed_in(OK), setup=_arrange),
    Rule("content:session_readings", group_facilitators(OK), setup=_arrange, kwargs=_session),
    Rule(
        "content:session_reading_add",
        group_facilitators(REDIRECT),
        setup=lambda w: (_arrange(w), w.extra["assignment"].delete()),
        kwargs=_session,
        method="post",
        data=lambda w: {"reading": w.extra["reading"].pk, "note": "Read it aloud together."},
    ),
    Rule("content:session_reading_add", POST_ONLY, setup=_arrange, kwargs=_session),
    Rule(
        "content:session_note_update",
        group_facilitators(REDIRECT),
        setup=_arrange,
        kwargs=_session,
        method="post",
        data=lambda w: {"text": "Bring the printed copies."},
    ),
    Rule("content:session_note_update", POST_ONLY, setup=_arrange, kwargs=_session),
    Rule("content:session_plan_apply", group_facilitators(OK), setup=_arrange, kwargs=_session),
    Rule(
        "content:session_plan_apply",
        group_facilitators(REDIRECT),
        setup=_arrange,
        kwargs=_session,
        method="post",
        data=lambda w: {"plan": w.extra["plan"].pk, "replace": "on"},
    ),
    Rule(
        "content:assignment_update",
        group_facilitators(REDIRECT),
        setup=_arrange,
        kwargs=_assignment,
        method="post",
        data=lambda w: {f"a{w.extra['assignment'].pk}-note": "Pause after the second paragraph."},
    ),
    Rule("content:assignment_update", POST_ONLY, setup=_arrange, kwargs=_assignment),
    Rule(
        "content:assignment_move",
        group_facilitators(REDIRECT),
        setup=_arrange,
        kwargs=_assignment,
        method="post",
        data=lambda w: {"direction": "down"},
    ),
    Rule("content:assignment_move", POST_ONLY, setup=_arrange, kwargs=_assignment),
    Rule(
        "content:assignment_remove",
        group_facilitators(REDIRECT),
        setup=_arrange,
        kwargs=_assignment,
        method="post",
    ),
    Rule("content:assignment_remove", POST_ONLY, setup=_arrange, kwargs=_assignment),
    Rule("content:plan_list", signed_in(OK), setup=_arrange),
    Rule("content:plan_create", signed_in(OK), setup=_arrange),
    Rule("content:plan_detail", signed_in(OK), setup=_arrange, kwargs=_plan),
    Rule("content:plan_edit", AUTHOR_OR_ADMIN_FORM, setup=_arrange, kwargs=_plan),
    Rule("content:plan_delete", AUTHOR_OR_ADMIN_POST, setup=_arrange, kwargs=_plan, method="post"),
    Rule("content:plan_delete", POST_ONLY, setup=_arrange, kwargs=_plan),
]
