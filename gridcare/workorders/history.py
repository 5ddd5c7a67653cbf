"""Bulk history of work orders: the one writer's fast path for volume that did not happen
live (the demo utility's months of orders, the escalation side of that history).

Rows are built by the caller with the work order's pure rules (``workorders.rules``, the
transition table, the commitment catalog) and written here in one go: no per-order
service call, no announcement (nothing reacts to the past), no audit row per order.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from gridcare.core.bulk import fast_insert

from .models import OrderNumberCounter, WorkOrder, WorkOrderClock, WorkOrderEvent


def next_order_id() -> int:
    """The first free primary key (history assigns ids itself so children, clocks and events
    can point at their orders without a round trip per batch)."""
    return (WorkOrder.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def work_orders_write_history(*, orders: list, events: list, clocks: list, counters: dict) -> None:
    """Insert history orders (with their ids set), their timeline and clocks, and move the
    order-number counters past them — in one transaction; the id sequence is reset after."""
    with transaction.atomic():
        fast_insert(WorkOrder, orders, with_pk=True)
        fast_insert(WorkOrderEvent, events)
        fast_insert(WorkOrderClock, clocks)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [WorkOrder]):
                cursor.execute(sql)
        OrderNumberCounter.objects.bulk_create(
            [OrderNumberCounter(day=d, scope=scope, last=n) for (d, scope), n in counters.items()],
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["day", "scope"],
            update_fields=["last"],
        )


def work_order_events_append(events: Iterable[WorkOrderEvent], *, batch: int = 5000) -> None:
    """Add history entries to existing orders' timelines (warnings, escalations, urges)."""
    WorkOrderEvent.objects.bulk_create(list(events), batch_size=batch)


def work_orders_update_history(orders: list[WorkOrder], fields: list[str], *, batch: int = 5000) -> None:
    """Store what history changed on existing orders (version, urge count, priority)."""
    allowed = {"version", "urge_count", "priority"}
    if not set(fields) <= allowed:
        raise ValueError(f"history may only change {sorted(allowed)}")
    WorkOrder.objects.bulk_update(orders, fields, batch_size=batch)
