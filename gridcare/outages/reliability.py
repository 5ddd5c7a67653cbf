"""Supply reliability (供电可靠性, RS-1) over a period, per transformer area, feeder, supply
station, county or company — pure computation over the frozen ``OutageCustomer`` rows.

Definitions (one place; the CLI and any later page read these):

* period: local dates ``[start, end]``, both inclusive, in the site's time zone
  (``settings.TIME_ZONE``, Asia/Shanghai): from ``start`` 00:00 to the day after ``end`` 00:00.
* customers: the customers hanging on the asset now (Customer rows under it; the customer
  register keeps no history, so "at the end of the period" is read as "now").
* a customer interruption is one ``OutageCustomer`` row. It is counted in the period in which
  it *started*; its minutes are clipped to the period (an outage across midnight of the
  last day gives its minutes to both periods). So figures of adjacent periods add up.
  A customer still out is counted up to ``now`` (or the end of the period, if earlier).
* interruptions shorter than ``SHORT_INTERRUPTION_MINUTES`` (whole duration, not the clipped
  part) are not interruptions (RS-1: short interruptions are excluded). The threshold is a
  module constant for now and a parameter of ``reliability``; it becomes a settings table
  edited on the settings pages later.
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
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from gridcare.customers.models import Customer
from gridcare.grid.models import Feeder, TransformerArea
from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit

from .choices import PLANNED_KINDS
from .models import OutageCustomer

# Interruptions shorter than this are excluded (configurable later: a settings table).
SHORT_INTERRUPTION_MINUTES = 3

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
    period_minutes: float = 0.0
    outage_ids: set = field(default_factory=set, repr=False)

    def finish(self) -> None:
        self.interruptions = len(self.outage_ids)
        for name in ("customer_minutes", "planned_customer_minutes", "unplanned_customer_minutes"):
            setattr(self, name, round(getattr(self, name), 4))
        if self.customers:
            self.saifi = self.customer_interruptions / self.customers
            self.saidi_minutes = self.customer_minutes / self.customers
            self.asai = 1 - self.customer_minutes / (self.customers * self.period_minutes)
        if self.customer_interruptions:
            self.caidi_minutes = self.customer_minutes / self.customer_interruptions

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("outage_ids")
        return d


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
    threshold_minutes: float = SHORT_INTERRUPTION_MINUTES,
    now: dt.datetime | None = None,
) -> list[ReliabilityRow]:
    """The figures per asset of ``level`` (every asset with customers or interruptions),
    ordered by code."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    if end < start:
        raise ValueError("end before start")
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
                level=level, code=code, name=name, customers=counts.get(key, 0), period_minutes=period_minutes
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
