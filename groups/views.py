from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_GET


def member_page(request: HttpRequest, template_name: str, context: dict | None = None) -> HttpResponse:
    """Render a page in the member layout: never stored by the browser or a proxy, so
    Back after a quick exit and a shared device's cache show nothing."""
    response = render(request, template_name, context or {})
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


@require_GET
def member_help(request: HttpRequest) -> HttpResponse:
    return member_page(request, "member/help.html")


@require_GET
def member_safety(request: HttpRequest) -> HttpResponse:
    return member_page(request, "member/safety.html")
