"""Supply reliability (供电可靠性, RS-1 and RS-3) over a period, per transformer area, feeder,
supply station, county or company, and the major event days of the period — pure computation
over the frozen ``OutageCustomer`` rows.

Definitions (one place; the CLI ``gridcare reliability`` and the reliability page read these):

* period: local dates ``[start, end]``, both inclusive, in the site's time zone
  (``settings.TIME_ZONE``, Asia/Shanghai): from ``start`` 00:00 to the day after ``end`` 00:00.
* customers: the customers hanging on the asset now (Customer rows under it; the customer
  register keeps no history, so "at the end of the period" is read as "now").
* a customer interruption is one ``OutageCustomer`` row. It is counted in the period in which
  it *started*; its minutes are clipped to the period (an outage across midnight of the
  last day gives its minutes to both periods). So figures of adjacent periods add up.
  A customer still out is counted up to ``now`` (or the end of the period, if earlier).
* interruptions shorter than the short-interruption threshold (whole duration, not the
  clipped part) are not interruptions (RS-1: short interruptions are excluded). The threshold
  is the setting ``OutageSetting.SHORT_INTERRUPTION_MINUTES`` (seeded with 3, edited on
  /settings/outage-settings/), read by ``short_interruption_minutes()`` when the
  ``threshold_minutes`` parameter is None; ``SHORT_INTERRUPTION_MINUTES`` is only its default.
* every kind counts (RS-1 counts all interruptions, arrears cut-offs included); the
  ``planned_*`` figures are pre-arranged outages (``choices.PLANNED_KINDS``: planned and
  temporary maintenance, ordered supply restriction), ``unplanned_*`` the rest (faults,
  arrears).
* interruptions: the number of distinct outages with a counted customer interruption
  under the asset.
* SAIFI = customer_interruptions / customers; SAIDI (minutes) = customer_minutes / customers;
  CAIDI (minutes) = SAIDI / SAIFI = customer_minutes / customer_interruptions (None without
  interruptions); ASAI = 1 - customer_minutes / (customers x period minutes). Without
  customers the ratios are None.
* RS-3 (供电可靠率 RS-3, DL/T 836): RS-1 without the interruptions caused by insufficient
  system capacity (限电). In GridCare those are the outages of kind ``ordered`` (有序用电,
  ``OutageKind.ORDERED``) and nothing else: ``rs3_customer_minutes`` = customer_minutes less
  the ordered outages' minutes, ``asai_rs3`` = 1 - rs3_customer_minutes / (customers x period
  minutes). So asai_rs3 >= asai, equal without ordered supply restriction.

Major event days (``major_event_days``, IEEE 1366 "2.5 beta" method), for the whole system
(every customer, as IEEE reads a utility):

* daily SAIDI of a local day = the minutes of the interruptions that *started* that day, whole
  (IEEE accrues an interruption across midnight to the day it began; ongoing ones count up
  to ``now``), over the customers now; short interruptions excluded as above;
* the fit takes the daily SAIDI of every day of the five years before the period start
  (``start`` less five years, up to the day before ``start``), leaving out the days with
  zero SAIDI (the log of zero is undefined, as the standard says): alpha = mean of
  ln(daily SAIDI), beta = their sample standard deviation, T_MED = exp(alpha + 2.5 beta);
* a day of the period whose daily SAIDI exceeds T_MED is a major event day (MED);
* computed only with five full years of history, i.e. when the earliest recorded customer
  interruption (any ``OutageCustomer`` row) started on or before the first day of those five
  years, and with at least two days of the history with interruptions (a standard deviation
  needs two); otherwise the result says "not computed" and how many days of history exist.

Given a computed result, ``reliability`` adds per row ``med_days`` (the number of MEDs of the
period), ``t_med_minutes``, ``saifi_excl_med`` and ``saidi_minutes_excl_med``: the figures
without the interruptions that started on a MED (their clipped minutes and their count); all
None when MEDs were not computed.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from gridcare.customers.models import Customer
from gridcare.grid.models import Feeder, TransformerArea
from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit

from .choices import PLANNED_KINDS, OutageKind
from .models import OutageCustomer, OutageSetting

# The default of the short-interruption threshold; the setting in force wins
# (``short_interruption_minutes``).
SHORT_INTERRUPTION_MINUTES = OutageSetting.SPEC[OutageSetting.SHORT_INTERRUPTION_MINUTES][0]
# Interruptions caused by insufficient system capacity (限电), left out of RS-3.
CAPACITY_SHORTAGE_KINDS = frozenset({OutageKind.ORDERED})
MED_HISTORY_YEARS = 5
MED_BETA_FACTOR = 2.5

LEVELS = ("area", "feeder", "station", "county", "company")
UNIT_LEVELS = {"station": UnitKind.STATION, "county": UnitKind.COUNTY, "company": UnitKind.COMPANY}


@dataclass
class ReliabilityRow:
    level: str
    code: str
    name: str
    customers: int = 0
    interruptions: int = 0
    customer_interruptions: int = 0
    customer_minutes: float = 0.0
    planned_customer_interruptions: int = 0
    planned_customer_minutes: float = 0.0
    unplanned_customer_interruptions: int = 0
    unplanned_customer_minutes: float = 0.0
    saifi: float | None = None
    saidi_minutes: float | None = None
    caidi_minutes: float | None = None
    asai: float | None = None
    rs3_customer_minutes: float = 0.0
    asai_rs3: float | None = None
    period_minutes: float = 0.0
    # Major event days (None: not computed; see ``major_event_days``).
    med_days: int | None = None
    t_med_minutes: float | None = None
    saifi_excl_med: float | None = None
    saidi_minutes_excl_med: float | None = None
    outage_ids: set = field(default_factory=set, repr=False)
    med_customer_interruptions: int = field(default=0, repr=False)
    med_customer_minutes: float = field(default=0.0, repr=False)

    INTERNAL = ("outage_ids", "med_customer_interruptions", "med_customer_minutes")

    def finish(self) -> None:
        self.interruptions = len(self.outage_ids)
        for name in (
            "customer_minutes",
            "planned_customer_minutes",
            "unplanned_customer_minutes",
            "rs3_customer_minutes",
            "med_customer_minutes",
        ):
            setattr(self, name, round(getattr(self, name), 4))
        if self.customers:
            self.saifi = self.customer_interruptions / self.customers
            self.saidi_minutes = self.customer_minutes / self.customers
            self.asai = 1 - self.customer_minutes / (self.customers * self.period_minutes)
            self.asai_rs3 = 1 - self.rs3_customer_minutes / (self.customers * self.period_minutes)
            if self.med_days is not None:
                kept = self.customer_interruptions - self.med_customer_interruptions
                self.saifi_excl_med = kept / self.customers
                self.saidi_minutes_excl_med = (
                    round(self.customer_minutes - self.med_customer_minutes, 4) / self.customers
                )
        if self.customer_interruptions:
            self.caidi_minutes = self.customer_minutes / self.customer_interruptions

    def as_dict(self) -> dict:
        d = asdict(self)
        for name in self.INTERNAL:
            d.pop(name)
        return d


@dataclass
class MajorEventDays:
    """Major event days of a period for the whole system (IEEE 1366 2.5 beta method)."""

    start: dt.date
    end: dt.date
    history_start: dt.date  # the first day of the five years the method needs
    history_days_needed: int
    history_days: int  # days from the earliest recorded interruption to the period start
    customers: int
    computed: bool = False
    reason: str = ""  # when not computed: "history" (under five years) or "sample"
    fit_days: int = 0  # days of the history with interruptions (the log-normal fit)
    alpha: float | None = None
    beta: float | None = None
    t_med_minutes: float | None = None
    days: list[tuple[dt.date, float]] = field(default_factory=list)  # (MED, its daily SAIDI)

    @property
    def dates(self) -> frozenset[dt.date]:
        return frozenset(d for d, _saidi in self.days)


def short_interruption_minutes() -> int:
    """The short-interruption threshold in force (minutes): the admin-edited setting."""
    return OutageSetting.get(OutageSetting.SHORT_INTERRUPTION_MINUTES)


def med_threshold(daily_saidi: list[float]) -> tuple[float, float, float]:
    """(alpha, beta, T_MED) of the non-zero daily SAIDI values (at least two)."""
    logs = [math.log(v) for v in daily_saidi if v > 0]
    alpha = statistics.fmean(logs)
    beta = statistics.stdev(logs)
    return alpha, beta, math.exp(alpha + MED_BETA_FACTOR * beta)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # February 29th
        return day.replace(year=day.year - years, day=28)


def major_event_days(
    *,
    start: dt.date,
    end: dt.date,
    threshold_minutes: float | None = None,
    now: dt.datetime | None = None,
) -> MajorEventDays:
    """The major event days of ``[start, end]`` over every customer, with T_MED and the fit,
    or a result with ``computed=False`` saying why. Three queries: the customers, the
    earliest interruption, and the daily minutes grouped by local day in the database."""
    if end < start:
        raise ValueError("end before start")
    if threshold_minutes is None:
        threshold_minutes = short_interruption_minutes()
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    history_start = _years_before(start, MED_HISTORY_YEARS)
    earliest = OutageCustomer.objects.aggregate(first=Min("started_at"))["first"]
    first_day = earliest.astimezone(tz).date() if earliest else None
    result = MajorEventDays(
        start=start,
        end=end,
        history_start=history_start,
        history_days_needed=(start - history_start).days,
        history_days=max(0, (start - first_day).days) if first_day else 0,
        customers=Customer.objects.count(),
    )
    if first_day is None or first_day > history_start:
        result.reason = "history"
        return result
    h_start, _ = period_bounds(history_start, start)
    _, p_end = period_bounds(start, end)
    duration = ExpressionWrapper(
        Coalesce(F("restored_at"), Value(now, output_field=DateTimeField())) - F("started_at"),
        output_field=DurationField(),
    )
    daily = (
        OutageCustomer.objects.filter(started_at__gte=h_start, started_at__lt=p_end)
        .annotate(duration=duration)
        .filter(duration__gte=dt.timedelta(minutes=threshold_minutes))
        .annotate(day=TruncDate("started_at", tzinfo=tz))
        .values_list("day")
        .annotate(total=Sum("duration"))
        .order_by()
    )
    saidi = {}
    if result.customers:
        saidi = {day: total.total_seconds() / 60 / result.customers for day, total in daily}
    history = [v for day, v in saidi.items() if day < start and v > 0]
    result.fit_days = len(history)
    if len(history) < 2:
        result.reason = "sample"
        return result
    result.alpha, result.beta, result.t_med_minutes = med_threshold(history)
    result.days = sorted((d, v) for d, v in saidi.items() if start <= d <= end and v > result.t_med_minutes)
    result.computed = True
    return result


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of ``start`` and of the day after ``end`` (aware datetimes)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _groups(level: str) -> tuple[dict, dict, dict]:
    """(station or asset id -> group key, group key -> (code, name), key -> customers)."""
    if level == "area":
        names = {
            a["pk"]: (a["code"], a["name"]) for a in TransformerArea.objects.values("pk", "code", "name")
        }
        counts = dict(Customer.objects.values_list("area_id").annotate(n=Count("pk")).order_by())
        return {k: k for k in names}, names, counts
    if level == "feeder":
        names = {f["pk"]: (f["code"], f["name"]) for f in Feeder.objects.values("pk", "code", "name")}
        counts = dict(Customer.objects.values_list("area__feeder_id").annotate(n=Count("pk")).order_by())
        return {k: k for k in names}, names, counts
    # Units: each supply station rolls up to its ancestor of the level's kind (by path).
    kind = UNIT_LEVELS[level]
    targets = list(OrgUnit.objects.filter(kind=kind).values("pk", "code", "name", "path"))
    names = {u["pk"]: (u["code"], u["name"]) for u in targets}
    station_key = {}
    for s in OrgUnit.objects.filter(kind=UnitKind.STATION).values("pk", "path"):
        for u in targets:
            if s["path"].startswith(u["path"]):
                station_key[s["pk"]] = u["pk"]
                break
    per_station = Customer.objects.values_list("area__station_id").annotate(n=Count("pk")).order_by()
    counts: dict = defaultdict(int)
    for sid, n in per_station:
        if sid in station_key:
            counts[station_key[sid]] += n
    return station_key, names, dict(counts)


def reliability(
    *,
    start: dt.date,
    end: dt.date,
    level: str = "station",
    threshold_minutes: float | None = None,
    now: dt.datetime | None = None,
    major_events: MajorEventDays | None = None,
) -> list[ReliabilityRow]:
    """The figures per asset of ``level`` (every asset with customers or interruptions),
    ordered by code. ``threshold_minutes`` None: the setting in force. With
    ``major_events`` (of the same period) the rows carry the figures without the MEDs."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    if end < start:
        raise ValueError("end before start")
    if major_events is not None and (major_events.start, major_events.end) != (start, end):
        raise ValueError("major_events of another period")
    if threshold_minutes is None:
        threshold_minutes = short_interruption_minutes()
    med_computed = major_events is not None and major_events.computed
    med_dates = major_events.dates if med_computed else frozenset()
    tz = ZoneInfo(settings.TIME_ZONE)
    p_start, p_end = period_bounds(start, end)
    now = now or timezone.now()
    period_minutes = (p_end - p_start).total_seconds() / 60
    threshold = dt.timedelta(minutes=threshold_minutes)
    key_of, names, counts = _groups(level)
    column = {"area": "area_id", "feeder": "area__feeder_id"}.get(level, "area__station_id")

    rows: dict = {}

    def row(key) -> ReliabilityRow:
        if key not in rows:
            code, name = names[key]
            rows[key] = ReliabilityRow(
                level=level,
                code=code,
                name=name,
                customers=counts.get(key, 0),
                period_minutes=period_minutes,
                med_days=len(med_dates) if med_computed else None,
                t_med_minutes=major_events.t_med_minutes if med_computed else None,
            )
        return rows[key]

    for key in counts:
        if key in names:
            row(key)

    qs = (
        OutageCustomer.objects.filter(started_at__lt=p_end)
        .filter(Q(restored_at__isnull=True) | Q(restored_at__gt=p_start))
        .values_list(column, "outage_id", "outage__kind", "started_at", "restored_at")
        .order_by()
    )
    for asset, outage_id, kind, began, restored in qs.iterator(chunk_size=5000):
        key = key_of.get(asset)
        if key is None:
            continue
        finished = restored or now
        if finished - began < threshold:
            continue
        minutes = (min(finished, p_end) - max(began, p_start)).total_seconds() / 60
        if minutes < 0:
            minutes = 0.0
        counted = began >= p_start
        r = row(key)
        planned = kind in PLANNED_KINDS
        r.customer_minutes += minutes
        if kind not in CAPACITY_SHORTAGE_KINDS:
            r.rs3_customer_minutes += minutes
        if counted and med_dates and began.astimezone(tz).date() in med_dates:
            r.med_customer_interruptions += 1
            r.med_customer_minutes += minutes
        if planned:
            r.planned_customer_minutes += minutes
        else:
            r.unplanned_customer_minutes += minutes
        if counted:
            r.outage_ids.add(outage_id)
            r.customer_interruptions += 1
            if planned:
                r.planned_customer_interruptions += 1
            else:
                r.unplanned_customer_interruptions += 1
    out = sorted(rows.values(), key=lambda r: r.code)
    for r in out:
        r.finish()
    return out
