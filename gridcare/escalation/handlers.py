"""Reactions to work-order transitions (``work_order_transitioned``, sent after commit).

Each reaction is idempotent and isolated: a failure is logged and never reaches the
person who acted (their transaction has committed already); the periodic reconcile
jobs pick up whatever a failed reaction left undone.
"""

from __future__ import annotations

import logging

from gridcare.core.messages import msg
from gridcare.workorders.choices import TIMELINE_ONLY_ACTIONS, Action, Status
from gridcare.workorders.models import WorkOrder

from . import services
from .choices import NotificationEvent, NotificationKind

log = logging.getLogger("gridcare.escalation")

# Which notification event each order action is (``NotificationRule`` says who hears of it).
ACTION_EVENTS = {
    Action.CREATE: NotificationEvent.QUEUED,
    Action.DISPATCH: NotificationEvent.DISPATCHED,
    Action.TRANSFER: NotificationEvent.DISPATCHED,
    Action.START: NotificationEvent.STARTED,
    Action.REPLY: NotificationEvent.REPLIED,
    Action.CALLBACK: NotificationEvent.CALLED_BACK,
    Action.ARCHIVE: NotificationEvent.ARCHIVED,
    Action.RETURN: NotificationEvent.RETURNED,
    Action.CANCEL: NotificationEvent.CANCELLED,
    Action.REOPEN: NotificationEvent.REOPENED,
}


def _notify(order: WorkOrder, action: str, from_status: str, to_status: str, actor) -> None:
    event = ACTION_EVENTS.get(action, NotificationEvent.OTHER)
    if event == NotificationEvent.QUEUED and (order.status != Status.ACCEPTED or order.master_id):
        return  # answered at intake, or merged into a master: nothing waits for dispatch
    if from_status and from_status != to_status:
        text = msg(
            "notify.transition", no=order.order_no, action=action, to=to_status, **{"from": from_status}
        )
    else:
        text = msg("notify.action", no=order.order_no, action=action)
    services.notify_order_event(
        event=event,
        order=order,
        kind=NotificationKind.TRANSITION,
        text=text,
        exclude=getattr(actor, "pk", None),
    )


def _tell_customer_manager(order: WorkOrder) -> None:
    """A green-channel customer's new order goes to their customer manager at once
    (差异化服务: one-to-one service), whoever took it."""
    from gridcare.customers.selectors import responsible_manager

    manager = responsible_manager(order.customer)
    if manager is not None:
        services.notification_create_many(
            recipients=[manager.pk],
            kind=NotificationKind.GREEN_CHANNEL,
            text=msg("notify.green_channel", no=order.order_no),
            order=order,
        )


def on_work_order_transitioned(
    sender, *, order, action, from_status, to_status, actor=None, notify=True, **kwargs
):
    """The one place people hear of an order's moves: whom the notification rules name for
    the move's event (handler, first-contact owner, the unit's supervisors or dispatchers),
    once each, at once or in the daily digest (the actor is not told of their own action).
    A service called with ``notify=False`` tells them itself (urges, warnings, escalations)."""
    steps = []
    if notify:
        steps.append(("notify", lambda: _notify(order, action, from_status, to_status, actor)))
    if action == Action.CREATE:  # a new order: nothing warned yet, nothing to lock
        steps.append(("watch", lambda: services.sla_watch_create(order=order)))
    elif action not in TIMELINE_ONLY_ACTIONS:  # no clock changed: the watch stands
        steps.append(("watch", lambda: services.sla_watch_refresh(order=order.pk)))
    if action == Action.CREATE:
        steps.append(("repeat", lambda: services.repeat_detect(order=order.pk)))
        if order.green_channel and order.customer_id and not order.master_id:
            steps.append(("green_channel", lambda: _tell_customer_manager(order)))
    if action == Action.REPLY or (to_status == Status.REPLIED and from_status != Status.REPLIED):
        steps.append(("callback", lambda: services.callback_task_ensure(order=order.pk)))
    if action in (Action.REOPEN, Action.ARCHIVE, Action.CANCEL):
        steps.append(("close_callbacks", lambda: services.callback_tasks_close_superseded(order=order)))
    for name, step in steps:
        try:
            step()
        except Exception:
            log.exception("escalation reaction %s failed for order %s (%s)", name, order.pk, action)


def on_work_order_deadlines_moved(sender, *, order_ids, **kwargs) -> None:
    """The working-day calendar moved these orders' deadlines (in that transaction): the
    pending callback tasks keep their order's callback deadline. The time-limit watches
    follow through the orders' bumped versions (``sla_reconcile``)."""
    services.callback_tasks_follow_deadlines(order_ids=order_ids)
