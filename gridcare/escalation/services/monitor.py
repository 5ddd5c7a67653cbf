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

from django.db import transaction
from django.db.models import F, Q

from gridcare.core.messages import msg
from gridcare.org.choices import Role
from gridcare.workorders.choices import CLOSED_STATUSES, Action
from gridcare.workorders.models import WorkOrder, WorkOrderClock

from ..choices import EscalationReason, NotificationEvent, NotificationKind
from ..models import (
    EscalationSetting,
    Notification,
    NotificationDigestItem,
    SlaWarning,
    SlaWatch,
    WarningLevel,
)
from ._common import now_or, order_note
from .escalating import order_escalate
from .notifications import (
    OrderParties,
    notification_deliveries,
    notification_rows,
    notification_rules,
    roles_needed,
    unit_staff,
)


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


def sla_watch_create(*, order: WorkOrder, levels=None) -> None:
    """A new order's watch (the order was just created): nothing can have been warned
    yet and no other writer has touched the watch, so no lock and no warning lookup —
    the clocks, then one insert. A watch already there (the reconcile job was first,
    from the locked order) is left as it is."""
    clocks = list(WorkOrderClock.objects.filter(order_id=order.pk))
    next_at = _next_at(order, clocks, levels if levels is not None else _levels(), set())
    SlaWatch.objects.bulk_create(
        [SlaWatch(order_id=order.pk, next_at=next_at, order_version=order.version)], ignore_conflicts=True
    )


def _warning_note(order: WorkOrder, clock: WorkOrderClock, level: WarningLevel, now: dt.datetime) -> None:
    order_note(
        order,
        action=Action.WARN,
        msg=msg("order.warned", clock=clock.kind, percent=level.percent, due=clock.due_at),
        data={"clock": clock.kind, "level": level.code, "percent": level.percent},
        now=now,
    )


def _process(order: WorkOrder, levels, now: dt.datetime, stats: dict, ctx: dict) -> None:
    """One locked order of a batch: its warnings were written already (``ctx["new"]``);
    put them on the timeline, escalate at a breach, queue the notifications and the
    watch update (written for the whole batch by ``_flush``)."""
    clocks = ctx["clocks"].get(order.pk, [])
    fired = ctx["fired"].setdefault(order.pk, set())
    reached: list[tuple[WorkOrderClock, WarningLevel, SlaWarning]] = []
    for clock, level, warning in ctx["new"].get(order.pk, []):
        fired.add((clock.kind, clock.started_at, level.pk))
        stats["warnings"] += 1
        escalation = None
        if level.escalate:
            escalation = order_escalate(
                order=order,
                reason=EscalationReason.BREACH,
                warning=warning,
                now=now,
            )
            stats["escalations"] += escalation is not None
        if escalation is None:  # an escalation is on the timeline already
            _warning_note(order, clock, level, now)
        reached.append((clock, level, warning))
    if reached:
        clock, level, _ = max(reached, key=lambda r: r[1].percent)
        if not level.escalate:  # escalation already told everyone
            text = msg("notify.warning", no=order.order_no, clock=clock.kind, percent=level.percent)
            staff = ctx["staff"].get(order.unit_path, {})
            parties = OrderParties(
                handler=order.handler_id,
                owner=order.accepted_by_id,
                supervisors=staff.get(Role.SUPERVISOR, []),
                dispatchers=staff.get(Role.DISPATCHER, []),
            )
            deliveries = notification_deliveries(
                event=NotificationEvent.WARNING, parties=parties, rules=ctx["rules"]
            )
            notes, items = notification_rows(
                deliveries,
                kind=NotificationKind.WARNING,
                event=NotificationEvent.WARNING,
                text=text,
                order_id=order.pk,
                order_no=order.order_no,
                now=now,
            )
            ctx["notifications"].extend(notes)
            ctx["digest_items"].extend(items)
    ctx["watches"].append(
        SlaWatch(
            order_id=order.pk, next_at=_next_at(order, clocks, levels, fired), order_version=order.version
        )
    )


def _prepare(orders: list[WorkOrder], levels, now: dt.datetime, rules: dict) -> dict:
    """Read the batch's clocks and fired warnings (two queries), then write every level
    reached in one insert. Each order is locked by this worker and ``fired`` was read
    after the lock, so every row inserted is new; ``ignore_conflicts`` (the unique
    constraint) still keeps a duplicate from ever being written."""
    ids = [o.pk for o in orders]
    clocks: dict[int, list[WorkOrderClock]] = {}
    for clock in WorkOrderClock.objects.filter(order_id__in=ids):
        clocks.setdefault(clock.order_id, []).append(clock)
    fired: dict[int, set] = {}
    for order_id, kind, started, level_id in SlaWarning.objects.filter(order_id__in=ids).values_list(
        "order_id", "clock_kind", "clock_started_at", "level_id"
    ):
        fired.setdefault(order_id, set()).add((kind, started, level_id))
    candidates: list[tuple[WorkOrder, WorkOrderClock, WarningLevel, SlaWarning]] = []
    for order in orders:
        if order.status in CLOSED_STATUSES:
            continue
        done = fired.get(order.pk, set())
        for clock in _running(clocks.get(order.pk, [])):
            for level in levels:
                threshold = clock_threshold(clock, level.percent)
                if (clock.kind, clock.started_at, level.pk) in done or threshold > now:
                    continue
                warning = SlaWarning(
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
                candidates.append((order, clock, level, warning))
    new: dict[int, list] = {}
    paths: set[str] = set()
    if candidates:
        SlaWarning.objects.bulk_create([c[3] for c in candidates], ignore_conflicts=True)
        touched = {c[0].pk for c in candidates}
        # The rows' ids (an escalation points at its warning), and which were ours.
        stored = {
            (o, k, s, lv): (pk, at)
            for pk, o, k, s, lv, at in SlaWarning.objects.filter(order_id__in=touched).values_list(
                "pk", "order_id", "clock_kind", "clock_started_at", "level_id", "at"
            )
        }
        for order, clock, level, warning in candidates:
            key = (order.pk, clock.kind, clock.started_at, level.pk)
            pk, at = stored.get(key, (None, None))
            if pk is None:  # pragma: no cover - the row cannot vanish under our lock
                continue
            if at != now:  # another worker recorded it first
                fired.setdefault(order.pk, set()).add(key[1:])
                continue
            warning.pk = pk
            new.setdefault(order.pk, []).append((clock, level, warning))
            if not level.escalate:
                paths.add(order.unit_path)
    # The warned orders' units' supervisors and dispatchers, in one query.
    roles = roles_needed(NotificationEvent.WARNING, rules)
    return {
        "clocks": clocks,
        "fired": fired,
        "new": new,
        "rules": rules,
        "staff": unit_staff(paths, roles) if paths and roles else {},
        "notifications": [],
        "digest_items": [],
        "watches": [],
    }


def _flush(ctx: dict) -> None:
    if ctx["notifications"]:
        Notification.objects.bulk_create(ctx["notifications"])
    if ctx["digest_items"]:
        NotificationDigestItem.objects.bulk_create(ctx["digest_items"])
    if ctx["watches"]:
        SlaWatch.objects.bulk_update(ctx["watches"], ["next_at", "order_version"])


def sla_sweep(
    *, now: dt.datetime | None = None, batch: int | None = None, max_batches: int | None = None
) -> dict:
    """Warn and escalate every order whose next level is due; returns counts.

    ``examined`` counts the orders read — only those whose watch is due, i.e. whose
    state changes now. A batch costs a constant number of queries (the due watches, the
    locked orders, their clocks and warnings, one insert of the warnings, one of the
    notifications, one update of the watches) plus the timeline entry of each warning
    and the escalations.
    """
    now = now_or(now)
    batch = batch or EscalationSetting.get(EscalationSetting.SWEEP_BATCH)
    levels = _levels()
    rules = None  # the notification rules, read once a sweep finds work
    stats = {"examined": 0, "warnings": 0, "escalations": 0, "batches": 0}
    last_pk = 0
    while max_batches is None or stats["batches"] < max_batches:
        with transaction.atomic():
            # The due watches in order-id order (the ``next_at`` index), then lock those
            # orders (skip the ones someone holds); ``last_pk`` keeps a skipped or
            # unchanged order from looping.
            ids = list(
                SlaWatch.objects.filter(next_at__lte=now, order_id__gt=last_pk)
                .order_by("order_id")
                .values_list("order_id", flat=True)[:batch]
            )
            if not ids:
                break
            last_pk = ids[-1]
            orders = list(
                WorkOrder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=ids)
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
                .order_by("pk")
            )
            if not orders:
                continue
            stats["batches"] += 1
            if rules is None:
                rules = notification_rules()
            ctx = _prepare(orders, levels, now, rules)
            for order in orders:
                stats["examined"] += 1
                _process(order, levels, now, stats, ctx)
            _flush(ctx)
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
