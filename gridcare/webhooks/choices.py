"""Event types a subscription may ask for, and the states of one delivery (outbox row)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcare.workorders.choices import Action


class EventType(models.TextChoices):
    ORDER_CREATED = "order.created", _("工单受理")
    ORDER_STATUS_CHANGED = "order.status_changed", _("工单状态变化")
    ORDER_ESCALATED = "order.escalated", _("工单升级督办")
    ORDER_REPLIED = "order.replied", _("工单回单")
    ORDER_ARCHIVED = "order.archived", _("工单归档")
    OUTAGE_ANNOUNCED = "outage.announced", _("停电公告")
    OUTAGE_STARTED = "outage.started", _("停电开始")
    OUTAGE_ESTIMATE_UPDATED = "outage.estimate_updated", _("预计恢复时间更新")
    OUTAGE_RESTORED = "outage.restored", _("恢复送电（含部分台区）")
    OUTAGE_CANCELLED = "outage.cancelled", _("停电取消")


# Sent by "send test event" only; no subscription subscribes to it.
TEST_EVENT = "webhook.test"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待投递")
    FAILED = "failed", _("失败待重试")
    DELIVERED = "delivered", _("已投递")
    DEAD = "dead", _("已放弃")


# Rows the worker still owes an attempt.
DUE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)

# Which event an order action is, besides order.status_changed for any change of status.
ACTION_EVENTS = {
    Action.CREATE: EventType.ORDER_CREATED,
    Action.ESCALATE: EventType.ORDER_ESCALATED,
    Action.REPLY: EventType.ORDER_REPLIED,
    Action.ARCHIVE: EventType.ORDER_ARCHIVED,
}


# outages.signals.outage_changed's event -> the event code a subscription asks for
OUTAGE_EVENTS = {
    "announced": EventType.OUTAGE_ANNOUNCED,
    "started": EventType.OUTAGE_STARTED,
    "estimate_updated": EventType.OUTAGE_ESTIMATE_UPDATED,
    "restored": EventType.OUTAGE_RESTORED,
    "cancelled": EventType.OUTAGE_CANCELLED,
}


def event_types_for(action: str, from_status: str, to_status: str) -> list[str]:
    """The event codes one order action raises (creation is order.created only)."""
    codes = []
    named = ACTION_EVENTS.get(action)
    if named is not None:
        codes.append(str(named))
    if action != Action.CREATE and from_status and from_status != to_status:
        codes.append(str(EventType.ORDER_STATUS_CHANGED))
    return codes
