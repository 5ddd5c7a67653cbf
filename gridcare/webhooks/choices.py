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


def event_types_for(action: str, from_status: str, to_status: str) -> list[str]:
    """The event codes one order action raises (creation is order.created only)."""
    codes = []
    named = ACTION_EVENTS.get(action)
    if named is not None:
        codes.append(str(named))
    if action != Action.CREATE and from_status and from_status != to_status:
        codes.append(str(EventType.ORDER_STATUS_CHANGED))
    return codes
