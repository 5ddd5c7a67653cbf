"""Background half of every work-order action.

A service commits the order's own rows (order, clocks, timeline, audit) and enqueues one
``announce_transition`` task; the worker then sends ``work_order_transitioned`` to the
other domains (escalation: notifications, time-limit watch, repeat complaints, callbacks;
analytics: classification). The person who acted waits for none of that, and a reaction
that fails never undoes their action (the reconcile jobs repair what one left undone).
"""

from __future__ import annotations

import logging

from django_tasks import task

log = logging.getLogger("gridcare.workorders")


@task()
def announce_transition(
    order_id: int, action: str, from_status: str, to_status: str, actor_id: int | None, notify: bool = True
) -> bool:
    from django.contrib.auth import get_user_model

    from .models import WorkOrder
    from .signals import work_order_transitioned

    order = WorkOrder.objects.select_related("unit").filter(pk=order_id).first()
    if order is None:  # deleted in the meantime: nobody left to tell
        return False
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    work_order_transitioned.send(
        sender=WorkOrder,
        order=order,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        notify=notify,
    )
    return True


def announce_after_commit(
    order_id: int, action, from_status: str, to_status: str, actor, notify: bool
) -> None:
    """Have ``announce_transition`` run once the current transaction has committed.

    With the database task backend the task row is written inside the action's own
    transaction (a transactional outbox: it commits with the order or not at all, and costs
    no second commit); with any other backend it is enqueued after the commit.
    """
    from django.db import connection, transaction
    from django_tasks_db import DatabaseBackend

    args = (order_id, str(action), from_status or "", to_status or "", getattr(actor, "pk", None), notify)
    if connection.in_atomic_block and isinstance(announce_transition.get_backend(), DatabaseBackend):
        announce_transition.enqueue(*args)
        return

    def enqueue() -> None:
        try:
            announce_transition.enqueue(*args)
        except Exception:  # the action itself has committed; the reconcile jobs catch up
            log.exception("could not enqueue the announcement of %s on order %s", action, order_id)

    transaction.on_commit(enqueue)
