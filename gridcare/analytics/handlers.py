"""Reactions to other domains' events."""

from __future__ import annotations

import logging

log = logging.getLogger("gridcare.analytics")


def on_work_order_transitioned(sender, *, order, action, **kwargs) -> None:
    """A new order's text is classified (suggestion vs the agent's labels). This runs in the
    background worker already (``workorders.tasks.announce_transition``)."""
    if action != "create":
        return
    try:
        from .services import order_classification_record

        order_classification_record(order_id=order.pk)
    except Exception:  # an analytics side effect never breaks the other reactions
        log.exception("could not classify order %s", order.pk)


def confirmed_labels():
    """Training source: texts of live orders with the labels agents saved (confirmed)."""
    from gridcare.workorders.models import WorkOrder

    return (
        WorkOrder.objects.filter(classification__isnull=False)
        .exclude(description="")
        .values_list("description", "request_type", "dimension")
        .order_by("-id")[:50_000]
    )
