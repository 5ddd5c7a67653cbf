"""Helpers shared by the escalation services (not public API)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.errors import ApplicationError
from gridcare.core.messages import Message
from gridcare.org.choices import Role
from gridcare.org.models import StaffProfile
from gridcare.workorders import selectors as wo_selectors
from gridcare.workorders import services as wo_services
from gridcare.workorders.choices import CLOSED_STATUSES, Priority
from gridcare.workorders.models import WorkOrder


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def visible_order(actor, order: WorkOrder | int, *, lock: bool = False) -> WorkOrder:
    """The order by id/instance if ``actor`` may see it (locked when asked), else a 404 error."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    qs = WorkOrder.objects.select_related("unit")
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=pk).first()
    if found is None or (actor is not None and not wo_selectors.work_order_is_visible(actor, found)):
        raise ApplicationError(_("工单不存在"), field="order", code="not_found", status=404)
    return found


def supervisors_at(unit_ids) -> list[int]:
    """User ids of the supervisors posted at these units (not below them)."""
    return list(
        StaffProfile.objects.filter(unit_id__in=list(unit_ids), role=Role.SUPERVISOR).values_list(
            "user_id", flat=True
        )
    )


def raise_priority(
    order: WorkOrder, *, actor=None, reason: str | Message, now: dt.datetime | None = None
) -> int:
    """One step more urgent (lower number), at most URGENT, through workorders'
    ``work_order_set_priority`` (timeline, audit, version). The caller holds the order's
    lock and tells the people concerned itself, so the change notifies nobody."""
    new = max(Priority.URGENT, int(order.priority) - 1)
    if new != order.priority and order.status not in CLOSED_STATUSES:
        updated = wo_services.work_order_set_priority(
            actor=actor, order=order, priority=new, reason=reason, notify=False, now=now
        )
        order.priority, order.version = updated.priority, updated.version
    return new


def order_note(
    order: WorkOrder,
    *,
    action: str,
    actor=None,
    note: str = "",
    msg: Message | None = None,
    data: dict | None = None,
    now=None,
) -> None:
    """A warning or escalation on the order's timeline (``work_order_note``), silent because
    escalation notifies the people concerned itself; keeps the caller's version current.
    ``msg``: the system's words, as a code; ``note``: what a person wrote."""
    updated = wo_services.work_order_note(
        actor=actor, order=order, note=note, msg=msg, data=data, action=action, notify=False, now=now
    )
    order.version = updated.version
