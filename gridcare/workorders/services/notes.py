"""Timeline entries that change no status: urges, notes (warnings, escalations) and priority."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.messages import Message, msg

from ..choices import (
    CLOSED_STATUSES,
    NOTE_ACTIONS,
    Action,
    Priority,
    Status,
)
from ..models import (
    WorkOrder,
)
from ._common import _check_role, _lock, _now, _record, _require_reason, _save_quiet


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
            raise ConflictError(_("已关闭的工单不能催办"), code="invalid_transition", field="status")
        WorkOrder.objects.filter(pk=order.pk).update(urge_count=F("urge_count") + 1)
        order.urge_count += 1
        _record(
            order,
            action=Action.URGE,
            actor=actor,
            from_status=order.status,
            to_status=order.status,
            now=now,
            note=note,
            data={"urge_count": order.urge_count},
            msg=None if note else msg("order.urged", count=order.urge_count),
            notify=notify,
        )
        return order


def work_order_note(
    *,
    actor,
    order: WorkOrder | int,
    note: str = "",
    data: dict | None = None,
    action: str = Action.NOTE,
    notify: bool = True,
    msg: Message | None = None,
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
        raise ApplicationError(
            _("“%(action)s”不是备注类动作") % {"action": action}, field="action", code="invalid_choice"
        )
    if actor is not None:
        _check_role(actor, action)
    note = check_length((note or "").strip(), field="note", max_length=TEXT_MAX)
    if not note and msg is None:
        raise ApplicationError(_("备注内容不能为空"), field="note", code="required")
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
            msg=msg,
        )
        return order


def work_order_set_priority(
    *,
    actor,
    order: WorkOrder | int,
    priority: int,
    reason: str | Message,
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
    why = reason if isinstance(reason, Message) else None  # the system's reason, as a code
    reason = "" if why else _require_reason(Action.PRIORITY, reason)
    try:
        priority = int(priority)
    except (TypeError, ValueError):
        priority = 0
    if priority not in Priority.values:
        raise ApplicationError(
            _("未知的优先级：%(value)s") % {"value": priority}, field="priority", code="invalid_choice"
        )
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        if order.status in CLOSED_STATUSES:
            raise ConflictError(
                _("工单 %(no)s 已关闭，不能调整优先级") % {"no": order.order_no},
                code="invalid_transition",
                field="status",
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
            note=reason,
            data={"priority": [previous, priority]},
            msg=msg(
                "order.priority_changed_for" if why else "order.priority_changed",
                old=previous,
                new=priority,
                **({"reason": why.as_json()} if why else {}),
            ),
            notify=notify,
        )
        return order
