"""Codes of supervision: points raised by social supervisors, rewards, staff conduct."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PointStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


# THE transition table of a supervisor's point: (from, verb) -> to.
POINT_TRANSITIONS: dict[tuple[str, str], str] = {
    (PointStatus.OPEN, "answer"): PointStatus.ANSWERED,
}


class RewardKind(models.TextChoices):
    CERTIFICATE = "certificate", _("证书")
    BONUS = "bonus", _("奖金")
    GIFT = "gift", _("礼品")


class RewardStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


# THE transition table of a reward: (from, verb) -> to.
REWARD_TRANSITIONS: dict[tuple[str, str], str] = {
    (RewardStatus.PROPOSED, "approve"): RewardStatus.APPROVED,
    (RewardStatus.PROPOSED, "reject"): RewardStatus.REJECTED,
}


class ViolationSource(models.TextChoices):
    INSPECTION = "inspection", _("明查暗访")
    COMPLAINT = "complaint", _("客户投诉")
    SUPERVISOR = "supervisor", _("社会监督")
    OTHER = "other", _("其他")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")


class ReminderKind(models.TextChoices):
    SOON = "soon", _("即将到期")
    OVERDUE = "overdue", _("已逾期")
