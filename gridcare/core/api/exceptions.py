"""Turn ApplicationError into a 4xx body that names the field and the reason."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gridcare.core.errors import ApplicationError
from gridcare.core.middleware import RETRY_AFTER_SECONDS, busy_body, is_database_busy


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    if is_database_busy(exc):  # nothing written; the same request succeeds moments later
        return Response(busy_body(), status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(
            {
                "detail": "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
                "code": "invalid",
                "errors": errors,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        # Serializer validation errors — even for a field that happens to be named "detail".
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": "输入有误 / invalid input", "code": "invalid", "errors": errors}
    elif response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        # Serializer validation errors: keep DRF's {field: [messages]} under "errors".
        response.data = {"detail": "输入有误 / invalid input", "code": "invalid", "errors": response.data}
    return response
