"""Every error on a member path answers a page in the member layout."""

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

from facilitator.middleware import is_member_path
from groups.views import member_error_page


class MemberErrorPagesMiddleware:
    """A member who meets an error (an unknown address, a method the page does not
    take, a send too big to read, a crash, the database down) gets the member
    layout: the help resources, the quick exit, and "nothing was saved". The status
    and Retry-After of the response it replaces are kept.

    It sits outside the session, authentication and every view, so that their
    failures have already become responses (Django's handler500) when it sees them.
    Member views' own pages (member_page) are left alone.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < HTTPStatus.BAD_REQUEST
            or getattr(response, "member_page", False)
            or not is_member_path(request.path_info)
        ):
            return response
        replaced = member_error_page(request, response.status_code)
        if "Retry-After" in response:
            replaced["Retry-After"] = response["Retry-After"]
        return replaced
