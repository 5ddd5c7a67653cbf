"""The one error type users can act on."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business-rule failure with a human message and machine-readable details.

    ``field`` names the input at fault (the API answers 4xx with ``{field: [message]}``,
    forms attach it to that field); ``code`` lets clients branch without parsing text.
    ``status`` is the HTTP status the API uses (400 by default, 409 for conflicts).
    """

    status = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "invalid",
        details: dict | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.details = details or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        body: dict = {"detail": self.message, "code": self.code}
        if self.field:
            body["errors"] = {self.field: [self.message]}
        if self.details:
            body["details"] = self.details
        return body


class ConflictError(ApplicationError):
    """Someone else changed the object first: reload and try again."""

    status = 409

    def __init__(self, message: str, **kwargs):
        kwargs.setdefault("code", "conflict")
        super().__init__(message, **kwargs)


class PermissionDeniedError(ApplicationError):
    status = 403

    def __init__(self, message: str, **kwargs):
        kwargs.setdefault("code", "permission_denied")
        super().__init__(message, **kwargs)
