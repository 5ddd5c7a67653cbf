"""Assessment periods (月度/季度): bounds, keys and shifting. Pure functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .choices import PeriodKind


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # first day
    end: dt.date  # first day of the next period (exclusive)

    @property
    def key(self) -> str:
        """ "2026-03" for a month, "2026Q1" for a quarter."""
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    def shift(self, n: int) -> Period:
        months = 3 if self.kind == PeriodKind.QUARTER else 1
        return period_of(self.kind, add_months(self.start, n * months))


def add_months(day: dt.date, n: int) -> dt.date:
    """The same day ``n`` months later (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (nxt - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def period_of(kind: str, day: dt.date) -> Period:
    """The month or quarter ``day`` falls in."""
    if kind == PeriodKind.QUARTER:
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, start, add_months(start, 3))
    start = day.replace(day=1)
    return Period(PeriodKind.MONTH, start, add_months(start, 1))


def parse_period(kind: str, key: str) -> Period | None:
    """The period a key names ("2026-03", "2026Q1"), or None."""
    try:
        if kind == PeriodKind.QUARTER:
            year, q = key.upper().split("Q")
            if not 1 <= int(q) <= 4:
                return None
            return period_of(kind, dt.date(int(year), (int(q) - 1) * 3 + 1, 1))
        year, month = key.split("-")
        return period_of(PeriodKind.MONTH, dt.date(int(year), int(month), 1))
    except (ValueError, TypeError):
        return None
