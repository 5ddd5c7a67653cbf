"""The closed loop's moves: dispatch, transfer, start, reply, callback, archive, return, cancel, reopen."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.messages import Message
from gridcare.org.models import OrgUnit
from gridcare.org.selectors import staff_of, unit_is_visible

from ..choices import (
    TYPES_WITHOUT_CALLBACK,
    Action,
    NoticeKind,
    RequestType,
    Status,
)
from ..models import (
    WorkOrder,
)
from ._common import (
    _cascade,
    _check_role,
    _check_transition,
    _field_time,
    _lock,
    _now,
    _require_reason,
    _transition,
    _unit_fields,
)


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
            raise PermissionDeniedError(
                _("不能派单到本单位范围之外的“%(unit)s”，请使用转派") % {"unit": unit.name}, field="unit"
            )
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
        raise ApplicationError(_("处理人不属于目标单位"), field="handler", code="invalid")


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
            raise ApplicationError(_("转派目标与当前责任单位相同"), field="unit", code="invalid")
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
    at=None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """The handler takes the order up (for a fault: the crew is on site, which meets the
    arrival clock — at the time the crew gives, ``at``, if it arrived before saying so)."""
    _check_role(actor, Action.START)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        fields = []
        if order.handler_id is None:
            order.handler = actor
            fields.append("handler")
        arrived = _field_time(order, at, now=now, after=order.departed_at)
        if order.request_type == RequestType.FAULT_REPAIR:
            order.arrived_at = arrived
            fields.append("arrived_at")
        data = {"at": arrived.isoformat()} if arrived != now else None
        _transition(
            order,
            action=Action.START,
            actor=actor,
            now=now,
            note=note,
            data=data,
            save_fields=fields,
            effective_at=arrived,
        )
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
        raise ApplicationError(_("回单必须填写处理结果"), field="reply", code="required")
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
    msg: Message | None = None,
) -> WorkOrder:
    """Call the customer back (回访) after the reply; meets the callback clock. ``msg``: the
    callback's outcome in the system's words (a message code), ``note`` what the customer said."""
    _check_role(actor, Action.CALLBACK)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _transition(order, action=Action.CALLBACK, actor=actor, now=now, note=note, msg=msg)
        return order


def work_order_archive(
    *,
    actor,
    order: WorkOrder | int,
    satisfied: bool | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    msg: Message | None = None,
) -> WorkOrder:
    """Close the loop (归档). Types that need a callback must have had one.

    ``satisfied``: what the customer said (True / False), None when nobody could tell —
    never assumed: a caller that says nothing records "unknown", not "satisfied"."""
    _check_role(actor, Action.ARCHIVE)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        if order.status == Status.REPLIED and order.request_type not in TYPES_WITHOUT_CALLBACK:
            raise ConflictError(
                _("“%(type)s”工单须先回访再归档") % {"type": RequestType(order.request_type).label},
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
            msg=msg,
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
            raise ConflictError(_("主单仍有子单，请先解除合并再撤销"), code="has_children", field="order")
        order.cancel_reason = reason
        _transition(
            order, action=Action.CANCEL, actor=actor, now=now, note=reason, save_fields=["cancel_reason"]
        )
        return order


def work_order_reopen(
    *,
    actor,
    order: WorkOrder | int,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    msg: Message | None = None,
) -> WorkOrder:
    """Send the order back to its handling unit (重新处理). ``msg``: the system's reason (a
    message code, e.g. an unsatisfied callback), which stands for a reason typed by a person.

    From a callback (customer not satisfied) by front-line roles; from a reply or the
    archive only by a supervisor. Reply and completion clocks restart.
    """
    _check_role(actor, Action.REOPEN)
    if msg is None:
        reason = _require_reason(Action.REOPEN, reason)
    else:
        reason = check_length((reason or "").strip(), field="reason", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _check_transition(order, Action.REOPEN)
        fields = []
        if order.status != Status.CALLBACK and not has_perm(actor, "workorders.reopen_closed"):
            raise PermissionDeniedError(_("只有服务督办可以重新打开已回单或已归档的工单"))
        if order.status == Status.CALLBACK:
            order.satisfied = False
            fields.append("satisfied")
        _transition(
            order, action=Action.REOPEN, actor=actor, now=now, note=reason, save_fields=fields, msg=msg
        )
        return order
