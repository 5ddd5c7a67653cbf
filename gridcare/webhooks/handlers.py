"""Reactions to work-order transitions and outage events: the outbox rows of matching
subscriptions.

``work_order_transitioned`` is sent by the worker (``workorders.tasks.announce_transition``)
after the order's transaction has committed; the announcement task itself is written in
that transaction (database task backend), so an action that rolls back announces nothing
and writes no outbox row, and one that commits gets its rows when the task runs."""

from __future__ import annotations

import logging

from django.db import transaction

from . import services

log = logging.getLogger("gridcare.webhooks")


def on_work_order_transitioned(sender, *, order, action, from_status="", to_status="", **kwargs) -> None:
    try:
        services.outbox_write_for_order(
            order=order, action=action, from_status=from_status or "", to_status=to_status or ""
        )
    except Exception:  # the order's action has committed; never let this reach it
        log.exception("webhook outbox for %s on order %s failed", action, getattr(order, "pk", None))


def on_outage_changed(sender, *, outage, event, restored_areas=(), **kwargs) -> None:
    """Sent inside the outage action's transaction: the rows commit with it (a rolled-back
    outage writes none). A savepoint keeps a failure here from breaking the action."""
    try:
        with transaction.atomic():
            services.outbox_write_for_outage(outage=outage, event=event, restored_areas=restored_areas)
    except Exception:
        log.exception("webhook outbox for outage %s %s failed", getattr(outage, "pk", None), event)
