"""The error answers of the API, documented once for every operation.

drf-spectacular documents only the success answer of each operation; a client (or a
schema-driven test) then meets 400, 403, 404, 409 or 503 answers the schema says cannot
happen. Every error body has the same shape (``gridcare.core.api.exceptions``):
``{"detail": message, "code": ..., "errors": {field: [messages]}, "details": {...}}``.
"""

from __future__ import annotations

ERROR_COMPONENT = "Error"

ERROR_SCHEMA = {
    "type": "object",
    "description": "错误 / error: detail 为说明，errors 按字段列出原因 (field → messages)",
    "properties": {
        "detail": {"type": "string", "description": "说明 / what went wrong"},
        "code": {"type": "string", "description": "机器可读的错误码 / machine-readable code"},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "字段 → 错误信息 / field → messages",
        },
        "details": {"type": "object", "additionalProperties": {}, "description": "附加信息 / extra data"},
    },
    "required": ["detail"],
}

_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}

# status → description; which operations can answer it is decided in ``_statuses``.
ERROR_RESPONSES = {
    "400": "输入有误（字段名见 errors） / invalid input",
    "401": "未登录或令牌无效 / not authenticated",
    "403": "无权执行此操作 / permission denied",
    "404": "对象不存在或不在您的范围内，或页码超出范围",
    "409": "已被他人修改或当前状态不允许此操作 / conflict",
    "415": "不支持的请求内容类型 / unsupported media type",
    "422": "同一 Idempotency-Key 配了不同的内容 / idempotency key reused with other content",
    "503": "数据库正忙，未保存，请稍后重试（见 Retry-After） / database busy, retry later",
}


def _statuses(method: str, operation: dict) -> list[str]:
    statuses = ["400", "401", "403", "404"]
    if method != "get":
        statuses.append("409")
    if "requestBody" in operation:
        statuses.append("415")
    if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
        statuses.append("422")
    statuses.append("503")
    return statuses


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``)."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in _statuses(method, operation):
                if status in responses:
                    continue
                response = {
                    "content": {"application/json": {"schema": _REF}},
                    "description": ERROR_RESPONSES[status],
                }
                if status == "503":
                    response["headers"] = {
                        "Retry-After": {"schema": {"type": "integer"}, "description": "秒 / seconds"}
                    }
                responses[status] = response
    return result
