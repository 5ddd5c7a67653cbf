"""Codes of the escalation domain: notification channels, warnings, callbacks, recovery."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundChannel(models.TextChoices):
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    EMAIL = "email", _("邮件")


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class NotificationKind(models.TextChoices):
    TRANSITION = "transition", _("工单动态")
    WARNING = "warning", _("时限预警")
    ESCALATION = "escalation", _("升级督办")
    URGE = "urge", _("催办")
    REPEAT = "repeat", _("重复诉求")
    CALLBACK = "callback", _("回访")
    RECOVERY = "recovery", _("服务补救")
    DIGEST = "digest", _("每日汇总")
    GREEN_CHANNEL = "green_channel", _("绿色通道")
    CARE_REMINDER = "care_reminder", _("客户服务提醒")
    SUPERVISION = "supervision", _("社会监督")


class NotificationEvent(models.TextChoices):
    """What happened to an order, as far as telling people is concerned (``NotificationRule``)."""

    QUEUED = "queued", _("新工单待派")
    DISPATCHED = "dispatched", _("派单/转派")
    STARTED = "started", _("开始处理")
    REPLIED = "replied", _("回单")
    CALLED_BACK = "called_back", _("回访")
    ARCHIVED = "archived", _("归档")
    RETURNED = "returned", _("退单")
    CANCELLED = "cancelled", _("撤销")
    REOPENED = "reopened", _("重新处理")
    WARNING = "warning", _("时限预警")
    ESCALATED = "escalated", _("升级督办")
    URGED = "urged", _("催办")
    REPEAT = "repeat", _("重复诉求")
    OTHER = "other", _("其他工单动态")


class NotificationRecipient(models.TextChoices):
    """Whom an order event concerns. The unit's supervisors and dispatchers are those posted
    at the event's unit or, when it has none, at the nearest unit above it that has some."""

    HANDLER = "handler", _("处理人")
    OWNER = "owner", _("首问负责人")
    SUPERVISOR = "supervisor", _("单位督办")
    DISPATCHER = "dispatcher", _("单位调度")


class NotificationDelivery(models.TextChoices):
    IMMEDIATE = "immediate", _("即时通知")
    DIGEST = "digest", _("每日汇总")
    NONE = "none", _("不通知")


class EscalationReason(models.TextChoices):
    BREACH = "breach", _("超时")
    URGE = "urge", _("多次催办")
    REPEAT = "repeat", _("重复诉求")
    UNSATISFIED = "unsatisfied", _("回访不满意")
    MANUAL = "manual", _("人工提级")


class UrgeChannel(models.TextChoices):
    HOTLINE = "hotline", _("95598电话")
    WEB = "web", _("网站/App")
    WECHAT = "wechat", _("微信")
    COUNTER = "counter", _("营业厅")
    REGULATOR = "regulator", _("12398转来")
    OTHER = "other", _("其他")


class RepeatBasis(models.TextChoices):
    CUSTOMER = "customer", _("同一客户")
    ADDRESS = "address", _("同一地址")
    AREA = "area", _("同一台区")


class CallbackKind(models.TextChoices):
    ORDER = "order", _("工单回访")
    RECOVERY = "recovery", _("补救后回访")


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("待回访")
    DONE = "done", _("已回访")


class CallbackResult(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("联系不上")


# What one call attempt can end with: reached the customer (a result) or not.
ATTEMPT_OUTCOMES = frozenset(
    {
        CallbackResult.SATISFIED,
        CallbackResult.BASICALLY_SATISFIED,
        CallbackResult.UNSATISFIED,
        CallbackResult.UNREACHABLE,
    }
)
SATISFIED_RESULTS = frozenset({CallbackResult.SATISFIED, CallbackResult.BASICALLY_SATISFIED})


class FailureOrigin(models.TextChoices):
    PERSONNEL = "personnel", _("人员")
    MATERIAL = "material", _("设备物资")
    EVENT = "event", _("事件")


class FailureSource(models.TextChoices):
    """How a service failure came to light. Only a complaint needs a complaint order."""

    COMPLAINT = "complaint", _("投诉属实")
    MONITOR = "monitor", _("超时限")
    INSPECTION = "inspection", _("明查暗访")
    SUPERVISOR = "supervisor", _("社会监督")
    CALLBACK = "callback", _("回访不满意")
    OTHER = "other", _("其他")


class FailureCause(models.TextChoices):
    COMMUNICATION = "communication", _("沟通不畅")
    PROMISE_NOT_KEPT = "promise_not_kept", _("承诺未兑现")
    NON_STANDARD_SERVICE = "non_standard_service", _("服务不规范")
    INADEQUATE_HARDWARE = "inadequate_hardware", _("硬件设施不足")
    OTHER = "other", _("其他")


class RecoveryKind(models.TextChoices):
    APOLOGY = "apology", _("道歉")
    EXPLANATION = "explanation", _("解释说明")
    FIX = "fix", _("纠正整改")
    COMPENSATION = "compensation", _("经济补偿")


class CompensationKind(models.TextChoices):
    CASH = "cash", _("现金")
    BILL_CREDIT = "bill_credit", _("电费抵扣")
    GIFT = "gift", _("实物")
    OTHER = "other", _("其他")


class RecoveryStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("待审批")
    APPROVED = "approved", _("可执行")
    REJECTED = "rejected", _("已驳回")
    DONE = "done", _("已完成")


# THE transition table of a recovery action: (from, verb) -> to.
RECOVERY_TRANSITIONS: dict[tuple[str, str], str] = {
    (RecoveryStatus.PENDING_APPROVAL, "approve"): RecoveryStatus.APPROVED,
    (RecoveryStatus.PENDING_APPROVAL, "reject"): RecoveryStatus.REJECTED,
    (RecoveryStatus.APPROVED, "complete"): RecoveryStatus.DONE,
}
