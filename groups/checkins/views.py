"""Wiring for the member check-in (/c/…) and the facilitator's window controls.

Member views never read or write ``request.session``, never log, and set one cookie
only: a signed, browser-session marker of the windows this browser has answered.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from groups import pages
from groups.checkins import charts, exports, instruments, retention, rollups, selectors, services
from groups.checkins.forms import CheckinForm, CodeForm, SlipCountForm, WindowSettingsForm, checkin_read
from groups.checkins.models import CheckinWindow, new_send_key
from groups.selectors import group_for_user, groups_visible_to
from groups.views import member_page, member_page_response

logger = logging.getLogger(__name__)

MARKER_COOKIE = "cd"
MARKER_SALT = "checkins.marker"
MARKER_KEEP = 20


# --- Member pages -----------------------------------------------------------------


def _answered_windows(request: HttpRequest) -> list[int]:
    raw = request.get_signed_cookie(MARKER_COOKIE, default="", salt=MARKER_SALT)
    return [int(part) for part in raw.split(".") if part.isdigit()]


def _mark_answered(response: HttpResponse, request: HttpRequest, window: CheckinWindow) -> None:
    answered = [*_answered_windows(request), window.pk][-MARKER_KEEP:]
    # No max_age and no expires: the cookie ends with the browser session.
    response.set_signed_cookie(
        MARKER_COOKIE,
        ".".join(str(pk) for pk in answered),
        salt=MARKER_SALT,
        path="/c/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _member(request, template, context=None, status=HTTPStatus.OK) -> HttpResponse:
    response = member_page(request, template, context)
    response.status_code = status
    return response


def _kept(template: str, values: dict, status=HTTPStatus.OK, build=None, fill=None) -> HttpResponse:
    """A member page made from plain values, rendered once and then kept (groups.pages)."""
    text = pages.page_text(template, values, build, fill=fill)
    return member_page_response(HttpResponse(text, status=status))


@require_safe
def checkin_enter(request: HttpRequest) -> HttpResponse:
    """Type the code from the screen (for those who did not scan the QR code)."""
    form = CodeForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return redirect("checkins:checkin", code=form.cleaned_data["code"])
    return _member(request, "checkins/checkin_enter.html", {"form": form})


def _cross_site(request: HttpRequest) -> bool:
    # Fetch metadata, sent by every current browser: refuse a post that another site
    # made this browser send. Absent (older browsers, scripts) is allowed: the form
    # needs no account, so anyone could post it directly anyway.
    return request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}


def _post_signal(request: HttpRequest, form: CheckinForm | None) -> instruments.SafetySignal | None:
    """What a POST's answers say about the member's safety, by the rule the thank-you
    page uses (``CheckinForm.safety_signal``), or None for any other request."""
    if request.method != "POST":
        return None
    if form is None:
        versions = instruments.current_versions()
        if not versions:
            return None
        # The readings item never counts towards the signal: the session's readings
        # are not needed (and on some of these pages there is no session).
        form = CheckinForm(request.POST, versions=versions, readings=[])
    return form.safety_signal()


# A page answering a check-in that stored nothing (or a GET of the same page): a member
# who said they do not feel safe, or whose WHO-5 is very low, sees the help section at
# the top of the page even though the answer was refused or incomplete. The signal
# lives in this response only: no redirect, cookie or log line carries it, and the
# kept page it picks is one of three that every member is served alike.


def _notice(
    request: HttpRequest,
    template: str,
    values: dict,
    status=HTTPStatus.OK,
    *,
    form: CheckinForm | None = None,
    fill: dict | None = None,
) -> HttpResponse:
    return _kept(template, {**values, "signal": _post_signal(request, form)}, status, fill=fill)


def _form_again(
    request: HttpRequest, context: dict, status=HTTPStatus.OK, *, form: CheckinForm
) -> HttpResponse:
    """The form with the member's answers and what needs another look: rendered for
    this response, never kept (it holds what the member typed)."""
    context = {**context, "send_key": context["form"].key_to_send(), "signal": _post_signal(request, form)}
    return _member(request, "checkins/checkin_form.html", context, status)


# What a code that takes no answers says; the three names have the same length.
UNKNOWN, CLOSED, NOT_OPEN = "unknown", "elapsed", "pending"


def _unavailable(request: HttpRequest, state: str, *, form: CheckinForm | None = None) -> HttpResponse:
    return _notice(
        request, "checkins/checkin_unavailable.html", {"state": state}, HTTPStatus.NOT_FOUND, form=form
    )


# Not Django's CSRF check: member pages send no referrer (<meta name="referrer"
# content="no-referrer">), so browsers post with "Origin: null", which that check
# refuses; and its token would need a cookie on the member's phone. The form carries
# no account's authority; _cross_site stops other sites posting through a browser.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def checkin(request: HttpRequest, code: str) -> HttpResponse:
    if request.method == "POST" and _cross_site(request):
        # Refused, but a browser that posted from a copy of the form elsewhere (a
        # translation proxy, say) may still carry a member's "I do not feel safe".
        return _notice(request, "checkins/checkin_refused.html", {}, HTTPStatus.FORBIDDEN)
    found = selectors.checkin_for_code(code=services.normalise_code(code))
    # Unknown, closed and not yet open answer alike (status, headers, length, queries):
    # only the words differ, by a class of the same length. A guesser learns nothing
    # about which codes exist.
    if found.state == found.UNKNOWN:
        return _unavailable(request, UNKNOWN)
    if found.state == found.NOT_OPEN:
        return _unavailable(request, NOT_OPEN)
    window, readings = found.window, found.readings
    if window is None or window.has_expired(timezone.now()):  # closed, or past its time
        return _unavailable(request, CLOSED)
    label = window.session.group.neutral_label
    single_use = window.mode == CheckinWindow.Mode.SINGLE_USE
    if not single_use and window.pk in _answered_windows(request):
        status = HTTPStatus.CONFLICT if request.method == "POST" else HTTPStatus.OK
        return _notice(request, "checkins/checkin_already.html", {}, status, fill={"label": label})

    versions, versions_rows = instruments.current_versions_read()
    if not versions:
        # Every instrument switched off in the admin: nothing to ask, so nothing to store
        # (and no answer to read a signal from).
        return _kept("checkins/checkin_unavailable.html", {"state": NOT_OPEN}, HTTPStatus.SERVICE_UNAVAILABLE)
    if request.method != "POST":
        values = {"single_use": single_use, "versions": versions_rows, "readings": readings}
        # A new key for every copy of the form: the same copy sent twice is stored once.
        return _kept(
            "checkins/checkin_form.html",
            values,
            build=lambda: {"form": CheckinForm(versions=versions, readings=readings, single_use=single_use)},
            fill={"label": label, "send_key": new_send_key()},
        )

    def form_read() -> CheckinForm:
        form = CheckinForm(request.POST, versions=versions, readings=readings, single_use=single_use)
        form.is_valid()
        return form

    # Almost every send is plainly valid and read without building the form; the form
    # reads any other, and says what needs another look.
    sent = checkin_read(request.POST, versions=versions, readings=readings, single_use=single_use)
    form = None
    if sent is None:
        form = form_read()
        if not form.is_valid():
            return _form_again(request, {"label": label, "form": form}, form=form)
        sent = form.sent()
    try:
        signal = services.checkin_submit(
            window=window, submission=sent.submission, slip_code=sent.slip_code, send_key=sent.send_key
        )
    except ValueError:
        # The form and the service's last guard disagree (an instrument edited mid-way):
        # store nothing, keep the answers, and ask the member to send them again. The
        # signal from the answers as the member sent them, checked by the form they
        # answered; the form shown is built from the instruments as they are now.
        logger.warning("check-in refused by the last guard")
        context = {
            "label": label,
            "refusal": _(
                "Something in the form changed while you were answering. Please check and send again."
            ),
            "form": CheckinForm(
                request.POST,
                versions=instruments.current_versions(),
                readings=selectors.session_readings(session=window.session),
                single_use=single_use,
            ),
        }
        return _form_again(request, context, HTTPStatus.CONFLICT, form=form or form_read())
    except services.CheckinRefused as refused:
        # Refused by the window (closed, busy, full, a slip's code): the page that says
        # so needs the form, for the answers to show again and for the signal.
        form = form or form_read()
        if refused.reason == services.CheckinRefused.CLOSED:
            return _unavailable(request, CLOSED, form=form)
        context = {"label": label, "form": form}
        if refused.reason == services.CheckinRefused.SLIP:
            form.add_error("slip_code", refused.message)
            return _form_again(request, context, HTTPStatus.BAD_REQUEST, form=form)
        status = HTTPStatus.TOO_MANY_REQUESTS if refused.reason == refused.BUSY else HTTPStatus.CONFLICT
        context["refusal"] = refused.message
        return _form_again(request, context, status, form=form)
    # The thank-you page is this response: no redirect, so nothing about the answer
    # (not even "needs help") travels in a URL, the history or a cookie. It is one of
    # three kept pages (by the help state), the same for every member, the group's
    # label filled in.
    response = _kept("checkins/checkin_thanks.html", {"signal": signal}, fill={"label": label})
    if not single_use:
        _mark_answered(response, request, window)
    return response


# --- Facilitator pages ------------------------------------------------------------


def _session_for(request: HttpRequest, session_id: int):
    return get_object_or_404(selectors.sessions_manageable_by(user=request.user), pk=session_id)


def _member_link(request: HttpRequest, window: CheckinWindow) -> str:
    return request.build_absolute_uri(reverse("checkins:checkin", kwargs={"code": window.code}))


@login_required
@never_cache
@require_GET
def window_manage(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for(request, session_id)
    window = selectors.window_for_session(session=session)
    context = {
        "session": session,
        "window": window,
        "count": selectors.answers_count(session=session),
        "present": session.attendance,
        "settings_form": WindowSettingsForm(instance=window) if not (window and window.opened_at) else None,
        "slip_form": SlipCountForm() if not (window and window.is_closed) else None,
        "link": _member_link(request, window) if window else "",
    }
    return render(request, "checkins/window_manage.html", context)


@login_required
@require_POST
def window_settings(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for(request, session_id)
    window = services.window_ensure(session=session)
    form = WindowSettingsForm(request.POST, instance=window)
    if form.is_valid():
        try:
            services.window_settings_update(window=window, actor=request.user, **form.cleaned_data)
        except services.WindowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Check-in settings saved."))
        return redirect("checkins:window_manage", session_id=session.pk)
    context = {
        "session": session,
        "window": window,
        "count": selectors.answers_count(session=session),
        "present": session.attendance,
        "settings_form": form,
        "slip_form": SlipCountForm(),
        "link": _member_link(request, window),
    }
    return render(request, "checkins/window_manage.html", context, status=HTTPStatus.BAD_REQUEST)


@login_required
@require_POST
def window_open(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for(request, session_id)
    try:
        services.window_open(session=session, actor=request.user)
    except services.WindowError as error:
        messages.error(request, str(error))
        return redirect("checkins:window_manage", session_id=session.pk)
    messages.success(request, _("The check-in is open."))
    return redirect("checkins:window_screen", session_id=session.pk)


@login_required
@require_POST
def window_close(request: HttpRequest, session_id: int) -> HttpResponse:
    """Close the check-in early: final (a closed check-in never opens again), so the
    first press shows a page that says so, and only its "Close it now" closes."""
    session = _session_for(request, session_id)
    window = selectors.window_for_session(session=session)
    if window is not None and window.is_open and request.POST.get("confirm") != "yes":
        context = {
            "session": session,
            "window": window,
            "answers": selectors.answers_count(session=session),
            # Asked from the room screen: "Keep it open" goes back to it.
            "from_screen": request.POST.get("next") == "screen",
        }
        return render(request, "checkins/window_close_confirm.html", context)
    try:
        if window is None:
            raise services.WindowError(_("This check-in has not opened yet, so there is nothing to close."))
        services.window_close(window=window, actor=request.user)
    except services.WindowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The check-in is closed. The code no longer works."))
    return redirect("checkins:window_manage", session_id=session.pk)


@login_required
@require_POST
def window_review(request: HttpRequest, session_id: int) -> HttpResponse:
    """Confirm the answers of a window held for review, or void it (its answers
    deleted): the decision needs the box that says so ticked."""
    session = _session_for(request, session_id)
    window = selectors.window_for_session(session=session)
    decision = request.POST.get("decision")
    if window is None or not window.is_held or not window.is_closed:
        messages.error(request, _("This check-in is not waiting for a review."))
    elif decision not in ("confirm", "void") or request.POST.get("understood") != "yes":
        messages.error(request, _("Tick the box that says what happens, then choose again."))
    else:
        services.window_review_decide(window=window, actor=request.user, void=decision == "void")
        messages.success(
            request,
            _("The check-in is voided and its answers are deleted.")
            if decision == "void"
            else _("The answers are confirmed. Results appear once the check-in's results are made."),
        )
    return redirect("checkins:window_manage", session_id=session.pk)


@login_required
@never_cache
@require_GET
def window_screen(request: HttpRequest, session_id: int) -> HttpResponse:
    """The page to show on the room's screen: QR code, short link and code."""
    session = _session_for(request, session_id)
    window = selectors.window_for_session(session=session)
    context = {"session": session, "window": window}
    if window is not None and window.is_open:
        link = _member_link(request, window)
        qr = segno.make(link, error="m")
        context |= {
            "link": link,
            "short_link": link.split("://", 1)[-1],
            "qr_svg": qr.svg_inline(scale=10, border=2, omitsize=True, svgclass="qr", lineclass="qr-line"),
            "enter_link": request.build_absolute_uri(reverse("checkins:enter")).split("://", 1)[-1],
            "count_text": _count_words(
                answers=selectors.answers_count(session=session), present=session.attendance
            ),
        }
    return render(request, "checkins/window_screen.html", context)


def _count_words(*, answers: int, present: int | None) -> str:
    said = ngettext("%(count)d answer so far", "%(count)d answers so far", answers) % {"count": answers}
    if present is None:
        return said + "."
    return _("%(answers)s, of %(present)d people present.") % {"answers": said, "present": present}


@login_required
@never_cache
@require_GET
def window_count(request: HttpRequest, session_id: int) -> JsonResponse:
    """How many answers the check-in has taken, against the people counted present:
    the number the room screen shows and refreshes. Nothing else about any answer."""
    session = _session_for(request, session_id)
    window = selectors.window_for_session(session=session)
    answers = selectors.answers_count(session=session)
    return JsonResponse(
        {
            "answers": answers,
            "present": session.attendance,
            "open": bool(window and window.is_open),
            "text": _count_words(answers=answers, present=session.attendance),
        }
    )


@login_required
@never_cache
@require_POST
def window_slips(request: HttpRequest, session_id: int) -> HttpResponse:
    """Make single-use codes and show them once, laid out for printing and cutting."""
    session = _session_for(request, session_id)
    window = services.window_ensure(session=session)
    form = SlipCountForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how many codes to print, between 1 and 200."))
        return redirect("checkins:window_manage", session_id=session.pk)
    try:
        codes = services.single_use_codes_issue(
            window=window, count=form.cleaned_data["count"], actor=request.user
        )
    except services.WindowError as error:
        messages.error(request, str(error))
        return redirect("checkins:window_manage", session_id=session.pk)
    context = {
        "session": session,
        "window": window,
        "codes": [f"{code[:4]}-{code[4:]}" for code in codes],
        "short_link": _member_link(request, window).split("://", 1)[-1],
    }
    return render(request, "checkins/window_slips.html", context)


# --- Released aggregates (trends) -------------------------------------------------


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def _charts(rows: list) -> dict:
    points = [row for row in rows if row.is_released]
    labels = [_point_label(row) for row in points]
    means = [row.who5["mean"] if row.who5 else None for row in points]
    who5 = {
        "labels": labels,
        "series": [("line-who5", _("WHO-5 mean"), means)],
        "lo": 0,
        "hi": 100,
        "band": [
            (row.who5["low"], row.who5["high"]) if row.who5 and row.who5["low"] is not None else None
            for row in points
        ],
        "references": [(50, _("50: poor wellbeing"), "ref-50"), (28, _("28: likely depression"), "ref-28")],
        "moved": [row.moved is not None for row in points],
    }
    items = {
        "labels": labels,
        "series": [
            ("line-pull", _("Pull to contact (0-10)"), [row.pull for row in points]),
            ("line-connection", _("Connection (1-5)"), [row.connection for row in points]),
        ],
        "lo": 0,
        "hi": 10,
    }
    return {
        "who5_chart": charts.line_chart(**who5, ticks=[0, 25, 50, 75, 100]),
        "who5_chart_narrow": charts.line_chart(**who5, ticks=[0, 50, 100], size=charts.NARROW),
        "items_chart": charts.line_chart(**items, ticks=[0, 2, 4, 6, 8, 10]),
        "items_chart_narrow": charts.line_chart(**items, ticks=[0, 5, 10], size=charts.NARROW),
        "points": points,
    }


def _point_label(row) -> str:
    local = timezone.localtime(
        row.starts_at, row.session.group.tzinfo if row.session else row.block.group.tzinfo
    )
    if row.kind == "block":
        return _("Block %(n)s") % {"n": row.block_number}
    return date_format(local, "MONTH_DAY_FORMAT")


def _trend_context(request: HttpRequest, group_id: int) -> dict:
    group = group_for_user(user=request.user, group_id=group_id)
    rows = selectors.released_aggregates(group=group)
    for row in rows:
        if row.block is not None:
            row.block.group = group
        if row.session is not None:
            row.session.group = group
    return {
        "group": group,
        "rows": rows,
        "limits": rollups.thresholds(),
        "reading_figures": selectors.group_reading_figures(group=group),
        **_charts(rows),
    }


def _trend_page_asked(raw: str | None) -> tuple[int, str]:
    """The page number in the query string, and a note when it was not one."""
    if raw is None or raw == "":
        return 1, ""
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        return 1, _("There is no page “%(page)s” of this trend, so the most recent sessions are shown.") % {
            "page": raw[:20]
        }
    return number, ""


@login_required
@never_cache
@require_GET
def trends_group(request: HttpRequest, group_id: int) -> HttpResponse:
    """A period of the group's trend (page 1: the most recent sessions), with links to
    earlier and later ones: the chart and its table show only that period."""
    group = group_for_user(user=request.user, group_id=group_id)
    asked, notice = _trend_page_asked(request.GET.get("page"))
    trend = selectors.trend_page(group=group, number=asked)
    if trend.clamped:
        notice = ngettext(
            "There is no page %(asked)s: this trend fits on one page.",
            "There is no page %(asked)s: this trend has %(pages)s pages, so the earliest is shown.",
            trend.pages,
        ) % {"asked": asked, "pages": trend.pages}
    for row in trend.rows:
        if row.block is not None:
            row.block.group = group
        if row.session is not None:
            row.session.group = group
    context = {
        "group": group,
        "trend": trend,
        "rows": trend.rows,
        "notice": notice,
        "limits": rollups.thresholds(),
        "reading_figures": selectors.group_reading_figures(group=group),
        **_charts(trend.rows),
    }
    return render(request, "checkins/trends_group.html", context)


@login_required
@never_cache
@require_GET
def trends_report(request: HttpRequest, group_id: int) -> HttpResponse:
    """The printable report: the same rows, laid out for paper."""
    context = _trend_context(request, group_id)
    services.export_record(actor=request.user, group=context["group"])
    return render(request, "checkins/trends_report.html", {**context, "printed_at": timezone.now()})


@login_required
@never_cache
@require_GET
def trends_csv(request: HttpRequest, group_id: int) -> HttpResponse:
    group = group_for_user(user=request.user, group_id=group_id)
    services.export_record(actor=request.user, group=group)
    response = HttpResponse(exports.group_csv(group=group), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="group-{group.pk}-trends.csv"'
    return response


def _results_context(rollup, started_at) -> dict:
    """The unit's readings, and its released comments, or none once they are past
    their retention (the page then says they were removed)."""
    figures = {"reading_figures": selectors.unit_reading_figures(unit=rollup)}
    if retention.comments_past_retention(started_at=started_at):
        return {**figures, "comments": [], "comments_removed_after": settings.CHECKIN_COMMENT_RETENTION_DAYS}
    return {**figures, "comments": selectors.comments_shown(rollup=rollup)}


@login_required
@never_cache
@require_GET
def session_results(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for(request, session_id)
    # The session's own rollup and block, not the group's whole trend.
    result = selectors.session_result(session=session)
    rollup = result.rollup
    # Not "block": Django's template engine uses that name inside {% block %}.
    context = {
        "session": session,
        "group": session.group,
        "row": result.row,
        "rollup": rollup,
        "pooled": result.pooled,
    }
    if rollup is not None and rollup.is_released:
        context |= _results_context(rollup, session.starts_at)
    return render(request, "checkins/results_session.html", context)


@login_required
@never_cache
@require_GET
def block_results(request: HttpRequest, group_id: int, number: int) -> HttpResponse:
    block = selectors.block_for_user(user=request.user, group_id=group_id, number=number)
    context = {
        "group": block.group,
        "pooled": block,
        "row": selectors.block_result(block=block),
        "sessions": selectors.block_sessions(block=block),
    }
    if block.is_released:
        context |= _results_context(block, block.last_starts_at)
    return render(request, "checkins/results_block.html", context)


@login_required
@require_POST
def comment_hide(request: HttpRequest, comment_id) -> HttpResponse:
    comment = selectors.comment_for_user(user=request.user, comment_id=comment_id)
    services.comment_hide(comment=comment, actor=request.user)
    messages.success(request, _("The comment is hidden."))
    if comment.session_rollup_id:
        return redirect("checkins:session_results", session_id=comment.session_rollup.session_id)
    block = comment.block_rollup
    return redirect("checkins:block_results", group_id=block.group_id, number=block.number)


PROGRAM_MONTHS = 12
PROGRAM_PAGE = 50


@login_required
@never_cache
@require_GET
def trends_program(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied
    paginator = Paginator(groups_visible_to(user=request.user).order_by("name", "pk"), PROGRAM_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    months = selectors.months_back(today=timezone.localdate(), count=PROGRAM_MONTHS)
    groups = list(page.object_list)
    cells, totals = selectors.program_aggregates(user=request.user, groups=groups, months=months)
    table = [(group, [cells[(group.pk, month)] for month in months]) for group in groups]
    context = {
        "page": page,
        "months": months,
        "table": table,
        "totals": [totals[month] for month in months],
        "limits": rollups.thresholds(),
        "reading_figures": selectors.program_reading_figures(user=request.user),
    }
    return render(request, "checkins/trends_program.html", context)


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """Start the program-wide CSV export (admins), a background job."""
    if not request.user.is_staff:
        raise PermissionDenied
    job = services.export_request(actor=request.user)
    return redirect("checkins:export_status", job_id=job.pk)


@login_required
@never_cache
@require_GET
def export_status(request: HttpRequest, job_id) -> HttpResponse:
    job = selectors.export_job_for_user(user=request.user, job_id=job_id)
    return render(request, "checkins/export_status.html", {"job": job})


@login_required
@never_cache
@require_GET
def export_status_json(request: HttpRequest, job_id) -> HttpResponse:
    job = selectors.export_job_for_user(user=request.user, job_id=job_id)
    return JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "progress": job.progress,
            "download": reverse("checkins:export_download", args=[job.pk])
            if job.status == job.Status.DONE
            else "",
        }
    )


@login_required
@never_cache
@require_GET
def export_download(request: HttpRequest, job_id) -> HttpResponse:
    job = selectors.export_job_for_user(user=request.user, job_id=job_id)
    if job.status != job.Status.DONE:
        return redirect("checkins:export_status", job_id=job.pk)
    response = HttpResponse(job.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="program-trends.csv"'
    return response


# --- The safety signal ----------------------------------------------------------------


@login_required
@never_cache
@require_GET
def safety_guidance(request: HttpRequest) -> HttpResponse:
    """What to do when a member does not feel safe: the admin's guidance, this
    account's unseen signals and the help members are shown (the member layout's
    template tags)."""
    context = {
        "signal_notices": selectors.signal_notices(user=request.user),
        "guidance": selectors.safety_guidance(),
    }
    return render(request, "checkins/safety_guidance.html", context)


@login_required
@require_POST
def signal_seen(request: HttpRequest, kind: str, unit_id: int) -> HttpResponse:
    """Mark a raised signal as seen by this facilitator (audited), then back to the
    page the button was on."""
    unit = selectors.signal_unit_for_user(user=request.user, kind=kind, unit_id=unit_id)
    services.signal_mark_seen(unit=unit, user=request.user)
    messages.success(
        request,
        _("Marked as seen. It stays on the results page; the group's other facilitators still see it."),
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("home")
    return redirect(back)
