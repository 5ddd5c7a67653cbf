"""Escalation one unit up the organisation (提级处理)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.messages import msg
from gridcare.org.choices import Role
from gridcare.org.models import OrgUnit
from gridcare.workorders.choices import CLOSED_STATUSES, Action
from gridcare.workorders.models import WorkOrder

from ..choices import (
    EscalationReason,
    NotificationDelivery,
    NotificationEvent,
    NotificationKind,
    OutboundChannel,
)
from ..models import Escalation, OrderEscalation, SlaWarning
from ._common import now_or, order_note, visible_order
from .notifications import notify_order_event, outbound_enqueue


def order_escalate(
    *,
    order: WorkOrder,
    reason: str,
    actor=None,
    warning: SlaWarning | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Escalation | None:
    """Raise the order's supervision one unit up (team → station → county → city → company).

    The caller holds the order's row lock. The first escalation starts from the order's
    responsible unit, each further one from where the previous ended. At the top of the
    tree nothing more happens (returns None). The receiving unit's supervisors are told
    in-app and by SMS; the step is audited, goes on the order's timeline (workorders'
    ``work_order_note``) and shows on their escalation board.
    """
    now = now_or(now)
    state = OrderEscalation.objects.select_for_update().filter(order=order).select_related("unit").first()
    current = state.unit if state is not None else OrgUnit.objects.get(pk=order.unit_id)
    if current.parent_id is None:
        return None
    target = OrgUnit.objects.get(pk=current.parent_id)
    level = (state.level if state is not None else 0) + 1
    escalation = Escalation.objects.create(
        order=order,
        reason=reason,
        from_unit=current,
        to_unit=target,
        to_path=target.path,
        level=level,
        warning=warning,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:300],
        at=now,
    )
    if state is None:
        OrderEscalation.objects.create(order=order, unit=target, level=level, updated_at=now)
    else:
        OrderEscalation.objects.filter(pk=state.pk).update(unit=target, level=level, updated_at=now)
    audit_record(
        actor=actor,
        action="escalation.escalate",
        obj=order,
        note=note,
        changes={"unit": [current.code, target.code], "reason": reason, "level": level},
        unit_path=order.unit_path,
    )
    said = {"reason": reason, "unit": target.name, "level": level}
    if warning is not None:  # a breach: which clock ran out
        timeline = msg("order.escalated_clock", clock=warning.clock_kind, **said)
    else:
        timeline = msg("order.escalated", **said)
    text = msg("notify.escalated", no=order.order_no, **said)
    order_note(
        order,
        action=Action.ESCALATE,
        actor=actor,
        note=note,
        msg=timeline,
        data={"reason": reason, "from_unit": current.code, "to_unit": target.code, "level": level},
        now=now,
    )
    # The supervisors and dispatchers of the unit it went to, the handler and the owner, as
    # the notification rules say; the supervisors told at once also get a text message.
    told = notify_order_event(
        event=NotificationEvent.ESCALATED,
        order=order,
        kind=NotificationKind.ESCALATION,
        text=text,
        unit_path=target.path,
        exclude=getattr(actor, "pk", None),
        now=now,
    )
    from gridcare.org.models import StaffProfile

    at_once = sorted(uid for uid, delivery in told.items() if delivery == NotificationDelivery.IMMEDIATE)
    with translation.override(settings.LANGUAGE_CODE):  # a text message is sent in Chinese
        sms = text.render()
    for staff in StaffProfile.objects.filter(user_id__in=at_once, role=Role.SUPERVISOR).exclude(phone=""):
        outbound_enqueue(
            channel=OutboundChannel.SMS,
            recipient=staff.phone,
            body=sms,
            key=f"escalation:{escalation.pk}:{staff.user_id}",
            order=order,
        )
    return escalation


MANUAL_REASON_MAX = 300


def order_escalate_by_hand(
    *, actor, order: WorkOrder | int, reason: str, now: dt.datetime | None = None
) -> Escalation:
    """A supervisor raises an order one unit up by hand (人工提级), saying why.

    Needs ``escalation.escalate_manual``; the reason is required (at most 300 characters)
    and becomes the escalation's note. Refused (409) for a closed order (archived or
    cancelled) and when the order's supervision already sits at the top of the tree.
    """
    require(actor, "escalation.escalate_manual")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写提级原因"), field="reason", code="required")
    if len(reason) > MANUAL_REASON_MAX:
        raise ApplicationError(
            _("提级原因不能超过 %(n)s 个字") % {"n": MANUAL_REASON_MAX}, field="reason", code="max_length"
        )
    with transaction.atomic():
        current = visible_order(actor, order, lock=True)
        if current.status in CLOSED_STATUSES:
            raise ConflictError(
                _("工单 %(no)s 已关闭，不能提级") % {"no": current.order_no}, field="order", code="closed"
            )
        escalation = order_escalate(
            order=current, reason=EscalationReason.MANUAL, actor=actor, note=reason, now=now
        )
        if escalation is None:
            raise ConflictError(
                _("工单 %(no)s 已在最高层级督办，不能再提级") % {"no": current.order_no},
                field="order",
                code="top_of_tree",
            )
        if isinstance(order, WorkOrder):
            order.version = current.version
        return escalation
