"""Error answers outside any view (no URL matched, a request Django itself refused).

The API answers in its own JSON error shape (``{"detail": ..., "code": ...}``, documented
in the schema) also when no view was reached: ``/api/recovery-actions/abc/approve/`` is a
404 with a JSON body, not Django's HTML page. Other paths keep Django's default pages.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .middleware import wants_json


def not_found(request, exception=None):
    if wants_json(request):
        return JsonResponse({"detail": _("未找到 / not found"), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    if wants_json(request):
        return JsonResponse({"detail": _("请求无法解析 / bad request"), "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if wants_json(request):
        return JsonResponse(
            {"detail": _("服务器内部错误 / server error"), "code": "server_error"}, status=500
        )
    return defaults.server_error(request)
