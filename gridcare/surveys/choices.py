"""States of a survey campaign and the one transition table; who a campaign samples."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SENT = "sent", _("已发送")
    CLOSED = "closed", _("已结束")


class Audience(models.TextChoices):
    """Whom the sample is drawn from (the silent majority: customers who did not call)."""

    ALL = "all", _("全部客户")
    WITH_ORDER = "with_order", _("期间内有工单的客户")
    SILENT = "silent", _("期间内无工单的客户（沉默的大多数）")


S = CampaignStatus

# THE transition table: status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SENT}),
    S.SENT: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

# The action that moves a campaign into each state (services, pages and API share the names).
ACTION_TARGETS = {"send": S.SENT, "close": S.CLOSED}
ACTION_PERMISSIONS = {"send": "surveys.manage", "close": "surveys.manage"}

# The aspects asked besides the overall score (field name -> label).
ASPECTS = {
    "reliability": _("供电质量"),
    "attitude": _("服务态度"),
    "efficiency": _("办事效率"),
}
