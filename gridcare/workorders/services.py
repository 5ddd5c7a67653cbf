"""Every write to a work order: one service per action.

Each service is keyword-only, runs in one transaction, checks the actor's role and
scope, locks the order row (``select_for_update``) so two people acting at once are
serialised, refuses a stale ``expected_version`` (409), validates the move against
``choices.TRANSITIONS`` (an illegal move is a 409 as well: the order is not in a state
that allows it), writes a timeline event and an audit event, and leaves one background
task (``tasks.announce_transition``, committed with the action) that sends
``work_order_transitioned`` from the worker: the escalation app's handler tells the first-contact owner, the handler and the supervisors from there (one
notification mechanism; ``notify=False`` on the signal when the caller tells them itself).
Dispatch, transfer, start and reply of a master order carry to its children and
record a notice for each child's customer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from gridcare.core.audit import audit_record
from gridcare.core.authz import has_perm
from gridcare.core.calendar import add_working_days
from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.limits import DESCRIPTION_MAX, NAME_MAX, TEXT_MAX, check_length
from gridcare.core.scoping import is_visible
from gridcare.customers.models import Customer
from gridcare.grid.models import TransformerArea
from gridcare.org.models import OrgUnit
from gridcare.org.selectors import staff_of, unit_is_visible

from . import selectors
from .choices import (
    ACTIONS_REQUIRING_REASON,
    CLOCKS_MET_BY,
    CLOCKS_RESTARTED_BY_REOPEN,
    CLOSED_STATUSES,
    NOTE_ACTIONS,
    OPEN_STATUSES,
    SUBTYPES_BY_TYPE,
    TRANSITIONS,
    TYPES_REQUIRING_SUBTYPE,
    TYPES_WITHOUT_CALLBACK,
    Action,
    Channel,
    ClockBasis,
    ClockKind,
    Dimension,
    NoticeKind,
    Priority,
    RequestType,
    Status,
    action_permission,
)
from .models import (
    CommitmentRule,
    CustomerNotice,
    IdempotencyKey,
    OrderNumberCounter,
    PolicySetting,
    WorkOrder,
    WorkOrderClock,
    WorkOrderEvent,
)
from .tasks import announce_after_commit

# ---------------------------------------------------------------------------- helpers


def _check_role(actor, action: str) -> None:
    """The actor holds ``workorders.<action>`` (the permission table, gridcare/org/permissions.py)."""
    if not has_perm(actor, action_permission(action)):
        raise PermissionDeniedError(
            gettext("无权执行“%(action)s”操作") % {"action": Action(action).label},
            details={"permission": action_permission(action)},
        )


def _check_lengths(**fields: tuple[str | None, int]) -> None:
    """Each free-text input within its cap (``field=(value, max_length)``)."""
    for field, (value, max_length) in fields.items():
        check_length(value, field=field, max_length=max_length)


def _require_reason(action: str, reason: str) -> str:
    reason = check_length((reason or "").strip(), field="reason", max_length=TEXT_MAX)
    if action in ACTIONS_REQUIRING_REASON and not reason:
        raise ApplicationError(
            f"“{Action(action).label}”必须填写原因", field="reason", code="reason_required"
        )
    return reason


def _lock(actor, order: WorkOrder | int, expected_version: int | None) -> WorkOrder:
    """Lock the order row, check the actor sees it and the version the caller saw is current."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    try:
        locked = WorkOrder.objects.select_for_update(of=("self",)).select_related("unit", "master").get(pk=pk)
    except WorkOrder.DoesNotExist:
        raise ApplicationError("工单不存在", field="order", code="not_found", status=404)
    # ``actor`` None is the system (the time-limit monitor): it sees every order.
    if actor is not None and not selectors.work_order_is_visible(actor, locked):
        if isinstance(order, WorkOrder) and order.version != locked.version:
            # The caller read it a moment ago; someone else's action has since moved it out
            # of the caller's reach (a simultaneous transfer or return): a conflict, not a 404.
            raise ConflictError(
                gettext("工单 %(no)s 已被他人处理，已不在您的范围内") % {"no": locked.order_no},
                field="expected_version",
                details={"version": locked.version, "status": locked.status},
            )
        raise ApplicationError("工单不存在", field="order", code="not_found", status=404)
    if expected_version is not None and int(expected_version) != locked.version:
        raise ConflictError(
            f"工单 {locked.order_no} 已被他人修改（当前版本 {locked.version}，您看到的是 {expected_version}），请刷新后重试",
            field="expected_version",
            details={"version": locked.version, "status": locked.status},
        )
    return locked


def _check_transition(order: WorkOrder, action: str) -> str:
    to_status = TRANSITIONS.get((order.status, action))
    if to_status is None:
        raise ConflictError(
            f"工单 {order.order_no} 当前状态为“{Status(order.status).label}”，不能“{Action(action).label}”",
            code="invalid_transition",
            field="status",
            details={"status": order.status, "action": action, "version": order.version},
        )
    return to_status


def _due(basis: str, amount: int, start: dt.datetime) -> dt.datetime:
    if basis == ClockBasis.WORKING_DAYS:
        return add_working_days(start, amount)
    return start + dt.timedelta(minutes=amount)


def _refresh_due(order: WorkOrder, clocks: Iterable[WorkOrderClock]) -> None:
    """Denormalise the nearest running deadline onto the order."""
    if order.status in (Status.ARCHIVED, Status.CANCELLED):
        order.due_at = None
        return
    running = [c.due_at for c in clocks if c.met_at is None and c.paused_since is None]
    order.due_at = min(running) if running else None


def _unit_fields(order: WorkOrder, unit: OrgUnit) -> None:
    order.unit = unit
    order.unit_path = unit.path


def _record(
    order: WorkOrder,
    *,
    action: str,
    actor,
    from_status: str,
    to_status: str,
    now,
    note: str = "",
    data: dict | None = None,
    notify: bool = True,
) -> WorkOrderEvent:
    event = WorkOrderEvent.objects.create(
        order=order,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"work_order.{action}",
        obj=order,
        note=note,
        changes={"status": [from_status, to_status]} if from_status != to_status else (data or {}),
        unit_path=order.unit_path,
    )
    announce_after_commit(order.pk, action, from_status, to_status, actor, notify)
    return event


def _notice(order: WorkOrder, kind: str, text: str, now) -> None:
    phone = order.contact_phone or (order.customer.phone if order.customer_id else "")
    CustomerNotice.objects.create(
        order=order, customer_id=order.customer_id, phone=phone, kind=kind, text=text, created_at=now
    )


def _apply_clock_effects(order: WorkOrder, action: str, now: dt.datetime) -> None:
    """Stop the clocks ``action`` meets, start those that follow them, refresh ``due_at``."""
    clocks = list(order.clocks.all())
    changed: list[WorkOrderClock] = []
    met_now = CLOCKS_MET_BY.get(action, frozenset())
    met_kinds: set[str] = set()
    for clock in clocks:
        if clock.kind in met_now and clock.met_at is None:
            clock.met_at = now
            if clock.paused_since is not None:
                clock.paused_seconds += int((now - clock.paused_since).total_seconds())
                clock.paused_since = None
            met_kinds.add(clock.kind)
            changed.append(clock)
    for clock in clocks:
        # A follower clock (restoration after arrival) starts when its predecessor is met.
        if clock.after and clock.after in met_kinds and clock.met_at is None:
            clock.started_at = now
            clock.due_at = _due(clock.basis, clock.amount, now)
            changed.append(clock)
    if action == Action.REOPEN:
        for clock in clocks:
            if clock.kind in CLOCKS_RESTARTED_BY_REOPEN and clock.met_at is not None:
                clock.met_at = None
                clock.started_at = now
                clock.due_at = _due(clock.basis, clock.amount, now)
                changed.append(clock)
        callbacks = [c for c in clocks if c.kind == ClockKind.CALLBACK]
        if callbacks:
            WorkOrderClock.objects.filter(pk__in=[c.pk for c in callbacks]).delete()
            clocks = [c for c in clocks if c.kind != ClockKind.CALLBACK]
    if action == Action.REPLY and order.request_type not in TYPES_WITHOUT_CALLBACK:
        rule = selectors.commitment_rules_for(**_rule_keys(order)).get(ClockKind.CALLBACK)
        if rule is not None and not any(c.kind == ClockKind.CALLBACK for c in clocks):
            clock = WorkOrderClock.objects.create(
                order=order,
                kind=ClockKind.CALLBACK,
                basis=rule.basis,
                amount=rule.amount,
                started_at=now,
                due_at=_due(rule.basis, rule.amount, now),
            )
            clocks.append(clock)
    if changed:
        WorkOrderClock.objects.bulk_update(
            set(changed), ["met_at", "started_at", "due_at", "paused_since", "paused_seconds"]
        )
    _refresh_due(order, clocks)


def _rule_keys(order: WorkOrder) -> dict[str, str]:
    category = order.customer.category if order.customer_id else ""
    return {
        "request_type": order.request_type,
        "subtype": order.subtype,
        "area_class": order.area_class,
        "customer_category": category,
    }


def _transition(
    order: WorkOrder,
    *,
    action: str,
    actor,
    now: dt.datetime,
    note: str = "",
    data: dict | None = None,
    save_fields: Iterable[str] = (),
) -> tuple[str, str]:
    """Move ``order`` (already locked and changed by the caller) through ``action``."""
    from_status = order.status
    to_status = _check_transition(order, action)
    order.status = to_status
    order.version = F("version") + 1
    if to_status in (Status.ARCHIVED, Status.CANCELLED):
        order.closed_at = now
    elif from_status in (Status.ARCHIVED, Status.CANCELLED):
        order.closed_at = None
    _apply_clock_effects(order, action, now)
    fields = {"status", "version", "closed_at", "due_at", "updated_at", *save_fields}
    order.save(update_fields=sorted(fields))
    order.refresh_from_db(fields=["version"])
    _record(
        order,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        now=now,
        note=note,
        data=data,
    )
    return from_status, to_status


def _cascade(
    master: WorkOrder,
    *,
    action: str,
    actor,
    now: dt.datetime,
    note: str,
    notice: tuple[str, str] | None = None,
) -> int:
    """Carry a master's move to each child that can make it; tell each child's customer."""
    count = 0
    children = list(
        WorkOrder.objects.select_for_update(of=("self",)).filter(master=master).select_related("customer")
    )
    for child in children:
        if (child.status, action) not in TRANSITIONS:
            continue
        fields = ["unit", "unit_path", "handler"]
        _unit_fields(child, master.unit)
        child.handler_id = master.handler_id
        if action in (Action.DISPATCH, Action.TRANSFER) and child.status == Status.ACCEPTED:
            child.dispatcher_unit_id = master.dispatcher_unit_id
            fields.append("dispatcher_unit")
        if action == Action.REPLY:
            child.reply = master.reply
            child.replied_at = now
            fields += ["reply", "replied_at"]
        _transition(
            child,
            action=action,
            actor=actor,
            now=now,
            note=f"随主单 {master.order_no}：{note}".rstrip("："),
            data={"master": master.order_no},
            save_fields=fields,
        )
        if notice is not None:
            _notice(child, notice[0], notice[1].format(order_no=child.order_no, master=master.order_no), now)
        count += 1
    return count


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# ----------------------------------------------------------------------------- create


def _resolve_customer(customer, actor) -> Customer | None:
    """The customer by number, within the actor's scope: a customer the actor may not read
    is reported exactly like one that does not exist (nothing about it leaks back)."""
    if customer in (None, ""):
        return None
    qs = Customer.objects.all() if actor is None else Customer.objects.visible_to(actor)
    if isinstance(customer, Customer):
        if actor is None or is_visible(actor, customer):
            return customer
        customer = customer.customer_no
    found = (
        qs.select_related("area", "area__feeder", "area__station", "station")
        .filter(customer_no=str(customer))
        .first()
    )
    if found is None:
        raise ApplicationError(f"户号 {customer} 不存在", field="customer", code="unknown_customer")
    return found


def _resolve_area(area, actor) -> TransformerArea | None:
    """The transformer area by code, within the actor's scope (like ``_resolve_customer``)."""
    if area in (None, ""):
        return None
    qs = TransformerArea.objects.all() if actor is None else TransformerArea.objects.visible_to(actor)
    if isinstance(area, TransformerArea):
        if actor is None or is_visible(actor, area):
            return area
        area = area.code
    found = qs.select_related("feeder", "station").filter(code=str(area)).first()
    if found is None:
        raise ApplicationError(f"台区编码 {area} 不存在", field="area", code="unknown_area")
    return found


def _validate_codes(
    *, channel: str, request_type: str, subtype: str, dimension: str, description: str
) -> str:
    if channel not in Channel.values:
        raise ApplicationError(f"未知的受理渠道：{channel}", field="channel", code="invalid_choice")
    if request_type not in RequestType.values:
        raise ApplicationError(f"未知的诉求类型：{request_type}", field="request_type", code="invalid_choice")
    if dimension not in Dimension.values:
        raise ApplicationError(f"未知的分析维度：{dimension}", field="dimension", code="invalid_choice")
    if subtype and subtype not in SUBTYPES_BY_TYPE.get(request_type, frozenset()):
        raise ApplicationError(
            f"业务子类“{subtype}”不属于诉求类型“{RequestType(request_type).label}”",
            field="subtype",
            code="subtype_mismatch",
        )
    if not subtype and request_type in TYPES_REQUIRING_SUBTYPE:
        raise ApplicationError("业务申请必须选择业务子类", field="subtype", code="required")
    description = (description or "").strip()
    if not description:
        raise ApplicationError("诉求内容不能为空", field="description", code="required")
    return check_length(description, field="description", max_length=DESCRIPTION_MAX)


def _next_order_no(scope: str, now: dt.datetime) -> str:
    """``GD`` + date + unit code + 5-digit daily sequence, safe under concurrency.

    The UPDATE takes the counter row's lock until commit, so concurrent creations for the
    same unit and day queue on it; the first of the day creates the row in a savepoint and
    falls back to the UPDATE if a concurrent transaction created it first.
    """
    day = timezone.localtime(now).date()
    counters = OrderNumberCounter.objects.filter(day=day, scope=scope)
    if connection.features.can_return_columns_from_insert:
        # PostgreSQL and SQLite ≥ 3.35: increment and read in one statement.
        table = connection.ops.quote_name(OrderNumberCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE {table} SET "last" = "last" + 1 WHERE "day" = %s AND "scope" = %s RETURNING "last"',
                [day, scope],
            )
            row = cursor.fetchone()
        if row is not None:
            return f"GD{day:%Y%m%d}{scope}{row[0]:05d}"
        updated = False
    else:
        updated = bool(counters.update(last=F("last") + 1))
    if not updated:
        try:
            with transaction.atomic():
                OrderNumberCounter.objects.create(day=day, scope=scope, last=1)
            return f"GD{day:%Y%m%d}{scope}{1:05d}"
        except IntegrityError:
            counters.update(last=F("last") + 1)
    value = counters.values_list("last", flat=True).get()
    return f"GD{day:%Y%m%d}{scope}{value:05d}"


def _default_priority(request_type: str, dimension: str, customer: Customer | None) -> int:
    if request_type == RequestType.FAULT_REPAIR and dimension == Dimension.SUPPLY_SAFETY:
        return Priority.URGENT
    if customer is not None and (customer.important or customer.sensitive):
        return Priority.HIGH
    if request_type == RequestType.COMPLAINT:
        return Priority.HIGH
    return Priority.NORMAL


def request_hash(payload: dict) -> str:
    """Stable hash of a create request's meaningful fields (for ``Idempotency-Key``)."""
    clean = {k: ("" if v is None else str(v)) for k, v in sorted(payload.items())}
    return hashlib.sha256(json.dumps(clean, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _idempotent_replay(actor, key: str, digest: str) -> WorkOrder | None:
    row = IdempotencyKey.objects.filter(user=actor, key=key).select_related("order").first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise ApplicationError(
            "同一 Idempotency-Key 已用于内容不同的请求，请使用新的键",
            field="idempotency_key",
            code="idempotency_key_reused",
            status=422,
            details={"order_no": row.order.order_no},
        )
    order = row.order
    order.replayed = True
    return order


def work_order_create(
    *,
    actor,
    channel: str,
    request_type: str,
    dimension: str,
    description: str,
    subtype: str = "",
    customer: Customer | str | None = None,
    area: TransformerArea | str | None = None,
    priority: int | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    answered: bool = False,
    reply: str = "",
    idempotency_key: str | None = None,
    auto_merge: bool = True,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Accept a request from any channel as a work order (受理).

    The actor becomes the first-contact owner. The responsible unit is the supply
    station of the location (transformer area, else the customer's), or the actor's own
    unit when the request has no location. Clocks come from the commitment catalog.
    A consultation answered at first contact (``answered``) is replied at once. A fault
    report on an area (or feeder) with an open master within the merge window joins it
    as a child. With ``idempotency_key`` a repeat of the same request returns the first
    order (``order.replayed`` is True) and a different request under the key is a 422.
    """
    _check_role(actor, Action.CREATE)
    _check_lengths(
        contact_name=(contact_name, NAME_MAX),
        contact_phone=(contact_phone, 20),
        address=(address, 200),
        reply=(reply, TEXT_MAX),
        idempotency_key=(idempotency_key, 128),
    )
    subtype = subtype or ""
    digest = ""
    if idempotency_key:
        digest = request_hash(
            {
                "channel": channel,
                "request_type": request_type,
                "subtype": subtype,
                "dimension": dimension,
                "description": description,
                "customer": getattr(customer, "customer_no", customer),
                "area": getattr(area, "code", area),
                "priority": priority,
                "contact_name": contact_name,
                "contact_phone": contact_phone,
                "address": address,
                "answered": bool(answered),
                "reply": reply,
            }
        )
    # No look-up before the insert: the key's unique constraint decides. A retry (rare) does
    # the work, fails on the key at the end of the transaction, rolls everything back and
    # answers with the first order (or a 422 when the body differs).
    try:
        with transaction.atomic():
            order = _create(
                actor=actor,
                channel=channel,
                request_type=request_type,
                dimension=dimension,
                description=description,
                subtype=subtype,
                customer=customer,
                area=area,
                priority=priority,
                contact_name=contact_name,
                contact_phone=contact_phone,
                address=address,
                answered=answered,
                reply=reply,
                auto_merge=auto_merge,
                now=_now(now),
            )
            if idempotency_key:
                IdempotencyKey.objects.create(
                    key=idempotency_key, user=actor, request_hash=digest, order=order
                )
    except IntegrityError:
        # The key was used before (or by a concurrent request that committed first).
        if idempotency_key:
            replay = _idempotent_replay(actor, idempotency_key, digest)
            if replay is not None:
                return replay
        raise
    order.replayed = False
    return order


def _create(
    *,
    actor,
    channel,
    request_type,
    dimension,
    description,
    subtype,
    customer,
    area,
    priority,
    contact_name,
    contact_phone,
    address,
    answered,
    reply,
    auto_merge,
    now,
) -> WorkOrder:
    description = _validate_codes(
        channel=channel,
        request_type=request_type,
        subtype=subtype,
        dimension=dimension,
        description=description,
    )
    customer = _resolve_customer(customer, actor)
    area = _resolve_area(area, actor)
    if area is None and customer is not None:
        cached = customer.area if Customer.area.is_cached(customer) else None
        if (
            cached is not None
            and TransformerArea.feeder.is_cached(cached)
            and TransformerArea.station.is_cached(cached)
        ):
            area = cached  # loaded with the customer (``_resolve_customer``)
        else:
            area = TransformerArea.objects.select_related("feeder", "station").get(pk=customer.area_id)
    if answered and request_type != RequestType.CONSULTATION:
        raise ApplicationError("只有咨询可在受理时直接答复", field="answered", code="invalid")
    reply = (reply or "").strip()
    if answered and not reply:
        raise ApplicationError("直接答复须填写答复内容", field="reply", code="required")
    if priority not in (None, "") and int(priority) not in Priority.values:
        raise ApplicationError(f"未知的优先级：{priority}", field="priority", code="invalid_choice")

    staff = staff_of(actor)
    location_unit = area.station if area is not None else (customer.station if customer is not None else None)
    accepted_unit = staff.unit if staff is not None else location_unit
    unit = location_unit or accepted_unit
    if unit is None:
        raise ApplicationError("请指定客户或台区，以确定责任单位", field="area", code="required")

    rules = selectors.commitment_rules_for(
        request_type=request_type,
        subtype=subtype,
        area_class=area.area_class if area else "",
        customer_category=customer.category if customer else "",
    )

    order = WorkOrder(
        order_no=_next_order_no(unit.code, now),
        channel=channel,
        request_type=request_type,
        subtype=subtype,
        dimension=dimension,
        status=Status.ACCEPTED,
        priority=int(priority)
        if priority not in (None, "")
        else _default_priority(request_type, dimension, customer),
        description=description,
        contact_name=contact_name or (customer.name if customer else ""),
        contact_phone=contact_phone or (customer.phone if customer else ""),
        address=address or (customer.address if customer else ""),
        customer=customer,
        area=area,
        feeder_id=area.feeder_id if area else None,
        area_class=area.area_class if area else "",
        unit=unit,
        unit_path=unit.path,
        accepted_unit=accepted_unit,
        accepted_path=accepted_unit.path,
        accepted_by=actor if staff is not None or getattr(actor, "pk", None) else None,
        created_at=now,
    )
    if area is not None and TransformerArea.feeder.is_cached(area):
        order.feeder = area.feeder
    clocks = _initial_clocks(rules, now)
    _refresh_due(order, clocks)
    order.save(force_insert=True)
    for clock in clocks:
        clock.order = order
    WorkOrderClock.objects.bulk_create(clocks)
    created = _record(
        order,
        action=Action.CREATE,
        actor=actor,
        from_status="",
        to_status=Status.ACCEPTED,
        now=now,
        note=f"{Channel(channel).label}受理",
        data={"channel": channel},
    )

    changed = False  # by a transition or a merge after the insert
    if answered:
        order.reply = reply
        order.replied_at = now
        order.handler = actor
        _transition(
            order,
            action=Action.REPLY,
            actor=actor,
            now=now,
            note="受理时直接答复",
            save_fields=["reply", "replied_at", "handler"],
        )
        changed = True
    elif auto_merge and request_type == RequestType.FAULT_REPAIR and area is not None:
        window = PolicySetting.get(PolicySetting.MERGE_WINDOW_MINUTES)
        if window > 0:
            master = (
                selectors.merge_candidates(
                    area=area,
                    feeder=area.feeder,
                    since=now - dt.timedelta(minutes=window),
                    by_feeder=bool(PolicySetting.get(PolicySetting.MERGE_BY_FEEDER)),
                )
                .exclude(pk=order.pk)
                .select_for_update()
                .first()
            )
            if master is not None:
                _merge(order, master, actor=actor, now=now, note="自动合并：同台区/同线路故障")
                changed = True
    # ``bulk_create`` sets the clocks' ids on PostgreSQL and SQLite; elsewhere read it back.
    if changed or not all(clock.pk for clock in clocks):
        order.refresh_from_db()
        return order
    # Nothing changed it after the insert: its clocks and timeline are exactly these, so an
    # API caller can show the order without reading it back (see ``created_parts``).
    order._created_parts = (sorted(clocks, key=lambda c: (c.due_at, c.pk)), [created])
    return order


def created_parts(order: WorkOrder) -> dict[str, list] | None:
    """The clocks, timeline and (no) children of an order ``work_order_create`` just inserted
    and left unchanged, as a prefetch cache; None when the order must be read back."""
    parts = getattr(order, "_created_parts", None)
    if parts is None or getattr(order, "replayed", False):
        return None
    clocks, events = parts
    return {"clocks": list(clocks), "events": list(events), "children": []}


def _initial_clocks(rules: dict[str, CommitmentRule], now: dt.datetime) -> list[WorkOrderClock]:
    clocks: dict[str, WorkOrderClock] = {}
    # Clocks starting at acceptance first, then those that follow another clock.
    for rule in sorted(rules.values(), key=lambda r: bool(r.after)):
        if rule.kind == ClockKind.CALLBACK:
            continue  # starts at the reply
        start = now
        if rule.after:
            previous = clocks.get(rule.after)
            start = previous.due_at if previous is not None else now
        clocks[rule.kind] = WorkOrderClock(
            kind=rule.kind,
            basis=rule.basis,
            amount=rule.amount,
            after=rule.after,
            started_at=start,
            due_at=_due(rule.basis, rule.amount, start),
        )
    return list(clocks.values())


# -------------------------------------------------------------------------- transitions


def work_order_dispatch(
    *,
    actor,
    order: WorkOrder | int,
    unit: OrgUnit,
    handler=None,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Send the order to the unit (station, crew) that will handle it (派单).

    The target must be within the dispatcher's scope (transfer is for other units); a
    named handler must belong to the target unit or below it. A master carries its
    children along and their customers are told.
    """
    _check_role(actor, Action.DISPATCH)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _check_transition(order, Action.DISPATCH)
        if not unit_is_visible(actor, unit):
            raise PermissionDeniedError(f"不能派单到本单位范围之外的“{unit.name}”，请使用转派", field="unit")
        _check_handler(handler, unit)
        fields = ["unit", "unit_path", "handler"]
        if order.status == Status.ACCEPTED:
            order.dispatcher_unit_id = order.unit_id
            fields.append("dispatcher_unit")
        _unit_fields(order, unit)
        order.handler = handler
        _transition(
            order,
            action=Action.DISPATCH,
            actor=actor,
            now=now,
            note=note,
            data={"unit": unit.code, "handler": getattr(handler, "username", None)},
            save_fields=fields,
        )
        _cascade(
            order,
            action=Action.DISPATCH,
            actor=actor,
            now=now,
            note=note,
            notice=(
                NoticeKind.DISPATCHED,
                "您的报修（工单 {order_no}）已与同一故障合并处理，抢修人员已出发。",
            ),
        )
        return order


def _check_handler(handler, unit: OrgUnit) -> None:
    if handler is None:
        return
    staff = staff_of(handler)
    if staff is None or not staff.unit.path.startswith(unit.path):
        raise ApplicationError("处理人不属于目标单位", field="handler", code="invalid")


def work_order_transfer(
    *,
    actor,
    order: WorkOrder | int,
    unit: OrgUnit,
    reason: str,
    handler=None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Hand the order to another unit with a reason (转派), e.g. it is outside our area."""
    _check_role(actor, Action.TRANSFER)
    reason = _require_reason(Action.TRANSFER, reason)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _check_transition(order, Action.TRANSFER)
        if unit.pk == order.unit_id:
            raise ApplicationError("转派目标与当前责任单位相同", field="unit", code="invalid")
        _check_handler(handler, unit)
        previous = order.unit.code
        _unit_fields(order, unit)
        order.handler = handler
        _transition(
            order,
            action=Action.TRANSFER,
            actor=actor,
            now=now,
            note=reason,
            data={"from_unit": previous, "unit": unit.code},
            save_fields=["unit", "unit_path", "handler"],
        )
        _cascade(order, action=Action.TRANSFER, actor=actor, now=now, note=reason)
        return order


def work_order_start(
    *,
    actor,
    order: WorkOrder | int,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """The handler takes the order up (for a fault: the crew is on site, which meets the arrival clock)."""
    _check_role(actor, Action.START)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        fields = []
        if order.handler_id is None:
            order.handler = actor
            fields.append("handler")
        _transition(order, action=Action.START, actor=actor, now=now, note=note, save_fields=fields)
        _cascade(order, action=Action.START, actor=actor, now=now, note=note)
        return order


def work_order_reply(
    *,
    actor,
    order: WorkOrder | int,
    reply: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Record the handling result (回单); starts the callback clock; a master replies for its children."""
    _check_role(actor, Action.REPLY)
    check_length(reply, field="reply", max_length=TEXT_MAX)
    reply = (reply or "").strip()
    if not reply:
        raise ApplicationError("回单必须填写处理结果", field="reply", code="required")
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        order.reply = reply
        order.replied_at = now
        fields = ["reply", "replied_at"]
        if order.handler_id is None:
            order.handler = actor
            fields.append("handler")
        _transition(order, action=Action.REPLY, actor=actor, now=now, note=reply, save_fields=fields)
        _cascade(
            order,
            action=Action.REPLY,
            actor=actor,
            now=now,
            note=reply,
            notice=(NoticeKind.REPLIED, "您反映的问题（工单 {order_no}）已处理完毕：" + reply[:120]),
        )
        return order


def work_order_callback(
    *,
    actor,
    order: WorkOrder | int,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Call the customer back (回访) after the reply; meets the callback clock."""
    _check_role(actor, Action.CALLBACK)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _transition(order, action=Action.CALLBACK, actor=actor, now=now, note=note)
        return order


def work_order_archive(
    *,
    actor,
    order: WorkOrder | int,
    satisfied: bool | None = True,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Close the loop (归档). Types that need a callback must have had one."""
    _check_role(actor, Action.ARCHIVE)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        if order.status == Status.REPLIED and order.request_type not in TYPES_WITHOUT_CALLBACK:
            raise ConflictError(
                f"“{RequestType(order.request_type).label}”工单须先回访再归档",
                code="callback_required",
                field="status",
            )
        order.satisfied = satisfied
        _transition(
            order,
            action=Action.ARCHIVE,
            actor=actor,
            now=now,
            note=note,
            data={"satisfied": satisfied},
            save_fields=["satisfied"],
        )
        return order


def work_order_return(
    *,
    actor,
    order: WorkOrder | int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Send the order back to its dispatcher with a reason (退单), e.g. wrong unit or missing data."""
    _check_role(actor, Action.RETURN)
    reason = _require_reason(Action.RETURN, reason)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _check_transition(order, Action.RETURN)
        if order.dispatcher_unit_id:
            dispatcher = OrgUnit.objects.get(pk=order.dispatcher_unit_id)
            _unit_fields(order, dispatcher)
        order.handler = None
        order.return_reason = reason
        _transition(
            order,
            action=Action.RETURN,
            actor=actor,
            now=now,
            note=reason,
            save_fields=["unit", "unit_path", "handler", "return_reason"],
        )
        return order


def work_order_cancel(
    *,
    actor,
    order: WorkOrder | int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Withdraw an order with a reason (撤销), e.g. the customer withdrew or it was entered twice."""
    _check_role(actor, Action.CANCEL)
    reason = _require_reason(Action.CANCEL, reason)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _check_transition(order, Action.CANCEL)
        if WorkOrder.objects.filter(master=order).exists():
            raise ConflictError("主单仍有子单，请先解除合并再撤销", code="has_children", field="order")
        order.cancel_reason = reason
        _transition(
            order, action=Action.CANCEL, actor=actor, now=now, note=reason, save_fields=["cancel_reason"]
        )
        return order


def work_order_reopen(
    *,
    actor,
    order: WorkOrder | int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Send the order back to its handling unit (重新处理).

    From a callback (customer not satisfied) by front-line roles; from a reply or the
    archive only by a supervisor. Reply and completion clocks restart.
    """
    _check_role(actor, Action.REOPEN)
    reason = _require_reason(Action.REOPEN, reason)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _check_transition(order, Action.REOPEN)
        fields = []
        if order.status != Status.CALLBACK and not has_perm(actor, "workorders.reopen_closed"):
            raise PermissionDeniedError("只有服务督办可以重新打开已回单或已归档的工单")
        if order.status == Status.CALLBACK:
            order.satisfied = False
            fields.append("satisfied")
        _transition(order, action=Action.REOPEN, actor=actor, now=now, note=reason, save_fields=fields)
        return order


# ------------------------------------------------------------------ clocks, notes, urging


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
            raise ConflictError("只有处理中的工单可以暂停计时", code="invalid_transition", field="status")
        if order.clock_paused_at is not None:
            raise ConflictError("计时已暂停", code="already_paused", field="status")
        clocks = list(order.clocks.all())
        running = [c for c in clocks if c.is_running]
        if not running:
            raise ConflictError("没有正在计时的时限", code="no_running_clock", field="status")
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
            raise ConflictError("计时未暂停", code="not_paused", field="status")
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


def _save_quiet(order: WorkOrder, fields: list[str]) -> None:
    """Save a change that keeps the status; it still bumps the version."""
    order.version = F("version") + 1
    order.save(update_fields=[*fields, "version", "updated_at"])
    order.refresh_from_db(fields=["version"])


def work_order_urge(
    *,
    actor,
    order: WorkOrder | int,
    note: str = "",
    notify: bool = True,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Record that the customer chased an open order (催办). Escalation (issue 4) acts on it.

    ``notify=False`` when the caller tells the owner and handler itself (escalation's
    ``urge_record`` sends its own urge notification), so nobody hears of it twice.
    """
    _check_role(actor, Action.URGE)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, None)
        if order.status in (Status.ARCHIVED, Status.CANCELLED):
            raise ConflictError("已关闭的工单不能催办", code="invalid_transition", field="status")
        WorkOrder.objects.filter(pk=order.pk).update(urge_count=F("urge_count") + 1)
        order.urge_count += 1
        _record(
            order,
            action=Action.URGE,
            actor=actor,
            from_status=order.status,
            to_status=order.status,
            now=now,
            note=note or "客户来电催办",
            data={"urge_count": order.urge_count},
            notify=notify,
        )
        return order


def work_order_note(
    *,
    actor,
    order: WorkOrder | int,
    note: str,
    data: dict | None = None,
    action: str = Action.NOTE,
    notify: bool = True,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Put an entry on the order's timeline that changes no status (备注, 时限预警, 升级督办).

    ``action`` is one of ``NOTE_ACTIONS``: a plain note, or a warning or escalation that
    the escalation app records on the order. ``actor`` None is the system (the
    time-limit monitor). Allowed in every status (a note on an archived order is still
    history). The version grows like on every change, so a form opened before the note
    gets a conflict. ``notify=False`` when the caller notifies the people concerned
    itself (escalation does), so nobody hears of it twice.
    """
    if action not in NOTE_ACTIONS:
        raise ApplicationError(f"“{action}”不是备注类动作", field="action", code="invalid_choice")
    if actor is not None:
        _check_role(actor, action)
    note = check_length((note or "").strip(), field="note", max_length=TEXT_MAX)
    if not note:
        raise ApplicationError("备注内容不能为空", field="note", code="required")
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _save_quiet(order, [])
        _record(
            order,
            action=action,
            actor=actor,
            from_status=order.status,
            to_status=order.status,
            now=now,
            note=note,
            data=data or {},
            notify=notify,
        )
        return order


def work_order_set_priority(
    *,
    actor,
    order: WorkOrder | int,
    priority: int,
    reason: str,
    notify: bool = True,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Change an active order's priority (紧急/重要/一般) with a reason, on the timeline.

    Queues sort by priority, so the change is audited like a transition. The escalation
    app raises priority for urges and repeated requests through here (``actor`` None for
    the system). Setting the priority it already has changes nothing and records nothing;
    a closed order's priority no longer matters and is refused.
    """
    if actor is not None:
        _check_role(actor, Action.PRIORITY)
    reason = _require_reason(Action.PRIORITY, reason)
    try:
        priority = int(priority)
    except (TypeError, ValueError):
        priority = 0
    if priority not in Priority.values:
        raise ApplicationError(f"未知的优先级：{priority}", field="priority", code="invalid_choice")
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        if order.status in CLOSED_STATUSES:
            raise ConflictError(
                f"工单 {order.order_no} 已关闭，不能调整优先级", code="invalid_transition", field="status"
            )
        previous = int(order.priority)
        if previous == priority:
            return order
        order.priority = priority
        _save_quiet(order, ["priority"])
        _record(
            order,
            action=Action.PRIORITY,
            actor=actor,
            from_status=order.status,
            to_status=order.status,
            now=now,
            note=f"{Priority(previous).label} → {Priority(priority).label}：{reason}",
            data={"priority": [previous, priority]},
            notify=notify,
        )
        return order


# --------------------------------------------------------------------------- merging


def _merge(child: WorkOrder, master: WorkOrder, *, actor, now: dt.datetime, note: str) -> None:
    """Make ``child`` follow ``master`` (both locked by the caller)."""
    if child.pk == master.pk:
        raise ApplicationError("不能把工单并入自身", field="master", code="invalid")
    if master.master_id is not None:
        raise ApplicationError(f"{master.order_no} 本身是子单，不能作主单", field="master", code="invalid")
    # The order's own state refuses these (409, like a transition the table does not allow).
    if WorkOrder.objects.filter(master=child).exists():
        raise ConflictError(
            f"{child.order_no} 已有子单，不能再并入其他工单", field="order", code="has_children"
        )
    if child.master_id is not None:
        raise ConflictError(
            f"{child.order_no} 已并入 {child.master.order_no}", field="order", code="already_merged"
        )
    if child.status not in OPEN_STATUSES or master.status not in OPEN_STATUSES:
        raise ConflictError("只能合并未处理完的工单", code="invalid_transition", field="status")
    from_status = child.status
    child.master = master
    fields = ["master"]
    if master.status != Status.ACCEPTED:
        # The child joins the master's handling where it stands.
        child.status = master.status
        _unit_fields(child, master.unit)
        child.handler_id = master.handler_id
        child.dispatcher_unit_id = master.dispatcher_unit_id
        fields += ["status", "unit", "unit_path", "handler", "dispatcher_unit"]
    _save_quiet(child, fields)
    WorkOrder.objects.filter(pk=master.pk).update(
        children_count=F("children_count") + 1, version=F("version") + 1
    )
    _record(
        child,
        action=Action.MERGE,
        actor=actor,
        from_status=from_status,
        to_status=child.status,
        now=now,
        note=note,
        data={"master": master.order_no},
    )
    _record(
        master,
        action=Action.MERGE,
        actor=actor,
        from_status=master.status,
        to_status=master.status,
        now=now,
        note=f"子单 {child.order_no} 并入：{note}",
        data={"child": child.order_no},
        notify=False,
    )
    _notice(
        child,
        NoticeKind.MERGED,
        f"您的报修（工单 {child.order_no}）与附近同一故障合并处理，我们会尽快恢复供电。",
        now,
    )


def work_order_merge(
    *,
    actor,
    order: WorkOrder | int,
    master: WorkOrder | int,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Make ``order`` a child of ``master`` (主单/子单): the master's handling carries to it."""
    _check_role(actor, Action.MERGE)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        child_pk = order.pk if isinstance(order, WorkOrder) else order
        master_pk = master.pk if isinstance(master, WorkOrder) else master
        # Lock both rows in id order so two crossing merges cannot deadlock.
        locked = {}
        for pk in sorted({child_pk, master_pk}):
            locked[pk] = _lock(actor, pk, expected_version if pk == child_pk else None)
        child, master_order = locked[child_pk], locked[master_pk]
        _merge(child, master_order, actor=actor, now=now, note=note or "人工合并")
        return child


def work_order_detach(
    *,
    actor,
    order: WorkOrder | int,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Undo a merge: the child goes on alone from where it stands."""
    _check_role(actor, Action.DETACH)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        child = _lock(actor, order, expected_version)
        if child.master_id is None:
            raise ConflictError(f"{child.order_no} 不是子单", field="order", code="not_merged")
        if child.status not in OPEN_STATUSES:
            raise ConflictError("只能对未处理完的子单解除合并", code="invalid_transition", field="status")
        master = WorkOrder.objects.select_for_update().get(pk=child.master_id)
        child.master = None
        _save_quiet(child, ["master"])
        WorkOrder.objects.filter(pk=master.pk).update(
            children_count=F("children_count") - 1, version=F("version") + 1
        )
        _record(
            child,
            action=Action.DETACH,
            actor=actor,
            from_status=child.status,
            to_status=child.status,
            now=now,
            note=note,
            data={"master": master.order_no},
        )
        _record(
            master,
            action=Action.DETACH,
            actor=actor,
            from_status=master.status,
            to_status=master.status,
            now=now,
            note=f"子单 {child.order_no} 解除合并",
            data={"child": child.order_no},
            notify=False,
        )
        return child
