"""Reads of work orders, always scoped to what the acting user may see.

A user sees an order when its responsible unit (``unit_path``) or its accepting unit
(``accepted_path``) is their unit or below it: the handling side and the first-contact
owner's side both keep sight of it until archive.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from gridcare.core.authz import has_perm
from gridcare.core.params import id_param
from gridcare.core.scoping import is_visible, scope_path

from .choices import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    FIELD_ACTIONS,
    OPEN_STATUSES,
    TYPES_WITHOUT_CALLBACK,
    Action,
    RequestType,
    Status,
    action_permission,
    allowed_actions,
)
from .models import CommitmentRule, WorkOrder, WorkOrderClock, WorkOrderEvent, active_commitment_rules
from .rules import winning_rules


def work_orders_for(user) -> QuerySet[WorkOrder]:
    """All orders ``user`` may see (``WorkOrder.scope``), with the relations every list shows."""
    return WorkOrder.objects.visible_to(user).select_related("unit", "customer", "area")


def work_order_is_visible(user, order: WorkOrder) -> bool:
    return is_visible(user, order)


def work_order_allowed_actions(user, order: WorkOrder) -> list[str]:
    """The actions ``user`` may take on ``order`` now, in the order the page offers them.

    The one source of the order page's buttons and the API's ``allowed_actions``: the
    transition table for the order's status, the permission table for the user, and the
    services' own extra rules (reopening a replied or archived order is a supervisor's
    override; types that need a callback cannot be archived straight from "replied"). A
    service may still refuse for a reason that depends on input (an empty reason, a
    target unit out of reach), never for one known here.
    """
    if not is_visible(user, order):
        return []
    actions = [a for a in allowed_actions(order.status) if has_perm(user, action_permission(a))]
    if order.status in (Status.REPLIED, Status.ARCHIVED) and not has_perm(user, "workorders.reopen_closed"):
        actions = [a for a in actions if a != Action.REOPEN]
    if order.status == Status.REPLIED and order.request_type not in TYPES_WITHOUT_CALLBACK:
        actions = [a for a in actions if a != Action.ARCHIVE]
    if order.request_type == RequestType.FAULT_REPAIR:
        # A crew's progress: set off once dispatched, restore supply once on site.
        if order.status == Status.DISPATCHED and order.departed_at is None:
            actions.insert(0, Action.DEPART)
        if order.status == Status.IN_PROGRESS and order.restored_at is None:
            actions.insert(0, Action.RESTORE)
        actions = [a for a in actions if a not in FIELD_ACTIONS or has_perm(user, action_permission(a))]
    if order.status in OPEN_STATUSES:
        extra = [Action.RESUME if order.clock_paused_at else Action.PAUSE]
        extra.append(Action.DETACH if order.master_id else Action.MERGE)
        actions += [a for a in extra if has_perm(user, action_permission(a))]
    if order.status not in CLOSED_STATUSES:
        actions += [a for a in (Action.PRIORITY, Action.URGE) if has_perm(user, action_permission(a))]
    return actions


def _by_key(qs: QuerySet[WorkOrder], key: str | int) -> WorkOrder:
    """By id (ASCII digits within the key range) or else by order number."""
    pk = id_param(key)
    return qs.get(pk=pk) if pk is not None else qs.get(order_no=str(key))


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
            "photos__uploaded_by",
            Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor")),
        )
    )
    return _by_key(qs, key)


def work_order_photos(user, order: WorkOrder) -> QuerySet:
    """The photos of an order the user may see (the order's own scope)."""
    from .models import WorkOrderPhoto

    return WorkOrderPhoto.objects.visible_to(user).filter(order=order).select_related("uploaded_by__staff")


def work_order_result(pk: int) -> WorkOrder:
    """The order an actor has just acted on, read in full whatever their scope now (the
    answer to their own action; ``work_order_allowed_actions`` gives them nothing more)."""
    return _by_key(
        WorkOrder.objects.select_related(
            "unit", "customer", "area", "feeder", "accepted_unit", "accepted_by", "handler", "master"
        ).prefetch_related(
            "clocks",
            "children",
            Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor")),
        ),
        pk,
    )


def work_orders_sorted_by_due(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Nearest deadline first; orders without a running clock last, newest first."""
    from django.db.models import F

    return qs.order_by(F("due_at").asc(nulls_last=True), "-created_at", "-id")


def overdue_q(now: dt.datetime | None = None) -> Q:
    """THE definition of an overdue order (超时工单): its nearest running deadline has passed.

    ``due_at`` is the earliest unmet clock of an order not yet closed (handling clocks while
    open, the callback clock once replied; empty once archived or cancelled, or while the
    clock is paused), so this is every active order that is late for whatever it waits
    for. The list filter ``?overdue=true``, the home tiles, the dispatcher's widget and the
    reports all count with it.
    """
    return Q(due_at__lt=now or timezone.now())


def work_orders_overdue(user, *, now: dt.datetime | None = None) -> QuerySet[WorkOrder]:
    return work_orders_for(user).filter(overdue_q(now))


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
    path = scope_path(user)
    if path is None:
        return qs.none()
    if unit is not None:
        if not unit.path.startswith(path):
            return qs.none()
        path = unit.path
    if path:
        # The queue is the handling side's: orders whose responsible unit is within reach.
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
    *,
    request_type: str,
    subtype: str = "",
    area_class: str = "",
    customer_category: str = "",
    green_channel: bool = False,
) -> dict[str, CommitmentRule]:
    """The winning rule per clock kind for an order with these attributes."""
    return winning_rules(
        active_commitment_rules(),
        request_type=request_type,
        subtype=subtype,
        area_class=area_class,
        customer_category=customer_category,
        green_channel=green_channel,
    )


# --------------------------------------------------------------------------- dispatch desk

# At most this many people in one handler list (a unit and everything below it).
HANDLER_LIST_MAX = 200


def _order_station_path(order: WorkOrder, units) -> str:
    """Where the order's unit list starts: the supply station its responsible unit is (or
    is in), among ``units``; the responsible unit itself when no station is above it."""
    from gridcare.org.choices import UnitKind

    stations = [u.path for u in units if u.kind == UnitKind.STATION and order.unit_path.startswith(u.path)]
    return max(stations, key=len) if stations else order.unit_path


def dispatch_units_for(user, order: WorkOrder, *, transfer: bool = False) -> list:
    """The supply stations and teams an order can be dispatched (or transferred) to, in the
    order a dispatcher wants them: the order's own station and its teams first, then the
    rest of the user's units; a transfer may go anywhere, so the units beyond the user's
    reach follow, and never the order's current unit."""
    from gridcare.org.choices import UnitKind
    from gridcare.org.models import OrgUnit
    from gridcare.org.selectors import units_visible_to

    kinds = [UnitKind.STATION, UnitKind.TEAM]
    visible = list(units_visible_to(user).filter(kind__in=kinds).order_by("path"))
    if transfer:
        mine = {u.pk for u in visible}
        units = [u for u in OrgUnit.objects.filter(kind__in=kinds).order_by("path") if u.pk != order.unit_id]
    else:
        mine = None
        units = visible
    start = _order_station_path(order, units)

    def rank(unit) -> tuple:
        near = unit.path.startswith(start)
        reach = mine is None or unit.pk in mine
        return (0 if near else 1 if reach else 2, unit.path)

    return sorted(units, key=rank)


def handler_candidates(user, unit) -> list:
    """The people of ``unit`` and below who can take an order (the roles that may start
    one), that the user may see, active, each with ``open_load``: how many open orders
    they hold now (one aggregate query over the handler index)."""
    from django.db.models import Count

    from gridcare.core.authz import roles_with
    from gridcare.org.selectors import staff_for

    staff = list(
        staff_for(user, unit=unit, roles=roles_with(action_permission(Action.START))).order_by(
            "unit__path", "role", "display_name", "pk"
        )[:HANDLER_LIST_MAX]
    )
    loads = dict(
        WorkOrder.objects.filter(handler_id__in=[s.user_id for s in staff], status__in=OPEN_STATUSES)
        .values("handler_id")
        .annotate(n=Count("id"))
        .values_list("handler_id", "n")
    )
    for s in staff:
        s.open_load = loads.get(s.user_id, 0)
    return staff


# ---------------------------------------------------------------- time-limit compliance


def clock_compliance_counts(
    now: dt.datetime, *, via: str = "", kind: str | None = None, prefix: str = ""
) -> dict:
    """THE "met on time" rule of a time-limit clock, as aggregates for ``annotate``/``aggregate``
    over the clock rows reached through ``via`` (``""`` on ``WorkOrderClock`` itself,
    ``"clocks"`` from ``WorkOrder``), of ``kind`` only when given, named ``prefix`` + field.

    A clock is *on time* when ``met_at <= due_at``, *late* when ``met_at > due_at``, *open*
    while ``met_at`` is empty and *overdue* when open and past ``due_at`` at ``now``; the
    clocks *due* (what compliance counts) are the met ones and the overdue ones — an open
    clock not yet due is counted against no one. Compliance is ``compliance_rate(on_time, due)``.
    Reports, the manager's home and the repair-time page all count with this."""
    p = f"{via}__" if via else ""
    target = via or "id"
    base = Q(**{f"{p}kind": kind}) if kind else Q()
    met = base & Q(**{f"{p}met_at__isnull": False})
    unmet = base & Q(**{f"{p}met_at__isnull": True})
    overdue = unmet & Q(**{f"{p}due_at__lt": now})
    return {
        f"{prefix}due": Count(target, filter=met | overdue),
        f"{prefix}on_time": Count(target, filter=met & Q(**{f"{p}met_at__lte": F(f"{p}due_at")})),
        f"{prefix}late": Count(target, filter=met & Q(**{f"{p}met_at__gt": F(f"{p}due_at")})),
        f"{prefix}open": Count(target, filter=unmet),
        f"{prefix}overdue": Count(target, filter=overdue),
    }


def compliance_rate(on_time: int, due: int) -> float | None:
    """On-time share of the clocks due, in percent with one decimal (None when none is due)."""
    return round(on_time * 100.0 / due, 1) if due else None
