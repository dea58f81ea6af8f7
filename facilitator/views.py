from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from facilitator import health
from groups.checkins import selectors as checkin_selectors
from groups.selectors import first_steps, groups_for_facilitator, home_for_facilitator


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, for the clients that ask for it whatever the page links to: a
    lasting redirect to the icon in the static files (long-cached there)."""
    response = redirect(static("facilitator/favicon.ico"), permanent=True)
    patch_cache_control(response, public=True, max_age=60 * 60 * 24 * 7)
    return response


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For a person: what /readyz says, with the failing parts named ("ok" when all
    answer). A load balancer probes /livez or /readyz (facilitator.middleware)."""
    status, body = health.readiness()
    failing = sorted(name for name, word in body["checks"].items() if word != "ok")
    body = {**body, "status": "ok" if body["status"] == "ready" else body["status"], "failing": failing}
    return JsonResponse(body, status=status)


@login_required
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    groups = groups_for_facilitator(user=request.user)
    upcoming = home_for_facilitator(user=request.user)
    notices = checkin_selectors.signal_notices(user=request.user)
    context = {
        "groups": groups,
        "upcoming": upcoming,
        "to_prepare": [item for item in upcoming if item.needs_preparing],
        "signal_notices": notices,
        # Read only when there is something to put it beside.
        "guidance": checkin_selectors.safety_guidance() if notices else None,
        "first_steps": first_steps(user=request.user) if not upcoming else None,
    }
    return render(request, "facilitator/home.html", context)
