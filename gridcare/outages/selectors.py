"""Reads behind the outage pages and API: lists with their customer counts, one outage with
its areas, and the caller lookup of the IVR (is this customer out of power now?).

Everything is scoped to what the acting user may see (``visible_to``); the permission
itself is checked by the view (``@requires`` / ``permissions_by_action``), except in
``outage_list``, which checks it itself (for callers outside a view).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from gridcare.core.authz import require
from gridcare.core.scoping import scope_path
from gridcare.customers.models import Customer

from .choices import ACTIVE_STATUSES, OutageStatus
from .models import Outage, OutageArea, OutageCustomer

# A phone may be shared by several accounts (a landlord's number): look at this many.
LOOKUP_MAX_CUSTOMERS = 20


def _count(qs) -> Subquery:
    counted = qs.order_by().values("outage_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(qs: QuerySet[Outage]) -> QuerySet[Outage]:
    """Annotate ``area_count``, ``customers_affected`` and ``customers_off`` (still out)."""
    per_outage = OutageCustomer.objects.filter(outage_id=OuterRef("pk"))
    return qs.annotate(
        area_count=_count(OutageArea.objects.filter(outage_id=OuterRef("pk"))),
        customers_affected=_count(per_outage),
        customers_off=_count(per_outage.filter(restored_at__isnull=True)),
    )


def outages_for(user, *, status: str | None = None, kind: str | None = None, active: bool | None = None):
    """The outages ``user`` may see, with their counts, newest first."""
    qs = Outage.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if active is True:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif active is False:
        qs = qs.exclude(status__in=ACTIVE_STATUSES)
    return with_counts(qs).order_by("-started_at", "-planned_start", "-id")


def outage_get(user, outage_no: str) -> Outage | None:
    return with_counts(Outage.objects.visible_to(user)).filter(outage_no=outage_no).first()


@dataclass
class AreaRow:
    code: str
    name: str
    started_at: dt.datetime | None
    restored_at: dt.datetime | None
    customers_affected: int
    customers_off: int

    @property
    def restored(self) -> bool:
        return self.restored_at is not None


def outage_area_rows(outage: Outage) -> list[AreaRow]:
    """The outage's transformer areas with their restoration and customer counts (2 queries)."""
    counts = {
        row["area_id"]: row
        for row in OutageCustomer.objects.filter(outage=outage)
        .order_by()
        .values("area_id")
        .annotate(n=Count("pk"), off=Count("pk", filter=Q(restored_at__isnull=True)))
    }
    rows = []
    for oa in OutageArea.objects.filter(outage=outage).select_related("area").order_by("area__code"):
        c = counts.get(oa.area_id, {})
        rows.append(
            AreaRow(
                code=oa.area.code,
                name=oa.area.name,
                started_at=oa.started_at,
                restored_at=oa.restored_at,
                customers_affected=c.get("n", 0),
                customers_off=c.get("off", 0),
            )
        )
    return rows


@dataclass
class CrewTimes:
    """An outage's repair in times: the power off, the crew on its master order (departure,
    arrival, its own isolation and restoration) when the reader may see that order, the
    fault isolated and the power back — with minutes from the start to each."""

    started_at: dt.datetime | None
    isolated_at: dt.datetime | None
    restored_at: dt.datetime | None
    order_no: str = ""
    departed_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    order_isolated_at: dt.datetime | None = None
    order_restored_at: dt.datetime | None = None

    def _minutes(self, end: dt.datetime | None) -> int | None:
        if self.started_at is None or end is None:
            return None
        return round((end - self.started_at).total_seconds() / 60)

    @property
    def to_arrival(self) -> int | None:
        return self._minutes(self.arrived_at)

    @property
    def to_isolation(self) -> int | None:
        return self._minutes(self.isolated_at)

    @property
    def to_restoration(self) -> int | None:
        return self._minutes(self.restored_at)


def outage_crew_times(user, outage: Outage) -> CrewTimes:
    """The outage's repair times as ``user`` may see them (one query for the master order,
    none without one or without ``workorders.view``)."""
    from gridcare.core.authz import has_perm
    from gridcare.workorders.models import WorkOrder

    times = CrewTimes(
        started_at=outage.started_at, isolated_at=outage.isolated_at, restored_at=outage.restored_at
    )
    if outage.master_order_id and has_perm(user, "workorders.view"):
        row = (
            WorkOrder.objects.visible_to(user)
            .filter(pk=outage.master_order_id)
            .values_list("order_no", "departed_at", "arrived_at", "isolated_at", "restored_at")
            .first()
        )
        if row is not None:
            (
                times.order_no,
                times.departed_at,
                times.arrived_at,
                times.order_isolated_at,
                times.order_restored_at,
            ) = row
    return times


# ------------------------------------------------------------------------- caller lookup


def _today_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def caller_outage(user, *, phone: str = "", customer_no: str = "", now: dt.datetime | None = None):
    """``(customer_found, outage or None)``: the outage that has the caller's transformer
    area out now.

    Active means: in progress and the caller's area not yet restored (partial restoration),
    or announced and planned to start today (local date) — a caller asking about tomorrow's
    announced outage is told by the notice, not by the IVR. An outage in progress wins over
    an announced one. The customer is found by ``customer_no`` or by ``phone`` (either phone
    column, indexed), within the user's scope. Two queries.
    """
    now = now or timezone.now()
    path = scope_path(user)
    if path is None:
        return False, None
    # The scope as a join on the customer's station (what ``visible_to`` means for customers)
    # rather than the visible stations read first: one query fewer on every call.
    customers = Customer.objects.filter(station__path__startswith=path) if path else Customer.objects.all()
    if customer_no:
        customers = customers.filter(customer_no=customer_no)
    elif phone:
        customers = customers.filter(Q(phone=phone) | (Q(phone2=phone) & ~Q(phone2="")))
    else:
        return False, None
    area_ids = list(
        {a for a in customers.order_by().values_list("area_id", flat=True)[:LOOKUP_MAX_CUSTOMERS]}
    )
    if not area_ids:
        return False, None
    day_start, day_end = _today_bounds(now)
    row = (
        OutageArea.objects.filter(area_id__in=area_ids)
        .filter(
            Q(outage__status=OutageStatus.IN_PROGRESS, restored_at__isnull=True)
            | Q(
                outage__status=OutageStatus.ANNOUNCED,
                outage__planned_start__gte=day_start,
                outage__planned_start__lt=day_end,
            )
        )
        .select_related("outage")
        .order_by("-outage__status", "outage__planned_start", "outage_id")  # in_progress > announced
        .first()
    )
    return True, (row.outage if row else None)


def outage_list(*, actor):
    """The outages ``actor`` may see (``outages.view``), newest first."""
    require(actor, "outages.view")
    return Outage.objects.visible_to(actor).order_by("-started_at", "-id")
