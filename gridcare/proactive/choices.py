from django.db import models
from django.utils.translation import gettext_lazy as _


class BoxCondition(models.TextChoices):
    """The state of a meter box (计量箱) as the field survey recorded it."""

    GOOD = "good", _("完好")
    WORN = "worn", _("老化")
    DAMAGED = "damaged", _("破损")


class CareList(models.TextChoices):
    """Which proactive care list (主动服务清单) a meter is on."""

    ROTATION = "rotation", _("电能表到期轮换")
    OLD_BOX = "old_box", _("老旧表箱")
    ANY = "any", _("到期轮换或老旧表箱")


class CampaignKind(models.TextChoices):
    """What a campaign does for each customer on its list."""

    NOTICE = "notice", _("短信告知")
    FIELD_TASK = "field_task", _("现场任务")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("待发起")
    ACTIVE = "active", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


# The one transition table of a campaign.
CAMPAIGN_TRANSITIONS: dict[str, frozenset[str]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.ACTIVE, CampaignStatus.CANCELLED}),
    CampaignStatus.ACTIVE: frozenset({CampaignStatus.DONE, CampaignStatus.CANCELLED}),
    CampaignStatus.DONE: frozenset(),
    CampaignStatus.CANCELLED: frozenset(),
}


class TargetStatus(models.TextChoices):
    """Where one customer of a campaign stands."""

    PENDING = "pending", _("未处理")
    NOTIFIED = "notified", _("已发短信")
    UNREACHABLE = "unreachable", _("无有效电话")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未能完成")


OPEN_TARGET_STATUSES = frozenset({TargetStatus.PENDING})
# Outcomes a person records on a field task.
TASK_OUTCOMES = (TargetStatus.DONE, TargetStatus.FAILED)


class DemandSource(models.TextChoices):
    """Where word of a potential demand came from."""

    GOVERNMENT = "government", _("政府部门")
    PARK = "park", _("园区/开发商")
    ENTERPRISE = "enterprise", _("企业客户")
    MANAGER_VISIT = "manager_visit", _("客户经理走访")
    OTHER = "other", _("其他")


class DemandStatus(models.TextChoices):
    EXPECTED = "expected", _("预计")
    CONFIRMED = "confirmed", _("已确认")
    CONNECTED = "connected", _("已接电")
    CANCELLED = "cancelled", _("已取消")


# Demand still to plan for (the planning export lists these).
PLANNING_DEMAND_STATUSES = frozenset({DemandStatus.EXPECTED, DemandStatus.CONFIRMED})
