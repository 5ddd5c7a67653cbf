"""Reactions to other domains' events."""

from __future__ import annotations

import logging

log = logging.getLogger("gridcare.analytics")


def on_work_order_transitioned(sender, *, order, action, **kwargs) -> None:
    """A new order's text is classified in the background (suggestion vs the agent's labels)."""
    if action != "create":
        return
    try:
        from .tasks import classify_order

        classify_order.enqueue(order.pk)
    except Exception:  # never fail the caller's request for an analytics side effect
        log.exception("could not enqueue classification of order %s", order.pk)


def confirmed_labels():
    """Training source: texts of live orders with the labels agents saved (confirmed)."""
    from gridcare.workorders.models import WorkOrder

    return (
        WorkOrder.objects.filter(classification__isnull=False)
        .exclude(description="")
        .values_list("description", "request_type", "dimension")
        .order_by("-id")[:50_000]
    )
