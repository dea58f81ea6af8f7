from http import HTTPStatus

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from content.selectors import readings_for_sessions, session_notes_for_sessions
from facilitator import errors
from groups import calendar, selectors, services
from groups.checkins import instruments
from groups.checkins import selectors as checkin_selectors
from groups.forms import (
    AttendanceForm,
    CoFacilitatorForm,
    GroupForm,
    ReminderSettingsForm,
    SeriesExtendForm,
    SessionCancelForm,
    SessionMoveForm,
    SessionScheduleForm,
)
from groups.models import Group, Session
from groups.selectors import groups_visible_to


def member_page(
    request: HttpRequest, template_name: str, context: dict | None = None, *, status: int = HTTPStatus.OK
) -> HttpResponse:
    """Render a page in the member layout: never stored by the browser or a proxy, so
    Back after a quick exit and a shared device's cache show nothing."""
    return member_page_response(render(request, template_name, context or {}, status=status))


def member_page_response(response: HttpResponse) -> HttpResponse:
    """A member page's response (rendered for the request, or kept text from
    groups.pages), with what every member page sends."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    response.member_page = True  # groups.middleware leaves it as it is
    return response


def member_error_page(request: HttpRequest, status: int) -> HttpResponse:
    """The member layout's page for an error (groups.middleware): needs no database.

    A failed check-in send whose answers call for help shows the help section, read
    from the form's fields alone (the check-in could not even be looked up)."""
    heading, explanation = errors.page_words(status)
    signal = None
    if request.method == "POST" and request.path_info.startswith("/c/"):
        try:
            signal = instruments.safety_signal_from_fields(request.POST)
        except Exception:  # a send too big or malformed to read: no signal
            signal = None
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        explanation = _("The site cannot take answers for a moment.")
    context = {"heading": heading, "explanation": explanation, "signal": signal}
    return member_page(request, "member/error.html", context, status=status)


@require_GET
def member_help(request: HttpRequest) -> HttpResponse:
    return member_page(request, "member/help.html")


@require_GET
def member_safety(request: HttpRequest) -> HttpResponse:
    return member_page(request, "member/safety.html")


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: a member page (quick exit, no cookie), linked from
    the footer of every layout."""
    return member_page(
        request, "member/accessibility.html", {"statement": selectors.accessibility_statement()}
    )


# --- Facilitator pages ---------------------------------------------------------------


def _form_errors_from(exc: ValidationError, form) -> None:
    """Show a service's ValidationError on the form that was submitted."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@never_cache
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    groups = groups_visible_to(user=request.user)
    return render(request, "groups/group_list.html", {"groups": groups})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(owner=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Group created. Now add its sessions."))
            return redirect("groups:session_create", pk=group.pk)
    return render(request, "groups/group_form.html", {"form": form}, status=_status(form))


def _status(form) -> int:
    return HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else HTTPStatus.OK


@login_required
@never_cache
@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_for_user(user=request.user, group_id=pk)
    notices = checkin_selectors.signal_notices(user=request.user, group=group)
    context = {
        "group": group,
        "upcoming": selectors.sessions_upcoming(group=group),
        "past": selectors.sessions_past(group=group)[:20],
        "links": selectors.group_facilitator_links(group=group),
        "can_manage": selectors.group_can_manage_facilitators(user=request.user, group=group),
        "cofacilitator_form": CoFacilitatorForm(),
        "member_url": request.build_absolute_uri(reverse("groups:member_group", args=[group.member_token])),
        "member_feed_url": request.build_absolute_uri(
            reverse("groups:member_feed", args=[group.member_token])
        ),
        "signal_notices": notices,
        # Read only when there is something to put it beside.
        "guidance": checkin_selectors.safety_guidance() if notices else None,
    }
    return render(request, "groups/group_detail.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_for_user(user=request.user, group_id=pk)
    form = GroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(group=group, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Group details saved."))
            return redirect("groups:group_detail", pk=group.pk)
    return render(request, "groups/group_form.html", {"form": form, "group": group}, status=_status(form))


def _owner_only(request: HttpRequest, group: Group) -> None:
    if not selectors.group_can_manage_facilitators(user=request.user, group=group):
        raise PermissionDenied(_("Only the group's owner can do this."))


@login_required
@require_POST
def group_archive(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_for_user(user=request.user, group_id=pk)
    _owner_only(request, group)
    if request.POST.get("restore"):
        services.group_restore(group=group, actor=request.user)
        messages.success(request, _("Group restored. Its member link works again."))
    else:
        services.group_archive(group=group, actor=request.user)
        messages.success(request, _("Group archived. Its history is kept; its member link no longer works."))
    return redirect("groups:group_detail", pk=group.pk)


@login_required
@require_POST
def cofacilitator_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_for_user(user=request.user, group_id=pk)
    _owner_only(request, group)
    form = CoFacilitatorForm(request.POST)
    if form.is_valid():
        try:
            services.group_cofacilitator_add(
                group=group, actor=request.user, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Co-facilitator added."))
            return redirect("groups:group_detail", pk=group.pk)
    context = {
        "group": group,
        "upcoming": selectors.sessions_upcoming(group=group),
        "past": selectors.sessions_past(group=group)[:20],
        "links": selectors.group_facilitator_links(group=group),
        "can_manage": True,
        "cofacilitator_form": form,
        "member_url": request.build_absolute_uri(reverse("groups:member_group", args=[group.member_token])),
        "member_feed_url": request.build_absolute_uri(
            reverse("groups:member_feed", args=[group.member_token])
        ),
    }
    return render(request, "groups/group_detail.html", context, status=HTTPStatus.BAD_REQUEST)


@login_required
@require_POST
def cofacilitator_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    group = selectors.group_for_user(user=request.user, group_id=pk)
    _owner_only(request, group)
    if services.group_cofacilitator_remove(group=group, actor=request.user, user_id=user_id):
        messages.success(request, _("Co-facilitator removed."))
    else:
        messages.error(request, _("That person is not a co-facilitator of this group."))
    return redirect("groups:group_detail", pk=group.pk)


@login_required
@never_cache
@require_GET
def member_card(request: HttpRequest, pk: int) -> HttpResponse:
    """Cards to print and hand out: the member link as a QR code and as an address,
    under the group's neutral name only (a card may be found by anyone)."""
    group = selectors.group_for_user(user=request.user, group_id=pk)
    context: dict = {"group": group}
    if not group.is_archived:
        link = request.build_absolute_uri(reverse("groups:member_group", args=[group.member_token]))
        sessions = selectors.sessions_for_member_page(group=group)
        context |= {
            "member_url": link,
            "short_link": link.split("://", 1)[-1],
            # The name the members' own page shows: never the group's real name.
            "label": selectors.group_member_label(group=group, sessions=sessions),
            "qr_svg": segno.make(link, error="m").svg_inline(
                scale=6, border=2, omitsize=True, svgclass="qr", lineclass="qr-line"
            ),
            "cards": range(4),
        }
    return render(request, "groups/member_card.html", context)


@login_required
@require_POST
def member_token_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_for_user(user=request.user, group_id=pk)
    services.group_member_token_rotate(group=group, actor=request.user)
    messages.success(
        request, _("The member link has changed. The old link no longer works; share the new one.")
    )
    return redirect("groups:group_detail", pk=group.pk)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_for_user(user=request.user, group_id=pk)
    form = SessionScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.session_schedule(
                group=group,
                first_day=data["first_day"],
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
                frequency=data["frequency"] or None,
                count=data["count"] or 1,
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(
                request,
                ngettext("%(count)d session scheduled.", "%(count)d sessions scheduled.", len(created))
                % {"count": len(created)},
            )
            return redirect("groups:group_detail", pk=group.pk)
    return render(request, "groups/session_form.html", {"form": form, "group": group}, status=_status(form))


def _session_context(session: Session, **forms) -> dict:
    local = session.local_start
    return {
        "session": session,
        "group": session.group,
        "is_past": session.starts_at <= timezone.now(),
        "assignments": readings_for_sessions(sessions=[session], for_members=False).get(session.pk, []),
        "note": session_notes_for_sessions(sessions=[session]).get(session.pk, ""),
        "move_form": forms.get("move_form")
        or SessionMoveForm(
            initial={
                "new_day": local.date(),
                "new_time": local.time(),
                "duration_minutes": session.duration_minutes,
            }
        ),
        "cancel_form": forms.get("cancel_form") or SessionCancelForm(),
        "attendance_form": forms.get("attendance_form")
        or AttendanceForm(initial={"attendance": session.attendance}),
    }


@login_required
@never_cache
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_user(user=request.user, session_id=pk)
    return render(request, "groups/session_detail.html", _session_context(session))


@login_required
@require_POST
def session_move(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_user(user=request.user, session_id=pk)
    form = SessionMoveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.session_move(
                session=session,
                new_day=data["new_day"],
                new_time=data["new_time"],
                duration_minutes=data["duration_minutes"],
                scope=data["scope"],
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(
                request,
                ngettext("%(count)d session moved.", "%(count)d sessions moved.", moved) % {"count": moved},
            )
            return redirect("groups:session_detail", pk=session.pk)
    return render(
        request,
        "groups/session_detail.html",
        _session_context(session, move_form=form),
        status=HTTPStatus.BAD_REQUEST,
    )


def _series_context(series, **forms) -> dict:
    return {
        "series": series,
        "group": series.group,
        "sessions": list(series.sessions.order_by("starts_at", "id")),
        "now": timezone.now(),
        "extend_form": forms.get("extend_form") or SeriesExtendForm(initial={"seen": series.count}),
    }


@login_required
@never_cache
@require_GET
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every date of a series, with a way to skip each and to add more."""
    series = selectors.series_for_user(user=request.user, series_id=pk)
    return render(request, "groups/series_detail.html", _series_context(series))


@login_required
@require_POST
def series_extend(request: HttpRequest, pk: int) -> HttpResponse:
    series = selectors.series_for_user(user=request.user, series_id=pk)
    form = SeriesExtendForm(request.POST)
    if form.is_valid():
        try:
            added = services.series_extend(
                series=series, count=form.cleaned_data["count"], seen=form.cleaned_data["seen"]
            )
        except ValidationError as exc:
            if exc.code == services.ALREADY_ADDED:
                messages.info(request, " ".join(exc.messages))
                return redirect("groups:series_detail", pk=series.pk)
            _form_errors_from(exc, form)
        else:
            messages.success(
                request,
                ngettext("%(count)d session added.", "%(count)d sessions added.", len(added))
                % {"count": len(added)},
            )
            return redirect("groups:series_detail", pk=series.pk)
    return render(
        request,
        "groups/series_detail.html",
        _series_context(series, extend_form=form),
        status=HTTPStatus.BAD_REQUEST,
    )


def _back_to(session: Session, where: str) -> HttpResponse:
    """After cancelling: the series page the facilitator came from, or the session's."""
    if where == "series" and session.series_id:
        return redirect("groups:series_detail", pk=session.series_id)
    return redirect("groups:session_detail", pk=session.pk)


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_user(user=request.user, session_id=pk)
    back = request.POST.get("next", "")
    if request.POST.get("restore"):
        try:
            services.session_restore(session=session)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The session is back on."))
        return redirect("groups:session_detail", pk=session.pk)
    form = SessionCancelForm(request.POST)
    if form.is_valid() and request.POST.get("confirm") != "yes":
        # Ask first, on a page that says what will happen.
        scope = form.cleaned_data["scope"]
        following = list(
            selectors.sessions_with_following(session=session, following=scope == services.FOLLOWING)
            .filter(status=Session.Status.SCHEDULED)
            .order_by("starts_at")
        )
        context = {
            "session": session,
            "group": session.group,
            "scope": scope,
            "sessions": following,
            "next": "series" if back == "series" and session.series_id else "",
        }
        return render(request, "groups/session_cancel_confirm.html", context)
    if form.is_valid():
        try:
            cancelled = services.session_cancel(session=session, scope=form.cleaned_data["scope"])
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d session cancelled. Members see it as cancelled.",
                    "%(count)d sessions cancelled. Members see them as cancelled.",
                    cancelled,
                )
                % {"count": cancelled},
            )
            return _back_to(session, back)
    return render(
        request,
        "groups/session_detail.html",
        _session_context(session, cancel_form=form),
        status=HTTPStatus.BAD_REQUEST,
    )


@login_required
@require_POST
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_user(user=request.user, session_id=pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            services.session_attendance_record(session=session, headcount=form.cleaned_data["attendance"])
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Headcount saved."))
            return redirect("groups:session_detail", pk=session.pk)
    return render(
        request,
        "groups/session_detail.html",
        _session_context(session, attendance_form=form),
        status=HTTPStatus.BAD_REQUEST,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    preference = services.facilitator_preference_get(user=request.user)
    form = ReminderSettingsForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.facilitator_preference_update(
            user=request.user,
            reminders_enabled=form.cleaned_data["reminders_enabled"],
            reminder_hours_before=form.cleaned_data["reminder_hours_before"],
            details_by_mail=form.cleaned_data["details_by_mail"],
        )
        messages.success(request, _("Reminder settings saved."))
        return redirect("groups:reminder_settings")
    feed_url = request.build_absolute_uri(
        reverse("groups:facilitator_feed", args=[preference.calendar_token])
    )
    return render(
        request,
        "groups/reminder_settings.html",
        {"form": form, "feed_url": feed_url},
        status=_status(form),
    )


@login_required
@require_POST
def calendar_token_rotate(request: HttpRequest) -> HttpResponse:
    services.facilitator_calendar_token_rotate(user=request.user)
    messages.success(request, _("Your calendar link has changed. Subscribe again with the new link."))
    return redirect("groups:reminder_settings")


# --- Token-protected pages: members, and calendar apps ------------------------------


@require_GET
def member_group(request: HttpRequest, token: str) -> HttpResponse:
    try:
        group = selectors.group_by_member_token(token=token)
    except Http404:
        # A replaced or mistyped link: say so in the member layout (quick exit, help).
        return member_page(request, "member/link_unknown.html", status=HTTPStatus.NOT_FOUND)
    sessions = selectors.sessions_for_member_page(group=group)
    feed_path = reverse("groups:member_feed", args=[group.member_token])
    context = {
        "group": group,
        "label": selectors.group_member_label(group=group, sessions=sessions),
        "sessions": sessions,
        "readings_by_session": readings_for_sessions(sessions=[s for s in sessions if not s.is_cancelled]),
        "feed_url": request.build_absolute_uri(feed_path),
        "webcal_url": "webcal://" + request.get_host() + feed_path,
    }
    return member_page(request, "member/group.html", context)


def _ics(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    add_never_cache_headers(response)
    return response


@require_GET
def member_feed(request: HttpRequest, token: str) -> HttpResponse:
    group = selectors.group_by_member_token(token=token)
    return _ics(
        calendar.member_feed(group=group, sessions=selectors.calendar_sessions_for_members(group=group))
    )


@require_GET
def facilitator_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = selectors.facilitator_by_calendar_token(token=token)
    sessions = selectors.calendar_sessions_for_facilitator(user=user)
    return _ics(
        calendar.facilitator_feed(sessions=sessions, details=user.session_preferences.details_by_mail)
    )
