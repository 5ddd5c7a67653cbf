"""Report periods: ``2026-10`` (a calendar month) and ``2026-W44`` (an ISO week), local time."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gridcare.core.calendar import local_tz
from gridcare.core.errors import ApplicationError

# ASCII digits only: \d alone also matches "٢٠٢٦" (which int() reads as 2026).
MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True)
class Period:
    kind: str  # weekly | monthly
    label: str  # 2026-10 | 2026-W44
    start: dt.date
    end: dt.date  # inclusive

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=local_tz())

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=local_tz())

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        return period_containing(self.kind, self.start - dt.timedelta(days=1))

    def last_year(self) -> Period:
        if self.kind == "monthly":
            return month_period(self.start.year - 1, self.start.month)
        # The same ISO week number a year earlier (week 53 maps to week 52).
        year, week = self.start.isocalendar()[:2]
        try:
            return week_period(year - 1, week)
        except ApplicationError:
            return week_period(year - 1, 52)


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ApplicationError(
            _("无效的月份：%(period)s") % {"period": f"{year}-{month}"}, field="period", code="invalid"
        )
    start = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return Period("monthly", f"{year:04d}-{month:02d}", start, nxt - dt.timedelta(days=1))


def week_period(year: int, week: int) -> Period:
    try:
        start = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ApplicationError(
            _("无效的周：%(period)s") % {"period": f"{year}-W{week}"}, field="period", code="invalid"
        )
    if not 2000 <= year <= 2100:
        raise ApplicationError(
            _("无效的周：%(period)s") % {"period": f"{year}-W{week}"}, field="period", code="invalid"
        )
    return Period("weekly", f"{year:04d}-W{week:02d}", start, start + dt.timedelta(days=6))


def parse_period(kind: str, text: str) -> Period:
    text = (text or "").strip()
    if kind == "monthly":
        m = MONTH_RE.match(text)
        if not m:
            raise ApplicationError(
                _("月份格式应为 2026-10：%(text)s") % {"text": repr(text)}, field="period", code="invalid"
            )
        return month_period(int(m.group(1)), int(m.group(2)))
    if kind == "weekly":
        m = WEEK_RE.match(text)
        if not m:
            raise ApplicationError(
                _("周的格式应为 2026-W44：%(text)s") % {"text": repr(text)}, field="period", code="invalid"
            )
        return week_period(int(m.group(1)), int(m.group(2)))
    raise ApplicationError(_("未知的报告类型：%(kind)s") % {"kind": kind}, field="kind", code="invalid")


def period_containing(kind: str, day: dt.date) -> Period:
    if kind == "monthly":
        return month_period(day.year, day.month)
    year, week = day.isocalendar()[:2]
    return week_period(year, week)


def last_complete(kind: str, today: dt.date) -> Period:
    """The latest period that has fully ended before ``today``."""
    return period_containing(kind, today).previous()
