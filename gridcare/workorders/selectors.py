"""Reads of work orders, always scoped to what the acting user may see.

A user sees an order when its responsible unit (``unit_path``) or its accepting unit
(``accepted_path``) is their unit or below it: the handling side and the first-contact
owner's side both keep sight of it until archive.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from gridcare.org.selectors import user_scope_path

from .choices import ACTIVE_STATUSES, OPEN_STATUSES, RequestType, Status
from .models import CommitmentRule, WorkOrder, WorkOrderClock, WorkOrderEvent, active_commitment_rules


def _scope_q(path: str) -> Q:
    return Q(unit_path__startswith=path) | Q(accepted_path__startswith=path)


def work_orders_for(user) -> QuerySet[WorkOrder]:
    """All orders ``user`` may see, with the relations every list shows."""
    path = user_scope_path(user)
    qs = WorkOrder.objects.select_related("unit", "customer", "area")
    if path is None:
        return qs.none()
    if path:
        qs = qs.filter(_scope_q(path))
    return qs


def work_order_is_visible(user, order: WorkOrder) -> bool:
    path = user_scope_path(user)
    if path is None:
        return False
    return order.unit_path.startswith(path) or order.accepted_path.startswith(path)


def _by_key(qs: QuerySet[WorkOrder], key: str | int) -> WorkOrder:
    key = str(key)
    return qs.get(pk=int(key)) if key.isdigit() else qs.get(order_no=key)


def work_order_get(user, key: str | int) -> WorkOrder:
    """One visible order by id or order number; raises ``WorkOrder.DoesNotExist`` otherwise."""
    qs = work_orders_for(user).select_related(
        "accepted_unit", "accepted_by", "handler", "feeder", "master", "dispatcher_unit"
    )
    return _by_key(qs, key)


def work_order_detail(user, key: str | int) -> WorkOrder:
    """One visible order with everything its detail shows: one query for the order and its
    relations, three for clocks, timeline and children. ``WorkOrder.DoesNotExist`` otherwise."""
    qs = (
        work_orders_for(user)
        .select_related("customer", "area", "feeder", "accepted_unit", "accepted_by", "handler", "master")
        .prefetch_related(
            "clocks",
            "children",
            Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor")),
        )
    )
    return _by_key(qs, key)


def work_orders_sorted_by_due(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Nearest deadline first; orders without a running clock last, newest first."""
    from django.db.models import F

    return qs.order_by(F("due_at").asc(nulls_last=True), "-created_at", "-id")


def work_orders_overdue(user, *, now: dt.datetime | None = None) -> QuerySet[WorkOrder]:
    return work_orders_for(user).filter(due_at__lt=now or timezone.now())


def work_orders_first_contact(user) -> QuerySet[WorkOrder]:
    """Orders ``user`` accepted (首问负责): they own them until archive, whoever handles them."""
    return work_orders_for(user).filter(accepted_by=user)


def work_orders_handled_by(user) -> QuerySet[WorkOrder]:
    """Orders assigned to ``user`` personally, still active."""
    return work_orders_for(user).filter(handler=user, status__in=ACTIVE_STATUSES)


def dispatch_queue(user, *, unit=None) -> QuerySet[WorkOrder]:
    """Orders waiting for a dispatcher: accepted (or returned) and still in the user's scope.

    Children of a master are left out: they follow their master.
    ``unit`` narrows the queue to one unit and its sub-units.
    """
    qs = WorkOrder.objects.select_related("unit", "customer", "area").filter(
        status=Status.ACCEPTED, master__isnull=True
    )
    path = user_scope_path(user)
    if path is None:
        return qs.none()
    if unit is not None:
        if not unit.path.startswith(path):
            return qs.none()
        path = unit.path
    if path:
        qs = qs.filter(unit_path__startswith=path)
    return work_orders_sorted_by_due(qs)


def work_order_timeline(order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    return order.events.select_related("actor", "actor__staff").order_by("at", "id")


def work_order_clocks(order: WorkOrder) -> list[WorkOrderClock]:
    return list(order.clocks.order_by("due_at", "id"))


def work_order_children(user, order: WorkOrder) -> QuerySet[WorkOrder]:
    return work_orders_for(user).filter(master=order).order_by("created_at", "id")


def likely_duplicates(
    user,
    *,
    customer=None,
    area=None,
    request_type: str | None = None,
    exclude_pk: int | None = None,
    limit: int = 10,
) -> list[WorkOrder]:
    """Still-open orders a new request probably repeats: same customer, or same area and type."""
    cond = Q()
    if customer is not None:
        cond |= Q(customer=customer)
    if area is not None and request_type:
        cond |= Q(area=area, request_type=request_type)
    if not cond:
        return []
    qs = work_orders_for(user).filter(cond, status__in=ACTIVE_STATUSES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("-created_at")[:limit])


def customer_orders(user, customer, *, limit: int = 10) -> tuple[list[WorkOrder], list[WorkOrder]]:
    """A caller's open orders and their most recent closed ones (for the intake page)."""
    qs = work_orders_for(user).filter(customer=customer)
    open_orders = list(qs.filter(status__in=ACTIVE_STATUSES).order_by("-created_at")[:limit])
    history = list(qs.exclude(status__in=ACTIVE_STATUSES).order_by("-created_at")[:limit])
    return open_orders, history


def merge_candidates(
    *, area=None, feeder=None, since: dt.datetime, by_feeder: bool = True
) -> QuerySet[WorkOrder]:
    """Open fault-repair masters a new report on ``area`` (or its feeder) would join.

    Not user-scoped: merging is the system's decision, made for every reporter alike.
    """
    base = WorkOrder.objects.filter(
        request_type=RequestType.FAULT_REPAIR,
        master__isnull=True,
        status__in=OPEN_STATUSES,
        created_at__gte=since,
    )
    cond = Q()
    if area is not None:
        cond |= Q(area=area)
    if by_feeder and feeder is not None:
        cond |= Q(feeder=feeder)
    if not cond:
        return base.none()
    return base.filter(cond).order_by("created_at", "id")


def commitment_rules_for(
    *, request_type: str, subtype: str = "", area_class: str = "", customer_category: str = ""
) -> dict[str, CommitmentRule]:
    """The winning rule per clock kind for an order with these attributes."""
    rules = [
        rule
        for rule in active_commitment_rules()
        if rule.request_type == request_type
        and rule.subtype in ("", subtype)
        and rule.area_class in ("", area_class)
        and rule.customer_category in ("", customer_category)
    ]
    best: dict[str, CommitmentRule] = {}
    for rule in rules:
        current = best.get(rule.kind)
        if current is None or rule.specificity > current.specificity:
            best[rule.kind] = rule
    return best
