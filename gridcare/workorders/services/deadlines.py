"""Deadlines after a change of the working-day calendar (a year's holidays entered or edited)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from gridcare.core.audit import audit_record
from gridcare.core.calendar import CalendarData, local_tz
from gridcare.core.models import AuditEvent

from ..choices import ClockBasis
from ..models import WorkOrder, WorkOrderClock
from ..rules import clock_due
from ..signals import work_order_deadlines_moved
from ._common import _refresh_due

CHUNK_ORDERS = 500


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(local_tz()).isoformat(timespec="minutes")


def work_order_deadlines_recompute(
    *,
    actor,
    years: Iterable[int],
    previous: CalendarData,
    dates: Iterable[dt.date] | None = None,
    note: str = "",
) -> int:
    """Move every working-day deadline that a change of the calendar of ``years`` moves.

    Runs in the transaction of the change (``core.calendar.calendar_changed``), whose writer
    checked the permission; ``previous`` is the calendar before it. A clock's deadline is its
    count of working days from its start plus whatever was added to it since (time paused),
    so the change moves it by what it does to the count: new deadline = old deadline +
    (count on the new calendar − count on ``previous``). Only clocks whose count runs
    through one of ``years`` (one of ``dates``, the days that changed, when given) can move,
    met ones included (their "met late" follows). Each
    order concerned is locked like every writer of orders; an order whose deadlines moved
    gets its nearest deadline (``due_at``) refreshed, its version bumped (the time-limit
    watch recomputes from it) and an audit event with the old and new time of every clock
    that moved. Returns the number of clocks moved.
    """
    years = sorted(set(years))
    tz = local_tz()
    if dates is not None:
        dates = sorted(set(dates))
        if not dates:  # a year confirmed without a day changing: only the 暂定 marks go
            return 0
        lo = dt.datetime.combine(dates[0], dt.time(0, 0), tzinfo=tz)
        hi = dt.datetime.combine(dates[-1] + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    elif years:
        lo = dt.datetime(years[0], 1, 1, tzinfo=tz)
        hi = dt.datetime(years[-1] + 1, 1, 1, tzinfo=tz)
    else:
        return 0
    touching = WorkOrderClock.objects.filter(basis=ClockBasis.WORKING_DAYS, started_at__lt=hi, due_at__gte=lo)
    order_ids = sorted(set(touching.values_list("order_id", flat=True)))
    moved_clocks = 0
    moved_orders: list[int] = []
    with transaction.atomic():
        for i in range(0, len(order_ids), CHUNK_ORDERS):
            chunk = order_ids[i : i + CHUNK_ORDERS]
            orders = {
                o.pk: o
                for o in WorkOrder.objects.select_for_update(of=("self",))
                .filter(pk__in=chunk)
                .order_by("pk")
                .only("pk", "order_no", "status", "due_at", "unit_path")
            }
            clocks: dict[int, list[WorkOrderClock]] = defaultdict(list)
            for clock in WorkOrderClock.objects.filter(order_id__in=chunk):
                clocks[clock.order_id].append(clock)
            changed: list[WorkOrderClock] = []
            changes: dict[int, dict] = defaultdict(dict)
            for order_id, order_clocks in clocks.items():
                for c in order_clocks:
                    if c.basis != ClockBasis.WORKING_DAYS or not (c.started_at < hi and c.due_at >= lo):
                        continue
                    shift = clock_due(c.basis, c.amount, c.started_at) - clock_due(
                        c.basis, c.amount, c.started_at, calendar=previous
                    )
                    if shift:
                        changes[order_id][f"due_at:{c.kind}"] = [_iso(c.due_at), _iso(c.due_at + shift)]
                        c.due_at += shift
                        changed.append(c)
            if not changed:
                continue
            WorkOrderClock.objects.bulk_update(changed, ["due_at"], batch_size=1000)
            events, refreshed = [], []
            for order_id, diff in changes.items():
                order = orders[order_id]
                before = order.due_at
                _refresh_due(order, clocks[order_id])
                if order.due_at != before:
                    diff["due_at"] = [_iso(before), _iso(order.due_at)]
                    refreshed.append(order)
                events.append(
                    AuditEvent(
                        actor=actor if getattr(actor, "pk", None) else None,
                        action="work_order.deadlines_recompute",
                        object_type="workorders.workorder",
                        object_id=str(order_id),
                        object_repr=order.order_no,
                        changes=diff,
                        note=note,
                        unit_path=order.unit_path,
                    )
                )
            WorkOrder.objects.bulk_update(refreshed, ["due_at"], batch_size=1000)
            WorkOrder.objects.filter(pk__in=list(changes)).update(version=F("version") + 1)
            AuditEvent.objects.bulk_create(events, batch_size=1000)
            moved_clocks += len(changed)
            moved_orders += list(changes)
        audit_record(
            actor=actor,
            action="work_order.deadlines_recompute",
            object_type="workorders.workorder",
            object_id="*",
            object_repr=", ".join(str(y) for y in years),
            changes={"clocks": moved_clocks, "orders": len(moved_orders)},
            note=note,
        )
        if moved_orders:
            # Copies of deadlines elsewhere (callback tasks) follow, in the same transaction.
            work_order_deadlines_moved.send(sender=WorkOrder, order_ids=moved_orders)
    return moved_clocks
