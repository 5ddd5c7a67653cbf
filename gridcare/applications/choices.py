"""Business applications with stages (业扩报装 and changes): statuses, variants, the one
transition table, follow-up kinds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The kinds and channels are work orders' codes (one vocabulary across intake and halls);
# the categories are customers'.
from gridcare.customers.choices import CustomerCategory  # noqa: F401
from gridcare.workorders.choices import ApplicationSubtype, Channel  # noqa: F401


class Variant(models.TextChoices):
    STANDARD = "standard", _("常规")
    ONE_VISIT = "one_visit", _("易通电（一次上门）")


class ApplicationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("办理中")
    WAITING_CUSTOMER = "waiting_customer", _("等待客户（暂停计时）")
    COMPLETED = "completed", _("已办结")
    TERMINATED = "terminated", _("已终止")


class StageStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    ACTIVE = "active", _("办理中")
    DONE = "done", _("已完成")
    SKIPPED = "skipped", _("不适用")
    CANCELLED = "cancelled", _("已终止")


class FollowUpKind(models.TextChoices):
    STALLED = "stalled", _("停滞流程")
    TERMINATED = "terminated", _("终止流程")


class TimeWindow(models.TextChoices):
    MORNING = "morning", _("上午 9:00–12:00")
    AFTERNOON = "afternoon", _("下午 14:00–17:30")
    EVENING = "evening", _("傍晚 18:00–20:00")


S = ApplicationStatus
OPEN = frozenset({S.IN_PROGRESS, S.WAITING_CUSTOMER})
CLOSED = frozenset({S.COMPLETED, S.TERMINATED})

# THE transition table: status -> statuses it may move to. Completing a stage that is not
# the last keeps an application in progress (no status change).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.IN_PROGRESS: frozenset({S.WAITING_CUSTOMER, S.COMPLETED, S.TERMINATED}),
    S.WAITING_CUSTOMER: frozenset({S.IN_PROGRESS, S.TERMINATED}),
    S.COMPLETED: frozenset(),
    S.TERMINATED: frozenset(),
}

# Actions on an application: the status each needs, and the permission.
ACTION_PERMISSIONS = {
    "complete_stage": "applications.work",
    "pause": "applications.work",
    "resume": "applications.work",
    "terminate": "applications.work",
    "home_visit": "applications.accept",
    "follow_up": "applications.follow_up",
}
ACTION_STATUSES = {
    "complete_stage": frozenset({S.IN_PROGRESS}),
    "pause": frozenset({S.IN_PROGRESS}),
    "resume": frozenset({S.WAITING_CUSTOMER}),
    "terminate": OPEN,
    "home_visit": OPEN,
}

# Remote channels: an application from one of these gets a home visit (上门服务) booked
# within one working day.
REMOTE_CHANNELS = frozenset(
    {Channel.HOTLINE, Channel.WEB, Channel.APP, Channel.WECHAT, Channel.GOV_HOTLINE, Channel.REGULATOR}
)
