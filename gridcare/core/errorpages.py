"""Error answers outside any view (no URL matched, a request Django itself refused).

The API answers in its own JSON error shape (``{"detail": ..., "code": ...}``, documented
in the schema) also when no view was reached: ``/api/recovery-actions/abc/approve/`` is a
404 with a JSON body, not Django's HTML page. Other paths keep Django's default pages.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .middleware import wants_json


def _json(body: dict, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def not_found(request, exception=None):
    if wants_json(request):
        return _json({"detail": _("未找到"), "code": "not_found"}, 404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    if wants_json(request):
        if isinstance(exception, RequestDataTooBig):
            limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:.1f} MB"
            detail = _("请求内容过大（最多 %(limit)s）") % {"limit": limit}
            return _json({"detail": detail, "code": "too_large", "errors": {"body": [detail]}}, 400)
        return _json({"detail": _("请求无法解析"), "code": "bad_request"}, 400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if wants_json(request):
        return _json({"detail": _("服务器内部错误"), "code": "server_error"}, 500)
    return defaults.server_error(request)
