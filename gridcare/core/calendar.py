"""The working-day calendar (Chinese statutory holidays and make-up working days).

Rules, in order: a ``CalendarDay`` row wins; otherwise Monday–Friday are working days.
``calendar_seed_from_package`` fills ``CalendarDay`` from the ``chinesecalendar``
package for the years it knows (it raises for later years, so every call is guarded);
admins add next year's holidays in the admin when they are announced. Years nobody has
entered fall back to plain weekends and are reported by ``unknown_years``.
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import CalendarDay, CalendarYear

_lock = threading.Lock()
_cache: dict[str, object] = {}


def _exceptions() -> tuple[dict[dt.date, bool], set[int]]:
    with _lock:
        data = _cache.get("data")
        if data is None:
            days = dict(CalendarDay.objects.values_list("date", "is_working"))
            years = set(CalendarYear.objects.values_list("year", flat=True))
            data = (days, years)
            _cache["data"] = data
        return data  # type: ignore[return-value]


def calendar_cache_clear(**_kwargs) -> None:
    with _lock:
        _cache.clear()


post_save.connect(calendar_cache_clear, sender=CalendarDay)
post_delete.connect(calendar_cache_clear, sender=CalendarDay)
post_save.connect(calendar_cache_clear, sender=CalendarYear)
post_delete.connect(calendar_cache_clear, sender=CalendarYear)


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def is_working_day(day: dt.date) -> bool:
    days, _years = _exceptions()
    if day in days:
        return days[day]
    return day.weekday() < 5


def is_known_year(year: int) -> bool:
    return year in _exceptions()[1]


def unknown_years(start: dt.date, end: dt.date) -> list[int]:
    return [y for y in range(start.year, end.year + 1) if not is_known_year(y)]


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The moment ``days`` working days after ``start``.

    Started on a working day at time *t*: the *days*-th following working day at *t*.
    Started on a rest day: the clock starts at 00:00 of the next working day, so the
    deadline is the end of the *days*-th working day counting that day.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    tz = local_tz()
    local = timezone.localtime(start, tz) if timezone.is_aware(start) else start.replace(tzinfo=tz)
    day = local.date()
    if not is_working_day(day):
        day = next_working_day(day)
        local = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=tz)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def calendar_seed_from_package(*, years: range | None = None) -> int:
    """Copy statutory holidays and make-up days from ``chinesecalendar`` into the table.

    Existing rows are kept (admins' edits win). Returns the number of rows created.
    Years the package does not know are skipped, never guessed.
    """
    try:
        from chinese_calendar import constants
    except ImportError:  # pragma: no cover - dependency is declared
        return 0
    holidays = dict(constants.holidays)
    workdays = dict(constants.workdays)
    known = sorted({d.year for d in holidays} | {d.year for d in workdays})
    if years is not None:
        known = [y for y in known if y in years]
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    rows = []
    for day, name in holidays.items():
        if day.year in known and day.weekday() < 5 and day not in existing:
            rows.append(
                CalendarDay(date=day, is_working=False, name=HOLIDAY_NAMES_ZH.get(str(name), str(name)))
            )
    for day, name in workdays.items():
        if day.year in known and day.weekday() >= 5 and day not in existing:
            rows.append(
                CalendarDay(
                    date=day, is_working=True, name=f"{HOLIDAY_NAMES_ZH.get(str(name), str(name))}调休上班"
                )
            )
    CalendarDay.objects.bulk_create(rows, batch_size=500)
    for year in known:
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "chinesecalendar"})
    calendar_cache_clear()
    return len(rows)
