import uuid

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from groups.checkins.models import Response


@csrf_exempt
@require_POST
def raw_insert_floor(request: HttpRequest) -> HttpResponse:
    """The floor for check-in throughput: one row inserted with raw SQL through the
    same server, middleware and database, and a tiny response. No form, no template."""
    session_id = int(request.POST.get("session", "0"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Response._meta.db_table} (id, session_id) VALUES (%s, %s)",  # noqa: S608
            [uuid.uuid4().hex, session_id],
        )
    return HttpResponse("ok", content_type="text/plain")
