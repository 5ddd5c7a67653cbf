"""Kinds and states of a power outage (停电事件), and the one transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutageKind(models.TextChoices):
    PLANNED = "planned", _("计划检修")
    TEMPORARY = "temporary", _("临时检修")
    FAULT = "fault", _("故障")
    ARREARS = "arrears", _("欠费停电")
    ORDERED = "ordered", _("有序用电")


# Pre-arranged interruptions (预安排停电, DL/T 836): planned and temporary maintenance and
# ordered supply restriction (有序用电) were announced beforehand. Faults and arrears cut-offs
# are unplanned. Reliability figures (RS-1) count every kind; the split is reported alongside.
PLANNED_KINDS = frozenset({OutageKind.PLANNED, OutageKind.TEMPORARY, OutageKind.ORDERED})


class OutageStatus(models.TextChoices):
    ANNOUNCED = "announced", _("已公告")
    IN_PROGRESS = "in_progress", _("停电中")
    RESTORED = "restored", _("已恢复")
    CANCELLED = "cancelled", _("已取消")


# Outages that still hold their transformer areas (an area is out for one outage at a time).
ACTIVE_STATUSES = frozenset({OutageStatus.ANNOUNCED, OutageStatus.IN_PROGRESS})

# THE transition table: status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    OutageStatus.ANNOUNCED: frozenset({OutageStatus.IN_PROGRESS, OutageStatus.CANCELLED}),
    OutageStatus.IN_PROGRESS: frozenset({OutageStatus.RESTORED}),
    OutageStatus.RESTORED: frozenset(),
    OutageStatus.CANCELLED: frozenset(),
}
