"""Reactions to work-order transitions (``work_order_transitioned``, sent after commit).

Each reaction is idempotent and isolated: a failure is logged and never reaches the
person who acted (their transaction has committed already); the periodic reconcile
jobs pick up whatever a failed reaction left undone.
"""

from __future__ import annotations

import logging

from gridcare.workorders.choices import TIMELINE_ONLY_ACTIONS, Action, Status
from gridcare.workorders.models import WorkOrder

from . import services
from .choices import NotificationKind
from .services._common import supervisors_at

log = logging.getLogger("gridcare.escalation")


def _supervisor_units(order: WorkOrder) -> list[int]:
    """The responsible unit and its ancestors up to county level (not the city/province)."""
    from gridcare.org.models import OrgUnit

    codes = [c for c in order.unit_path.strip("/").split("/") if c]
    return list(OrgUnit.objects.filter(code__in=codes[2:]).values_list("pk", flat=True))


def _notify(order: WorkOrder, action: str, from_status: str, to_status: str, actor) -> None:
    label = Action(action).label
    if from_status and from_status != to_status:
        text = f"工单 {order.order_no}：{label}（{Status(from_status).label} → {Status(to_status).label}）"
    else:
        text = f"工单 {order.order_no}：{label}"
    services.notification_create_many(
        recipients=[order.accepted_by_id, order.handler_id, *supervisors_at(_supervisor_units(order))],
        kind=NotificationKind.TRANSITION,
        text=text,
        order=order,
        exclude=getattr(actor, "pk", None),
    )


def on_work_order_transitioned(
    sender, *, order, action, from_status, to_status, actor=None, notify=True, **kwargs
):
    """The one place people hear of an order's moves: the first-contact owner, the handler
    and the supervisors, once each (the actor is not told of their own action). A service
    called with ``notify=False`` tells them itself (urges, warnings, escalations)."""
    steps = []
    if notify:
        steps.append(("notify", lambda: _notify(order, action, from_status, to_status, actor)))
    if action == Action.CREATE:  # a new order: nothing warned yet, nothing to lock
        steps.append(("watch", lambda: services.sla_watch_create(order=order)))
    elif action not in TIMELINE_ONLY_ACTIONS:  # no clock changed: the watch stands
        steps.append(("watch", lambda: services.sla_watch_refresh(order=order.pk)))
    if action == Action.CREATE:
        steps.append(("repeat", lambda: services.repeat_detect(order=order.pk)))
    if action == Action.REPLY or (to_status == Status.REPLIED and from_status != Status.REPLIED):
        steps.append(("callback", lambda: services.callback_task_ensure(order=order.pk)))
    if action in (Action.REOPEN, Action.ARCHIVE, Action.CANCEL):
        steps.append(("close_callbacks", lambda: services.callback_tasks_close_superseded(order=order)))
    for name, step in steps:
        try:
            step()
        except Exception:
            log.exception("escalation reaction %s failed for order %s (%s)", name, order.pk, action)
