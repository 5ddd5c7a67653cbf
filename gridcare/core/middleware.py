"""A database busy with someone else's write answers 503 "try again", never a 500.

SQLite has one write lock for the whole database: a write that cannot get it within the
busy timeout fails with ``OperationalError: database is locked``. PostgreSQL fails the
same way when a lock wait runs past ``lock_timeout`` (55P03) or it breaks a deadlock
(40P01). Nothing was written in either case and the same request will succeed moments
later, so the user (or API client) is told exactly that, with ``Retry-After``.

``RejectNulMiddleware`` (below): a NUL character anywhere in a request answers 400 naming
the field, before PostgreSQL (which cannot store NUL in text) turns it into a 500.
"""

from __future__ import annotations

import json
import sqlite3

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse, QueryDict
from django.utils.html import escape
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 5
# lock_not_available (lock_timeout), deadlock_detected
_PG_BUSY_STATES = {"55P03", "40P01"}


def is_database_busy(exc: BaseException) -> bool:
    """True for a lock wait that gave up: retrying the same request later will do.

    Django's ``OperationalError`` or the driver's own (code that uses the raw cursor).
    """
    if isinstance(exc, (OperationalError, sqlite3.OperationalError)) and (
        "database is locked" in str(exc) or "database table is locked" in str(exc)
    ):
        return True
    for err in (exc, exc.__cause__):
        if getattr(err, "sqlstate", None) in _PG_BUSY_STATES:
            return True
    return False


def busy_message() -> str:
    return _("系统正忙（数据库正在写入其他数据），本次操作未保存，请稍后重试")


def busy_body() -> dict:
    return {"detail": busy_message(), "code": "database_busy"}


def busy_response(request) -> HttpResponse:
    """503 with ``Retry-After``: JSON for the API and JSON clients, a short page otherwise."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse(busy_body(), status=503)
    else:
        # Plain HTML without the site layout: rendering it must not need the database.
        response = HttpResponse(
            f'<!doctype html><html><head><meta charset="utf-8"><title>503</title></head>'
            f"<body><h1>503</h1><p>{escape(busy_message())}</p></body></html>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turns a view's "database is locked" (or PostgreSQL lock timeout) into a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_busy(exception):
            return busy_response(request)
        return None


# --------------------------------------------------------------------------- NUL characters

NUL = "\x00"


def wants_json(request) -> bool:
    """API paths and JSON clients get JSON error bodies; browsers get a short page."""
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def nul_message() -> str:
    return _("不能包含空字符（NUL，\\x00）")


def _nul_in_json(value, path: str = "") -> str | None:
    """Dotted path of the first string (or key) in a parsed JSON value that holds a NUL."""
    if isinstance(value, str):
        return (path or "body") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                return path or "body"
            found = _nul_in_json(item, here)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_in_json(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def _nul_in_pairs(pairs, default: str) -> str | None:
    for key, values in pairs:
        if NUL in key:
            return default
        if any(NUL in v for v in values if isinstance(v, str)):
            return key
    return None


def nul_field(request) -> str | None:
    """Where the request carries a NUL character (the field it names), or None.

    PostgreSQL cannot store NUL in text, so such input would fail deep inside a query
    (a 500); it is never meaningful in a path, parameter, header or form field either.
    File contents (multipart uploads) are not text and are not looked at.
    """
    if NUL in request.path_info or NUL in request.path:
        return "path"
    found = _nul_in_pairs(request.GET.lists(), "query")
    if found:
        return found
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            return key[5:].replace("_", "-").title()
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return None
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        return _nul_in_pairs(request.POST.lists(), "body") if request.method == "POST" else None
    is_json = content_type == "application/json" or content_type.endswith("+json")
    if not is_json and content_type != "application/x-www-form-urlencoded":
        return None
    body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (larger: 400 RequestDataTooBig)
    if is_json:
        if b"\x00" in body:
            return "body"
        if b"\\u0000" not in body:
            return None
        try:
            data = json.loads(body)
        except ValueError:  # not JSON: the parser answers 400 itself
            return None
        return _nul_in_json(data)
    if b"\x00" not in body and b"%00" not in body:
        return None
    return _nul_in_pairs(QueryDict(body, encoding=request.encoding).lists(), "body")


def nul_response(request, field: str) -> HttpResponse:
    message = nul_message()
    if wants_json(request):
        body = {"detail": f"{field}: {message}", "code": "nul_character", "errors": {field: [message]}}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(
        f'<!doctype html><html><head><meta charset="utf-8"><title>400</title></head>'
        f"<body><h1>400</h1><p>{escape(field)}: {escape(message)}</p></body></html>",
        status=400,
    )


class RejectNulMiddleware:
    """Answers 400 naming the field to a request with a NUL character anywhere in its path,
    query string, headers or form/JSON body, before any view or database query sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = nul_field(request)
        if field is not None:
            return nul_response(request, field)
        return self.get_response(request)
