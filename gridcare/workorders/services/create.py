"""Taking a request: ``work_order_create`` (idempotent), order numbers, first clocks, auto-merge."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError
from gridcare.core.intake import customer_terms
from gridcare.core.limits import DESCRIPTION_MAX, NAME_MAX, TEXT_MAX, check_length
from gridcare.core.messages import msg
from gridcare.core.scoping import is_visible
from gridcare.customers.models import Customer
from gridcare.grid.models import TransformerArea
from gridcare.org.selectors import staff_of

from .. import selectors
from ..choices import (
    SUBTYPES_BY_TYPE,
    TYPES_REQUIRING_SUBTYPE,
    Action,
    Channel,
    ClockKind,
    Dimension,
    Priority,
    RequestType,
    Status,
)
from ..models import (
    CommitmentRule,
    IdempotencyKey,
    OrderNumberCounter,
    PolicySetting,
    WorkOrder,
    WorkOrderClock,
)
from ..rules import order_no_format, order_no_scope
from ._common import _check_lengths, _check_role, _due, _now, _record, _refresh_due, _transition
from .merging import _merge


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
        raise ApplicationError(
            _("户号 %(no)s 不存在") % {"no": customer}, field="customer", code="unknown_customer"
        )
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
        raise ApplicationError(
            _("台区编码 %(code)s 不存在") % {"code": area}, field="area", code="unknown_area"
        )
    return found


def _validate_codes(
    *, channel: str, request_type: str, subtype: str, dimension: str, description: str
) -> str:
    if channel not in Channel.values:
        raise ApplicationError(
            _("未知的受理渠道：%(value)s") % {"value": channel}, field="channel", code="invalid_choice"
        )
    if request_type not in RequestType.values:
        raise ApplicationError(
            _("未知的诉求类型：%(value)s") % {"value": request_type},
            field="request_type",
            code="invalid_choice",
        )
    if dimension not in Dimension.values:
        raise ApplicationError(
            _("未知的分析维度：%(value)s") % {"value": dimension}, field="dimension", code="invalid_choice"
        )
    if subtype and subtype not in SUBTYPES_BY_TYPE.get(request_type, frozenset()):
        raise ApplicationError(
            _("业务子类“%(subtype)s”不属于诉求类型“%(type)s”")
            % {"subtype": subtype, "type": RequestType(request_type).label},
            field="subtype",
            code="subtype_mismatch",
        )
    if not subtype and request_type in TYPES_REQUIRING_SUBTYPE:
        raise ApplicationError(_("业务申请必须选择业务子类"), field="subtype", code="required")
    description = (description or "").strip()
    if not description:
        raise ApplicationError(_("诉求内容不能为空"), field="description", code="required")
    return check_length(description, field="description", max_length=DESCRIPTION_MAX)


def _next_order_no(unit_code: str, now: dt.datetime) -> str:
    """``GD`` + date + the unit's code padded to a fixed width + 5-digit daily sequence
    (``rules.order_no_format``: one length for every unit), safe under concurrency.

    The counter is kept per day and unit part (``rules.order_no_scope``). The UPDATE takes
    the counter row's lock until commit, so concurrent creations for the same unit and day
    queue on it; the first of the day creates the row in a savepoint and falls back to the
    UPDATE if a concurrent transaction created it first.
    """
    day = timezone.localtime(now).date()
    scope = order_no_scope(unit_code)
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
            return order_no_format(day, scope, row[0])
        updated = False
    else:
        updated = bool(counters.update(last=F("last") + 1))
    if not updated:
        try:
            with transaction.atomic():
                OrderNumberCounter.objects.create(day=day, scope=scope, last=1)
            return order_no_format(day, scope, 1)
        except IntegrityError:
            counters.update(last=F("last") + 1)
    value = counters.values_list("last", flat=True).get()
    return order_no_format(day, scope, value)


def _default_priority(
    request_type: str, dimension: str, customer: Customer | None, green: bool = False
) -> int:
    if green:
        return Priority.URGENT
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
            _("同一 Idempotency-Key 已用于内容不同的请求，请使用新的键"),
            field="idempotency_key",
            code="idempotency_key_reused",
            status=422,
            details={"order_no": row.order.order_no},
        )
    return row.order


@dataclass(frozen=True)
class CreateResult:
    """What taking a request left: the order; whether it is the first order of an
    idempotent retry (``replayed``); and, for a new order nothing touched after its insert,
    its clocks, timeline and (no) children as a prefetch cache (``parts``), so the caller
    can show it without reading it back."""

    order: WorkOrder
    replayed: bool = False
    parts: dict | None = None


def work_order_create(**kwargs) -> WorkOrder:
    """``work_order_submit`` for callers that only need the order."""
    return work_order_submit(**kwargs).order


def work_order_submit(
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
    authorized_by: str | None = None,
) -> CreateResult:
    """Accept a request from any channel as a work order (受理).

    The actor becomes the first-contact owner. The responsible unit is the supply
    station of the location (transformer area, else the customer's), or the actor's own
    unit when the request has no location. Clocks come from the commitment catalog.
    A consultation answered at first contact (``answered``) is replied at once. A fault
    report on an area (or feeder) with an open master within the merge window joins it
    as a child. With ``idempotency_key`` a repeat of the same request returns the first
    order (``replayed``) and a different request under the key is a 422.

    ``authorized_by``: the permission that lets ``actor`` take this request instead of
    intake's (a supervisor records a social supervisor's report, ``escalation.supervisor_submission``).
    """
    if authorized_by:
        require(actor, authorized_by)
    else:
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
            order, parts = _create(
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
                return CreateResult(order=replay, replayed=True)
        raise
    return CreateResult(order=order, parts=parts)


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
        raise ApplicationError(_("只有咨询可在受理时直接答复"), field="answered", code="invalid")
    reply = (reply or "").strip()
    if answered and not reply:
        raise ApplicationError(_("直接答复须填写答复内容"), field="reply", code="required")
    if priority not in (None, "") and int(priority) not in Priority.values:
        raise ApplicationError(
            _("未知的优先级：%(value)s") % {"value": priority}, field="priority", code="invalid_choice"
        )

    staff = staff_of(actor)
    location_unit = area.station if area is not None else (customer.station if customer is not None else None)
    accepted_unit = staff.unit if staff is not None else location_unit
    unit = location_unit or accepted_unit
    if unit is None:
        raise ApplicationError(_("请指定客户或台区，以确定责任单位"), field="area", code="required")

    green = bool(customer_terms(customer).get("green_channel")) if customer is not None else False
    rules = selectors.commitment_rules_for(
        request_type=request_type,
        subtype=subtype,
        area_class=area.area_class if area else "",
        customer_category=customer.category if customer else "",
        green_channel=green,
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
        else _default_priority(request_type, dimension, customer, green),
        green_channel=green,
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
        data={"channel": channel, **({"green_channel": True} if green else {})},
        msg=msg("order.accepted_green", channel=channel) if green else msg("order.accepted", channel=channel),
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
            msg=msg("order.answered_at_intake"),
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
                _merge(order, master, actor=actor, now=now, auto=True)
                changed = True
    # ``bulk_create`` sets the clocks' ids on PostgreSQL and SQLite; elsewhere read it back.
    if changed or not all(clock.pk for clock in clocks):
        order.refresh_from_db()
        return order, None
    # Nothing changed it after the insert: its clocks and timeline are exactly these, so an
    # API caller can show the order without reading it back (``CreateResult.parts``).
    clocks = sorted(clocks, key=lambda c: (c.due_at, c.pk))
    return order, {"clocks": clocks, "events": [created], "children": [], "photos": []}


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
