"""How long free text may be, in one place.

Without a cap a client could store a 2.4 MB "description" that every list page and API
list then carries. The services check every free-text input with ``check_length`` (so the
web forms, the API and any other caller get the same rule, as an ``ApplicationError``
naming the field); the API serializers declare the same ``max_length`` so the schema
says it and DRF answers first. Short text columns use their model ``max_length``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import ApplicationError

DESCRIPTION_MAX = 2000  # what the customer asks (an order's description), a failure's account
TEXT_MAX = 1000  # notes, reasons, replies, the customer's words, minutes
NAME_MAX = 100  # names of people and organisations
EXCERPT_LENGTH = 120  # what list pages and list API responses show of a long text


def check_length(value, *, field: str, max_length: int):
    """``value`` unchanged when it is at most ``max_length`` characters; otherwise a 400
    ``ApplicationError`` on ``field`` (code ``max_length``) saying how long it may be."""
    if value is not None and len(str(value)) > max_length:
        length = len(str(value))
        raise ApplicationError(
            _("%(field)s 过长：%(length)s 个字符，最多 %(max)s 个")
            % {"field": field, "length": length, "max": max_length},
            field=field,
            code="max_length",
            details={"max_length": max_length, "length": length},
        )
    return value


def excerpt(text: str | None, length: int = EXCERPT_LENGTH) -> str:
    """The first ``length`` characters of ``text``, with "…" when it was longer."""
    text = text or ""
    return text if len(text) <= length else text[: length - 1] + "…"


def check_field_lengths(model, **values) -> None:
    """Each of ``values`` (model field name → input) within its column's ``max_length``:
    SQLite would store a longer text (and the API then answers what its schema forbids),
    PostgreSQL would refuse it with a 500."""
    for name, value in values.items():
        max_length = model._meta.get_field(name).max_length
        if max_length is not None:
            check_length(value, field=name, max_length=max_length)
