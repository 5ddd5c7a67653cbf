"""Query-string parameters read with bounds: every number and date a page accepts is
clamped to a sensible range, so no input can ask for a billion-element computation or a
date past the end of the calendar (``?aht=1e9``, ``?until=9999-12-31``)."""

from __future__ import annotations

import datetime as dt
import math

# The largest id a key column holds (PostgreSQL bigint, SQLite INTEGER): a larger number
# in a query fails in the driver (OverflowError / DataError), so it is no id at all.
MAX_ID = 2**63 - 1


def id_param(value) -> int | None:
    """A database id typed by a user (path, query, form): ASCII digits only — ``"²"`` and
    ``"٣"`` pass ``str.isdigit()`` but are no id — from 1 to ``MAX_ID``; None otherwise."""
    text = "" if value is None else str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def id_list_param(values) -> list[int]:
    """The valid ids among ``values`` (``request.POST.getlist("id")``), the rest dropped."""
    return [number for number in map(id_param, values) if number is not None]


def int_param(value, default: int, lo: int, hi: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return max(lo, min(hi, number))


def float_param(value, default: float, lo: float, hi: float) -> float:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return default
    if not math.isfinite(number):
        return default
    return max(lo, min(hi, number))


DATE_MIN = dt.date(2000, 1, 1)


def date_param(value, default: dt.date, *, lo: dt.date = DATE_MIN, hi: dt.date | None = None) -> dt.date:
    """An ISO date within [lo, hi] (hi: ten years from today by default); ``default`` if unreadable."""
    hi = hi or dt.date.today().replace(year=dt.date.today().year + 10)
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return default
    return max(lo, min(hi, day))


def form_date(value, field: str) -> dt.date | None:
    """A date a form posts (``YYYY-MM-DD``; blank → None), refused with an error naming
    ``field`` when unreadable or outside 2000–2100 (unlike a filter's ``date_param``, a
    written date is not silently moved)."""
    from django.utils.translation import gettext as _

    from .errors import ApplicationError

    raw = str(value or "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise ApplicationError(_("日期格式无效"), field=field, code="invalid") from None
    if not 2000 <= day.year <= 2100:
        raise ApplicationError(_("日期格式无效"), field=field, code="invalid")
    return day


# Datetimes a filter accepts: wide enough for any real question, far enough from year 1 and
# year 9999 that converting to UTC (what the database stores) cannot overflow.
DATETIME_YEARS = (1900, 9998)


def clamp_datetime(value: dt.datetime | None) -> dt.datetime | None:
    """``value`` moved into ``DATETIME_YEARS`` (``0001-01-01`` → 1900-01-01, ``9999-12-31``
    → the end of 9998), keeping its time zone; None stays None. No order lies outside, so
    the filter means the same, and the query cannot fail on a date out of range."""
    if value is None:
        return None
    lo, hi = DATETIME_YEARS
    if value.year < lo:
        return dt.datetime(lo, 1, 1, tzinfo=value.tzinfo)
    if value.year > hi:
        return dt.datetime(hi, 12, 31, 23, 59, 59, tzinfo=value.tzinfo)
    return value
