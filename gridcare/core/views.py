"""Core's only page: the health check (no sign-in; load balancers and monitoring)."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .authz import public


@public
@never_cache
@require_GET
def healthz(request):
    """Liveness and database check for load balancers and monitoring (no sign-in needed,
    tells nothing about the data): 200 when a query answers, 503 otherwise."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
