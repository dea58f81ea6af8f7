from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from content import selectors, services
from content.forms import (
    ApplyPlanForm,
    AssignmentNoteForm,
    AssignReadingForm,
    MoveForm,
    ReadingPlanForm,
    ReadingSearchForm,
    SessionNoteForm,
)
from groups.checkins.selectors import READING_OUTCOME_MIN_SESSIONS, reading_library_figure


@login_required
def reading_list(request: HttpRequest) -> HttpResponse:
    form = ReadingSearchForm(request.GET or None, themes=selectors.themes_in_use())
    query, theme = "", ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        theme = form.cleaned_data["theme"].slug if form.cleaned_data["theme"] else ""
    readings = selectors.published_readings(query=query, theme=theme)
    return render(
        request,
        "content/reading_list.html",
        {
            "form": form,
            "readings": readings,
            "query": query,
            "filtered": bool(query or theme),
            "sources": selectors.sources_in_use(),
        },
    )


@login_required
def reading_detail(request: HttpRequest, slug: str) -> HttpResponse:
    reading = selectors.published_reading_get(slug=slug)
    sessions = list(selectors.upcoming_sessions_for(user=request.user, limit=30))
    assigned = {
        session_id
        for session_id, assignments in selectors.readings_for_sessions(
            sessions=sessions, for_members=False
        ).items()
        if any(a.reading_id == reading.pk for a in assignments)
    }
    return render(
        request,
        "content/reading_detail.html",
        {
            "reading": reading,
            "sessions": [(session, session.pk in assigned) for session in sessions],
            "outcome": reading_library_figure(reading_id=reading.pk),
            "outcome_min_sessions": READING_OUTCOME_MIN_SESSIONS,
        },
    )


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = list(selectors.upcoming_sessions_for(user=request.user))
    readings = selectors.readings_for_sessions(sessions=sessions, for_members=False)
    rows = [(session, readings.get(session.pk, [])) for session in sessions]
    return render(request, "content/session_list.html", {"rows": rows})


def _session_page(request, session, *, assign_form=None, note_form=None, status=200) -> HttpResponse:
    assignments = selectors.readings_for_sessions(sessions=[session], for_members=False)[session.pk]
    assigned = {a.reading_id for a in assignments}
    available = selectors.published_readings().exclude(pk__in=assigned)
    return render(
        request,
        "content/session_readings.html",
        {
            "session": session,
            "assignments": [(a, AssignmentNoteForm(instance=a, prefix=f"a{a.pk}")) for a in assignments],
            "assign_form": assign_form or AssignReadingForm(readings=available),
            "plan_form": ApplyPlanForm(plans=selectors.plans_visible_to(user=request.user)),
            "member_view": selectors.readings_for_sessions(sessions=[session])[session.pk],
            "note_form": note_form or SessionNoteForm(instance=selectors.session_note(session=session)),
        },
        status=status,
    )


@login_required
def session_readings(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_for_facilitator(user=request.user, session_id=session_id)
    return _session_page(request, session)


@login_required
@require_POST
def session_reading_add(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_for_facilitator(user=request.user, session_id=session_id)
    form = AssignReadingForm(request.POST, readings=selectors.published_readings())
    if form.is_valid():
        try:
            services.session_reading_assign(
                session=session, reading=form.cleaned_data["reading"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error("reading", error)
        else:
            messages.success(request, _("Reading assigned."))
            return redirect("content:session_readings", session_id=session.pk)
    return _session_page(request, session, assign_form=form, status=400)


@login_required
@require_POST
def session_note_update(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_for_facilitator(user=request.user, session_id=session_id)
    form = SessionNoteForm(request.POST, instance=selectors.session_note(session=session))
    if form.is_valid():
        services.session_note_save(session=session, text=form.cleaned_data["text"])
        messages.success(request, _("Session note saved."))
        return redirect("content:session_readings", session_id=session.pk)
    return _session_page(request, session, note_form=form, status=400)


@login_required
@require_POST
def assignment_update(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.assignment_for_facilitator(user=request.user, assignment_id=assignment_id)
    form = AssignmentNoteForm(request.POST, instance=assignment, prefix=f"a{assignment.pk}")
    if form.is_valid():
        services.session_reading_note_update(assignment=assignment, note=form.cleaned_data["note"])
        messages.success(request, _("Note saved."))
    else:
        messages.error(
            request, _("The note could not be saved: %(errors)s") % {"errors": " ".join(form.errors["note"])}
        )
    return redirect(
        reverse("content:session_readings", kwargs={"session_id": assignment.session_id})
        + f"#a{assignment.pk}"
    )


@login_required
@require_POST
def assignment_move(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.assignment_for_facilitator(user=request.user, assignment_id=assignment_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.session_reading_move(assignment=assignment, offset=form.offset)
    return redirect(
        reverse("content:session_readings", kwargs={"session_id": assignment.session_id})
        + f"#a{assignment.pk}"
    )


@login_required
@require_POST
def assignment_remove(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.assignment_for_facilitator(user=request.user, assignment_id=assignment_id)
    session_id = assignment.session_id
    services.session_reading_remove(assignment=assignment)
    messages.success(request, _("Reading removed from this session."))
    return redirect("content:session_readings", session_id=session_id)


@login_required
@require_http_methods(["GET", "POST"])
def session_plan_apply(request: HttpRequest, session_id: int) -> HttpResponse:
    """Apply a plan to this session and the group's later scheduled sessions, in order."""
    session = selectors.session_for_facilitator(user=request.user, session_id=session_id)
    plans = selectors.plans_visible_to(user=request.user)
    form = ApplyPlanForm(request.POST or request.GET or None, plans=plans)
    sessions = selectors.sessions_from(session=session)
    preview = []
    if form.is_valid():
        sessions = selectors.sessions_from(session=session, same_series=form.cleaned_data["only_series"])
        plan = form.cleaned_data["plan"]
        if request.method == "POST":
            applied = services.reading_plan_apply(
                plan=plan, sessions=sessions, replace=form.cleaned_data["replace"]
            )
            messages.success(
                request,
                _("“%(plan)s” applied: %(count)s readings assigned.")
                % {"plan": plan.title, "count": len(applied.assigned)},
            )
            if applied.unused_readings:
                messages.info(
                    request,
                    _(
                        "%(count)s readings of the plan did not fit: "
                        "schedule more sessions and apply it again from there."
                    )
                    % {"count": applied.unused_readings},
                )
            return redirect("content:session_list")
        items = list(plan.items.select_related("reading").order_by("position", "id"))
        preview = [(s, items[i].reading if i < len(items) else None) for i, s in enumerate(sessions)]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "content/session_plan_apply.html",
        {"session": session, "form": form, "preview": preview, "sessions": sessions},
        status=status,
    )


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plans_visible_to(user=request.user)
    return render(request, "content/plan_list.html", {"plans": plans})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(selectors.plans_visible_to(user=request.user), pk=pk)
    return render(
        request,
        "content/plan_detail.html",
        {
            "plan": plan,
            "items": plan.items.select_related("reading").order_by("position", "id"),
            "can_edit": selectors.plan_can_edit(user=request.user, plan=plan),
            "sessions": selectors.upcoming_sessions_for(user=request.user, limit=30),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    form = ReadingPlanForm(request.POST or None, readings=selectors.published_readings())
    if request.method == "POST" and form.is_valid():
        plan = services.reading_plan_save(
            plan=None,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            readings=form.cleaned_data["sequence"],
            user=request.user,
        )
        messages.success(request, _("Plan created."))
        return redirect("content:plan_detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "content/plan_form.html", {"form": form, "plan": None}, status=status)


def _editable_plan(request, pk: int):
    plan = get_object_or_404(selectors.plans_visible_to(user=request.user), pk=pk)
    if not selectors.plan_can_edit(user=request.user, plan=plan):
        raise PermissionDenied(_("Only the plan's author or an admin may change it."))
    return plan


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    form = ReadingPlanForm(request.POST or None, readings=selectors.published_readings(), plan=plan)
    if request.method == "POST" and form.is_valid():
        services.reading_plan_save(
            plan=plan,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            readings=form.cleaned_data["sequence"],
            user=request.user,
        )
        messages.success(request, _("Plan saved."))
        return redirect("content:plan_detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "content/plan_form.html", {"form": form, "plan": plan}, status=status)


@login_required
@require_POST
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    services.reading_plan_delete(plan=plan)
    messages.success(request, _("Plan deleted. Readings already assigned from it stay assigned."))
    return redirect("content:plan_list")
