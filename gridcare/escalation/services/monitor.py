"""The time-limit monitor: warnings before a deadline, escalation at the breach.

Each order has an ``SlaWatch`` whose ``next_at`` is the earliest moment one of its
running clocks reaches a level it has not reached yet. The sweep reads only watches
that are due (an indexed range), locks each order (``SKIP LOCKED``: another worker, or
a person acting on it, has it now and the next sweep takes it), records the levels
reached — ``SlaWarning`` is unique per (order, clock run, level), so nothing is warned
or escalated twice — and moves ``next_at`` on. A batch is one transaction: a worker
killed mid-sweep loses the batch, and the next sweep redoes it from the same rows.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from gridcare.workorders.choices import CLOSED_STATUSES, Action, ClockKind
from gridcare.workorders.models import WorkOrder, WorkOrderClock

from ..choices import EscalationReason, NotificationKind
from ..models import EscalationSetting, SlaWarning, SlaWatch, WarningLevel
from ._common import now_or, order_note, supervisors_at
from .escalating import order_escalate
from .notifications import notification_create_many


def _levels() -> list[WarningLevel]:
    return list(WarningLevel.objects.filter(active=True).order_by("percent"))


def clock_threshold(clock: WorkOrderClock, percent: int) -> dt.datetime:
    """When ``clock`` has used ``percent`` of its allowed time (paused time not counted)."""
    allowed = (clock.due_at - clock.started_at).total_seconds() - clock.paused_seconds
    allowed = max(allowed, 0)
    return clock.due_at - dt.timedelta(seconds=allowed * (100 - percent) / 100)


def _running(clocks) -> list[WorkOrderClock]:
    return [c for c in clocks if c.met_at is None and c.paused_since is None]


def _fired(order_id: int) -> set[tuple[str, dt.datetime, int]]:
    return set(
        SlaWarning.objects.filter(order_id=order_id).values_list("clock_kind", "clock_started_at", "level_id")
    )


def _next_at(order: WorkOrder, clocks, levels, fired) -> dt.datetime | None:
    if order.status in CLOSED_STATUSES:
        return None
    pending = [
        clock_threshold(c, lv.percent)
        for c in _running(clocks)
        for lv in levels
        if (c.kind, c.started_at, lv.pk) not in fired
    ]
    return min(pending) if pending else None


def sla_watch_refresh(*, order: WorkOrder | int, levels=None) -> SlaWatch:
    """Recompute one order's watch from its clocks (after any change to the order).

    Takes the order's row lock first, like every writer of the order, so it cannot
    deadlock with a sweep.
    """
    pk = order.pk if isinstance(order, WorkOrder) else order
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update(of=("self",)).only("id", "status", "version").get(pk=pk)
        clocks = list(WorkOrderClock.objects.filter(order_id=pk))
        next_at = _next_at(locked, clocks, levels if levels is not None else _levels(), _fired(pk))
        watch, created = SlaWatch.objects.get_or_create(
            order_id=pk, defaults={"next_at": next_at, "order_version": locked.version}
        )
        if not created:
            SlaWatch.objects.filter(pk=pk).update(next_at=next_at, order_version=locked.version)
            watch.next_at, watch.order_version = next_at, locked.version
        return watch


def _process(order: WorkOrder, levels, now: dt.datetime, stats: dict) -> None:
    clocks = list(WorkOrderClock.objects.filter(order_id=order.pk))
    fired = _fired(order.pk)
    reached: list[tuple[WorkOrderClock, WarningLevel, SlaWarning]] = []
    if order.status not in CLOSED_STATUSES:
        for clock in _running(clocks):
            for level in levels:
                key = (clock.kind, clock.started_at, level.pk)
                threshold = clock_threshold(clock, level.percent)
                if key in fired or threshold > now:
                    continue
                try:
                    with transaction.atomic():
                        warning = SlaWarning.objects.create(
                            order=order,
                            clock=clock,
                            clock_kind=clock.kind,
                            clock_started_at=clock.started_at,
                            clock_due_at=clock.due_at,
                            level=level,
                            percent=level.percent,
                            threshold_at=threshold,
                            at=now,
                            unit_id=order.unit_id,
                            unit_path=order.unit_path,
                        )
                except IntegrityError:  # another worker recorded it first
                    fired.add(key)
                    continue
                fired.add(key)
                stats["warnings"] += 1
                escalation = None
                if level.escalate:
                    escalation = order_escalate(
                        order=order,
                        reason=EscalationReason.BREACH,
                        warning=warning,
                        note=f"{ClockKind(clock.kind).label}时限已到期",
                        now=now,
                    )
                    stats["escalations"] += escalation is not None
                if escalation is None:  # an escalation is on the timeline already
                    order_note(
                        order,
                        action=Action.WARN,
                        note=f"{level.name}：「{ClockKind(clock.kind).label}」时限已用{level.percent}%"
                        f"（{timezone.localtime(clock.due_at):%m-%d %H:%M} 到期）",
                        data={"clock": clock.kind, "level": level.code, "percent": level.percent},
                        now=now,
                    )
                reached.append((clock, level, warning))
    if reached:
        clock, level, _ = max(reached, key=lambda r: r[1].percent)
        if not level.escalate:  # escalation already told everyone
            text = (
                f"工单 {order.order_no}「{ClockKind(clock.kind).label}」时限已用{level.percent}%，请抓紧处理"
            )
            notification_create_many(
                recipients=[order.handler_id, order.accepted_by_id, *supervisors_at([order.unit_id])],
                kind=NotificationKind.WARNING,
                text=text,
                order=order,
                now=now,
            )
    SlaWatch.objects.filter(pk=order.pk).update(
        next_at=_next_at(order, clocks, levels, fired), order_version=order.version
    )


def sla_sweep(
    *, now: dt.datetime | None = None, batch: int | None = None, max_batches: int | None = None
) -> dict:
    """Warn and escalate every order whose next level is due; returns counts.

    ``examined`` counts the orders read — only those whose watch is due, i.e. whose
    state changes now.
    """
    now = now_or(now)
    batch = batch or EscalationSetting.get(EscalationSetting.SWEEP_BATCH)
    levels = _levels()
    stats = {"examined": 0, "warnings": 0, "escalations": 0, "batches": 0}
    last_pk = 0
    while max_batches is None or stats["batches"] < max_batches:
        with transaction.atomic():
            # Lock the orders themselves (skip the ones someone holds), in pk order within
            # the due set; ``last_pk`` keeps a skipped or unchanged order from looping.
            orders = list(
                WorkOrder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(sla_watch__next_at__lte=now, pk__gt=last_pk)
                .only(
                    "id",
                    "order_no",
                    "status",
                    "version",
                    "unit_id",
                    "unit_path",
                    "handler_id",
                    "accepted_by_id",
                )
                .order_by("pk")[:batch]
            )
            if not orders:
                break
            stats["batches"] += 1
            for order in orders:
                stats["examined"] += 1
                _process(order, levels, now, stats)
            last_pk = orders[-1].pk
    return stats


def sla_reconcile(*, limit: int = 5000) -> int:
    """Recompute watches that are missing or behind their order (bulk-written orders, or a
    process that died between a commit and its signal). Only active orders are read."""
    from gridcare.workorders.choices import ACTIVE_STATUSES

    stale = list(
        WorkOrder.objects.filter(status__in=ACTIVE_STATUSES)
        .filter(Q(sla_watch__isnull=True) | ~Q(sla_watch__order_version=F("version")))
        .values_list("pk", flat=True)[:limit]
    )
    levels = _levels()
    for pk in stale:
        sla_watch_refresh(order=pk, levels=levels)
    return len(stale)
