"""Urging (催办): a customer chasing an order."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.errors import ApplicationError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.messages import msg
from gridcare.workorders import services as wo_services
from gridcare.workorders.choices import CLOSED_STATUSES, Channel, Status
from gridcare.workorders.models import WorkOrder

from ..choices import EscalationReason, NotificationEvent, NotificationKind, UrgeChannel
from ..models import Escalation, EscalationSetting, Urge
from ._common import now_or, raise_priority, visible_order
from .escalating import order_escalate
from .notifications import notify_order_event

URGE_TO_ORDER_CHANNEL = {
    UrgeChannel.HOTLINE: Channel.HOTLINE,
    UrgeChannel.WEB: Channel.WEB,
    UrgeChannel.WECHAT: Channel.WECHAT,
    UrgeChannel.COUNTER: Channel.COUNTER,
    UrgeChannel.REGULATOR: Channel.REGULATOR,
    UrgeChannel.OTHER: Channel.HOTLINE,
}


def urge_record(
    *,
    actor,
    order: WorkOrder | int,
    channel: str = UrgeChannel.HOTLINE,
    words: str = "",
    now: dt.datetime | None = None,
) -> Urge:
    """Record a customer's urge on an order.

    On an active order: the urge goes on the order's timeline (workorders'
    ``work_order_urge``), the owner and the handler are told, the priority goes one step
    up, and the first urge past the ``urge_escalate_threshold`` setting escalates the
    order one level. On an archived or cancelled order nothing is reopened: a new order,
    linked through ``Urge.follow_up``, carries the request instead.
    """
    if channel not in UrgeChannel.values:
        raise ApplicationError(
            _("未知的催办渠道：%(value)s") % {"value": channel}, field="channel", code="invalid_choice"
        )
    words = check_length((words or "").strip(), field="words", max_length=TEXT_MAX)
    now = now_or(now)
    with transaction.atomic():
        current = visible_order(actor, order, lock=True)
        if current.status in CLOSED_STATUSES:
            return _urge_closed(actor=actor, order=current, channel=channel, words=words, now=now)
        wo_services.work_order_urge(
            actor=actor, order=current, note=words or "客户催办", notify=False, now=now
        )
        current.refresh_from_db()
        urge = Urge.objects.create(
            order=current,
            channel=channel,
            words=words,
            actor=actor if getattr(actor, "pk", None) else None,
            at=now,
            number=current.urge_count,
            unit_path=current.unit_path,
        )
        raise_priority(current, actor=actor, reason=msg("order.urged", count=current.urge_count), now=now)
        audit_record(
            actor=actor,
            action="escalation.urge",
            obj=current,
            note=words,
            changes={"urge_count": current.urge_count, "priority": current.priority},
            unit_path=current.unit_path,
        )
        notify_order_event(
            event=NotificationEvent.URGED,
            order=current,
            kind=NotificationKind.URGE,
            text=msg("notify.urged", no=current.order_no, count=current.urge_count, words=words)
            if words
            else msg("notify.urged_plain", no=current.order_no, count=current.urge_count),
            exclude=getattr(actor, "pk", None),
            now=now,
        )
        threshold = EscalationSetting.get(EscalationSetting.URGE_ESCALATE_THRESHOLD)
        if (
            current.urge_count > threshold
            and not Escalation.objects.filter(order=current, reason=EscalationReason.URGE).exists()
        ):
            order_escalate(
                order=current,
                reason=EscalationReason.URGE,
                actor=actor,
                now=now,
            )
        return urge


def _urge_closed(*, actor, order: WorkOrder, channel: str, words: str, now: dt.datetime) -> Urge:
    label = Status(order.status).label
    description = f"客户就已{label}的工单 {order.order_no} 再次来电：{words or order.description}"
    follow_up = wo_services.work_order_create(
        actor=actor,
        channel=URGE_TO_ORDER_CHANNEL[channel],
        request_type=order.request_type,
        subtype=order.subtype,
        dimension=order.dimension,
        description=description,
        customer=order.customer,
        area=order.area,
        contact_name=order.contact_name,
        contact_phone=order.contact_phone,
        address=order.address,
        auto_merge=False,
        now=now,
    )
    urge = Urge.objects.create(
        order=order,
        channel=channel,
        words=words,
        actor=actor if getattr(actor, "pk", None) else None,
        at=now,
        number=order.urge_count + 1,
        follow_up=follow_up,
        unit_path=order.unit_path,
    )
    audit_record(
        actor=actor,
        action="escalation.urge_closed",
        obj=order,
        note=words,
        changes={"follow_up": follow_up.order_no},
        unit_path=order.unit_path,
    )
    notify_order_event(  # the closed order's people hear of it, linked to the follow-up
        event=NotificationEvent.URGED,
        order=order,
        link=follow_up,
        kind=NotificationKind.URGE,
        text=msg("notify.urged_closed", status=order.status, no=order.order_no, follow_up=follow_up.order_no),
        exclude=getattr(actor, "pk", None),
        now=now,
    )
    return urge
