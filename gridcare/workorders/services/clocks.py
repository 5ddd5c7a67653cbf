"""Pausing and resuming an order's clocks (waiting for the customer)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gridcare.core.errors import ConflictError
from gridcare.core.limits import TEXT_MAX, check_length

from ..choices import (
    OPEN_STATUSES,
    Action,
)
from ..models import (
    WorkOrder,
    WorkOrderClock,
)
from ._common import _check_role, _lock, _now, _record, _refresh_due, _require_reason, _save_quiet


def work_order_pause_clock(
    *,
    actor,
    order: WorkOrder | int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Stop the running clocks while waiting on the customer (reason recorded)."""
    _check_role(actor, Action.PAUSE)
    reason = _require_reason(Action.PAUSE, reason)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        if order.status not in OPEN_STATUSES:
            raise ConflictError(_("只有处理中的工单可以暂停计时"), code="invalid_transition", field="status")
        if order.clock_paused_at is not None:
            raise ConflictError(_("计时已暂停"), code="already_paused", field="status")
        clocks = list(order.clocks.all())
        running = [c for c in clocks if c.is_running]
        if not running:
            raise ConflictError(_("没有正在计时的时限"), code="no_running_clock", field="status")
        for clock in running:
            clock.paused_since = now
        WorkOrderClock.objects.bulk_update(running, ["paused_since"])
        order.clock_paused_at = now
        _refresh_due(order, clocks)
        _save_quiet(order, ["clock_paused_at", "due_at"])
        _record(
            order,
            action=Action.PAUSE,
            actor=actor,
            from_status=order.status,
            to_status=order.status,
            now=now,
            note=reason,
            data={"clocks": [c.kind for c in running]},
        )
        return order


def work_order_resume_clock(
    *,
    actor,
    order: WorkOrder | int,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Restart paused clocks; each deadline moves later by the time it was paused."""
    _check_role(actor, Action.RESUME)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        if order.clock_paused_at is None:
            raise ConflictError(_("计时未暂停"), code="not_paused", field="status")
        clocks = list(order.clocks.all())
        paused = [c for c in clocks if c.paused_since is not None]
        for clock in paused:
            delta = now - clock.paused_since
            clock.paused_seconds += int(delta.total_seconds())
            clock.due_at += delta
            clock.paused_since = None
        WorkOrderClock.objects.bulk_update(paused, ["paused_since", "paused_seconds", "due_at"])
        seconds = int((now - order.clock_paused_at).total_seconds())
        order.clock_paused_at = None
        _refresh_due(order, clocks)
        _save_quiet(order, ["clock_paused_at", "due_at"])
        _record(
            order,
            action=Action.RESUME,
            actor=actor,
            from_status=order.status,
            to_status=order.status,
            now=now,
            note=note,
            data={"paused_seconds": seconds},
        )
        return order
