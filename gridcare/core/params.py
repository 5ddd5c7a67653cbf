"""Query-string parameters read with bounds: every number and date a page accepts is
clamped to a sensible range, so no input can ask for a billion-element computation or a
date past the end of the calendar (``?aht=1e9``, ``?until=9999-12-31``)."""

from __future__ import annotations

import datetime as dt
import math


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
