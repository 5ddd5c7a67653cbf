"""Kinds and states of key-account service: inspections, findings, drills, plan warnings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待检查")
    DONE = "done", _("已检查")
    CANCELLED = "cancelled", _("已取消")


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    MAJOR = "major", _("较大")
    SERIOUS = "serious", _("严重")


class DrillStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已计划")
    DONE = "done", _("已演练")
    CANCELLED = "cancelled", _("已取消")


class DrillResult(models.TextChoices):
    PASSED = "passed", _("合格")
    IMPROVE = "improve", _("基本合格，需改进")
    FAILED = "failed", _("不合格")


class PlanState(models.TextChoices):
    """Where a plan's review date stands (computed, not stored)."""

    CURRENT = "current", _("有效")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")


class PlanWarningKind(models.TextChoices):
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")
