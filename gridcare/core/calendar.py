"""The working-day calendar (Chinese statutory holidays and make-up working days).

Rules, in order: a ``CalendarDay`` row wins; otherwise Monday–Friday are working days.
``calendar_seed_from_package`` fills ``CalendarDay`` from the ``chinesecalendar``
package for the years it knows (it raises for later years, so every call is guarded);
admins add next year's holidays (``gridcare import holidays FILE`` or the admin) when they are
announced. Years nobody has entered fall back to plain weekends and are reported by
``unknown_years``; deadlines that fall in them are provisional (``calendar_warning`` tells
admins from 1 October that next year is missing).

Every process reads the table through ``_view``: its own copy, tagged with the version token
kept in the shared cache (settings ``CACHES["shared"]``, a ``DatabaseCache`` on the embedded
default). Each save bumps the token (in the writer's transaction); every process compares its
copy's token at most every ``GRIDCARE_CALENDAR_RECHECK_SECONDS`` (1 s) and reloads when it
changed, or when its copy is older than ``MAX_AGE_SECONDS`` whatever the token says.
A change of a year's calendar is announced with ``calendar_changed`` (the work orders
recompute the deadlines it moves).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal
from django.utils import timezone

from .models import CalendarDay, CalendarYear

SHARED_CACHE = "shared"
VERSION_KEY = "gridcare:calendar:version"
RECHECK_SECONDS = 1.0  # default of settings.GRIDCARE_CALENDAR_RECHECK_SECONDS
MAX_AGE_SECONDS = 300.0  # a copy is reloaded after this long even if no save announced itself

# Sent inside the transaction that changed the calendar, after the change, with keyword
# arguments ``years`` (set of the years whose days changed or were confirmed), ``dates`` (set
# of the days whose working/rest status changed: only deadlines counted over one of them
# move), ``previous`` (the ``CalendarData`` before the change) and ``actor`` (the user, or
# None for the system).
calendar_changed = Signal()


@dataclass(frozen=True)
class CalendarData:
    """The calendar table at one moment: the exception days and the confirmed years."""

    days: dict[dt.date, bool] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        working = self.days.get(day)
        if working is not None:
            return working
        return day.weekday() < 5


def calendar_snapshot() -> CalendarData:
    """The calendar as the database holds it now (in the caller's transaction), uncached."""
    return CalendarData(
        days=dict(CalendarDay.objects.values_list("date", "is_working")),
        years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )


def _shared_version():
    return caches[SHARED_CACHE].get(VERSION_KEY)


class _CalendarView:
    """One process's copy of the calendar, checked against the shared version token."""

    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._data: CalendarData | None = None
        self._version = None
        self._loaded_at = 0.0
        self._checked_at = 0.0

    def data(self) -> CalendarData:
        now = self._clock()
        recheck = float(getattr(settings, "GRIDCARE_CALENDAR_RECHECK_SECONDS", RECHECK_SECONDS))
        with self._lock:
            data = self._data
            if data is not None and now - self._loaded_at < MAX_AGE_SECONDS:
                if now - self._checked_at < recheck:
                    return data
                version = _shared_version()
                self._checked_at = now
                if version == self._version:
                    return data
            else:
                version = _shared_version()
            # Read the token before the rows: a save in between only makes the next check reload.
            data = calendar_snapshot()
            self._data, self._version, self._loaded_at, self._checked_at = data, version, now, now
            return data

    def clear(self) -> None:
        with self._lock:
            self._data = None
            self._version = None


_view = _CalendarView()


def _exceptions() -> CalendarData:
    return _view.data()


def calendar_cache_clear(**_kwargs) -> None:
    """Forget this process's copy (the next use reads the table again)."""
    _view.clear()


def calendar_invalidate(**_kwargs) -> None:
    """A calendar row changed: every process reloads at its next check.

    The new token is written in the writer's transaction (a database cache), so other
    processes see it exactly when the change commits; a rollback undoes both.
    """
    caches[SHARED_CACHE].set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    _view.clear()


# Any one row saved or deleted (the admin, the settings pages, a shell) is a calendar change:
# every process reloads, and ``calendar_changed`` tells the work orders, with the calendar
# as it was before the row changed. Writers of many rows at once (``calendar_year_replace``,
# ``calendar_seed_from_package``) silence the per-row announcements and announce once.
_silence = threading.local()


@contextmanager
def _one_announcement():
    _silence.on = getattr(_silence, "on", 0) + 1
    try:
        yield
    finally:
        _silence.on -= 1


def _row_key(instance):
    """What a row contributes to ``CalendarData``: (date, is_working) of a day, the year of a year."""
    if isinstance(instance, CalendarDay):
        return (instance.date, instance.is_working)
    return instance.year


def _row_year(key) -> int:
    return key[0].year if isinstance(key, tuple) else key


def _without(data: CalendarData, key) -> CalendarData:
    if isinstance(key, tuple):
        return CalendarData(days={d: w for d, w in data.days.items() if d != key[0]}, years=data.years)
    return CalendarData(days=data.days, years=data.years - {key})


def _with(data: CalendarData, key) -> CalendarData:
    if isinstance(key, tuple):
        return CalendarData(days={**data.days, key[0]: key[1]}, years=data.years)
    return CalendarData(days=data.days, years=data.years | {key})


def _before_row_change(sender, instance, raw=False, **_kwargs) -> None:
    if raw or getattr(_silence, "on", 0):
        return
    before = sender._default_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._calendar_before = _row_key(before) if before is not None else None


def _after_row_change(sender, instance, raw=False, **kwargs) -> None:
    calendar_invalidate()
    if raw or getattr(_silence, "on", 0) or "_calendar_before" not in instance.__dict__:
        return
    old = instance.__dict__.pop("_calendar_before")
    deleted = "created" not in kwargs  # post_delete sends no ``created``
    # The calendar just before this row changed: now, with this one row put back as it was.
    # (Rows deleted together each announce their own part, so nothing counts twice.)
    current = previous = calendar_snapshot()
    if not deleted:
        previous = _without(previous, _row_key(instance))
    if old is not None:
        previous = _with(previous, old)
    years = {_row_year(_row_key(instance))} | ({_row_year(old)} if old is not None else set())
    dates = {d for d in set(previous.days) | set(current.days) if previous.days.get(d) != current.days.get(d)}
    calendar_changed.send(sender=sender, years=years, dates=dates, previous=previous, actor=None)


for _model in (CalendarDay, CalendarYear):
    pre_save.connect(
        _before_row_change, sender=_model, dispatch_uid=f"calendar_before_save_{_model.__name__}"
    )
    pre_delete.connect(
        _before_row_change, sender=_model, dispatch_uid=f"calendar_before_delete_{_model.__name__}"
    )
    post_save.connect(_after_row_change, sender=_model, dispatch_uid=f"calendar_after_save_{_model.__name__}")
    post_delete.connect(
        _after_row_change, sender=_model, dispatch_uid=f"calendar_after_delete_{_model.__name__}"
    )


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def is_working_day(day: dt.date) -> bool:
    return _exceptions().is_working_day(day)


def is_known_year(year: int) -> bool:
    return year in _exceptions().years


def unknown_years(start: dt.date, end: dt.date) -> list[int]:
    years = _exceptions().years
    return [y for y in range(start.year, end.year + 1) if y not in years]


def next_working_day(day: dt.date, *, calendar: CalendarData | None = None) -> dt.date:
    cal = calendar or _exceptions()
    while not cal.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.datetime, days: int, *, calendar: CalendarData | None = None) -> dt.datetime:
    """The moment ``days`` working days after ``start``.

    Started on a working day at time *t*: the *days*-th following working day at *t*.
    Started on a rest day: the clock starts at 00:00 of the next working day, so the
    deadline is the end of the *days*-th working day counting that day. ``calendar``: a
    ``CalendarData`` to count on instead of the current table (what a deadline was before
    a change).
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    cal = calendar or _exceptions()
    tz = local_tz()
    local = timezone.localtime(start, tz) if timezone.is_aware(start) else start.replace(tzinfo=tz)
    day = local.date()
    if not cal.is_working_day(day):
        day = next_working_day(day, calendar=cal)
        local = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            remaining -= 1
    return dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=tz)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    cal = _exceptions()
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return count


def years_confirmed(start: dt.datetime, end: dt.datetime) -> bool:
    """Whether every local year from ``start`` to ``end`` has its holidays entered: a
    working-day deadline counted over a year nobody confirmed is provisional."""
    tz = local_tz()
    years = _exceptions().years
    first, last = timezone.localtime(start, tz).year, timezone.localtime(end, tz).year
    return all(y in years for y in range(first, last + 1))


def calendar_warning(today: dt.date | None = None) -> int | None:
    """The year whose holidays admins must enter now, or None.

    From 1 October the next year's holidays are due (the State Council publishes them late
    in the year); a current year nobody entered is due at once.
    """
    today = today or timezone.localdate()
    years = _exceptions().years
    if today.year not in years:
        return today.year
    if today.month >= 10 and today.year + 1 not in years:
        return today.year + 1
    return None


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
    with transaction.atomic(), _one_announcement():
        previous = calendar_snapshot()
        CalendarDay.objects.bulk_create(rows, batch_size=500)
        confirmed = [
            year
            for year in known
            if CalendarYear.objects.get_or_create(year=year, defaults={"source": "chinesecalendar"})[1]
        ]
        calendar_invalidate()  # bulk_create sends no post_save
        years = {d.date.year for d in rows} | set(confirmed)
        if years:
            calendar_changed.send(
                sender=CalendarYear, years=years, dates={d.date for d in rows}, previous=previous, actor=None
            )
    return len(rows)


HOLIDAY, WORKDAY = "holiday", "workday"


def _kind(is_working: bool | None) -> str | None:
    return None if is_working is None else (WORKDAY if is_working else HOLIDAY)


def calendar_year_replace(
    *, actor, year: int, days: dict[dt.date, bool], source: str = "import", note: str = ""
) -> dict[str, int]:
    """Enter one year's statutory holidays (False) and make-up working days (True), and
    confirm the year (``CalendarYear``): what admins do when the next year is announced.

    ``days`` is the whole year: an exception day of ``year`` not in it is removed (a plain
    weekday or weekend again). In one transaction: the rows, an audit event with every day
    that changed (old → new), the shared version token (every process reloads), and
    ``calendar_changed`` (the work orders move the deadlines the change moves). ``actor``
    None is the system (``gridcare import holidays`` on the server). Returns counts of days
    created, updated, deleted and unchanged.
    """
    from django.utils.translation import gettext as _

    from .audit import audit_record
    from .authz import require
    from .errors import ApplicationError

    if actor is not None:
        require(actor, "core.configure")
    stray = sorted(d for d in days if d.year != year)
    if stray:
        raise ApplicationError(
            _("日期 %(date)s 不属于 %(year)s 年：一个文件只录入一年") % {"date": stray[0], "year": year},
            field="date",
            code="wrong_year",
        )
    counts = {"created": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    try:
        with transaction.atomic(), _one_announcement():
            # Calendar writers take turns (the confirmed years' rows), so ``previous`` is exact.
            list(CalendarYear.objects.select_for_update().values_list("pk", flat=True))
            previous = calendar_snapshot()
            existing = {d.date: d for d in CalendarDay.objects.filter(date__year=year)}
            changes: dict[str, list] = {}
            new, changed = [], []
            for day, working in sorted(days.items()):
                row = existing.pop(day, None)
                if row is None:
                    new.append(
                        CalendarDay(date=day, is_working=working, name="调休上班" if working else "节假日")
                    )
                    changes[day.isoformat()] = [None, _kind(working)]
                elif row.is_working != working:
                    changes[day.isoformat()] = [_kind(row.is_working), _kind(working)]
                    row.is_working = working
                    row.name = "调休上班" if working else "节假日"
                    changed.append(row)
                else:
                    counts["unchanged"] += 1
            for day, row in existing.items():
                changes[day.isoformat()] = [_kind(row.is_working), None]
            CalendarDay.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
            CalendarDay.objects.bulk_create(new, batch_size=500)
            CalendarDay.objects.bulk_update(changed, ["is_working", "name"], batch_size=500)
            confirmed = year in previous.years
            if confirmed:
                CalendarYear.objects.filter(year=year).exclude(source=source).update(source=source)
            else:
                CalendarYear.objects.create(year=year, source=source)
                changes["confirmed"] = [False, True]
            counts.update(created=len(new), updated=len(changed), deleted=len(existing))
            if changes:
                calendar_invalidate()
                audit_record(
                    actor=actor,
                    action="calendar.year_replace",
                    object_type="core.calendaryear",
                    object_id=str(year),
                    object_repr=str(year),
                    changes=changes,
                    note=note,
                )
                dates = {dt.date.fromisoformat(k) for k in changes if k != "confirmed"}
                calendar_changed.send(
                    sender=CalendarYear, years={year}, dates=dates, previous=previous, actor=actor
                )
    except BaseException:
        calendar_cache_clear()  # nothing of a rolled-back change stays in this process's copy
        raise
    return counts
