"""The operating calendar: closed and special days, calendar features."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..i18n import gettext
from .data import DayMatrix, ForecastError


@dataclass
class Calendar:
    """Which dates are operating days: known days from the data, then the weekly pattern.

    ``known`` are dates whose status the data already tells (operating if present);
    ``closed`` are declared non-operating dates (holidays); ``extra_open`` are declared
    operating dates outside the weekly pattern (make-up working days).
    """

    weekdays: set[int]
    known: set[dt.date]
    known_until: dt.date
    closed: frozenset[dt.date] = frozenset()
    extra_open: frozenset[dt.date] = frozenset()

    def is_open(self, d: dt.date) -> bool:
        if d in self.closed:
            return False
        if d <= self.known_until:
            return d in self.known
        return d.weekday() in self.weekdays or d in self.extra_open

    def next_days(self, after: dt.date, n: int) -> list[dt.date]:
        out, d = [], after
        for _ in range(3660):
            d += dt.timedelta(days=1)
            if self.is_open(d):
                out.append(d)
                if len(out) == n:
                    return out
        raise ForecastError(gettext("未来十年内没有营业日"), field="closed_dates")

    def is_regular(self, d: dt.date) -> bool:
        """Would ``d`` be open under the plain weekly pattern?"""
        return d.weekday() in self.weekdays


def calendar_for(
    dm: DayMatrix, closed: Iterable[dt.date] = (), extra_open: Iterable[dt.date] = ()
) -> Calendar:
    recent = [d for d in dm.dates if (dm.dates[-1] - d).days < 28]
    weekdays = {d.weekday() for d in recent} or dm.weekdays
    return Calendar(weekdays, set(dm.dates), dm.dates[-1], frozenset(closed), frozenset(extra_open))


def _calendar_features(days: list[dt.date], cal: Calendar) -> np.ndarray:
    """Columns: 1st, 2nd, 3rd and last operating day of the month, after/before a closed weekday."""
    out = np.zeros((len(days), 6))
    month_cache: dict[tuple[int, int], list[dt.date]] = {}
    for r, d in enumerate(days):
        key = (d.year, d.month)
        if key not in month_cache:
            first = dt.date(d.year, d.month, 1)
            nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
            month_cache[key] = [
                first + dt.timedelta(days=k)
                for k in range((nxt - first).days)
                if cal.is_open(first + dt.timedelta(days=k))
            ]
        month = month_cache[key]
        k = month.index(d) if d in month else -1
        if k >= 0:
            out[r, 0] = k == 0
            out[r, 1] = k == 1
            out[r, 2] = k == 2
            out[r, 3] = k == len(month) - 1
        # previous / next regular weekday closed (a holiday next to this day)
        prev = d - dt.timedelta(days=1)
        while not cal.is_regular(prev) and (d - prev).days < 7:
            prev -= dt.timedelta(days=1)
        nxt = d + dt.timedelta(days=1)
        while not cal.is_regular(nxt) and (nxt - d).days < 7:
            nxt += dt.timedelta(days=1)
        out[r, 4] = cal.is_regular(prev) and not cal.is_open(prev)
        out[r, 5] = cal.is_regular(nxt) and not cal.is_open(nxt)
    return out
