"""States of a hall ticket (取号) and the one transition table; priority classes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    DONE = "done", _("已办结")
    NO_SHOW = "no_show", _("过号未到")
    TRANSFERRED = "transferred", _("已转办")


class PriorityClass(models.TextChoices):
    VIP = "vip", _("优先客户（VIP/高信用）")
    CARE = "care", _("老年人/残障人士")
    NORMAL = "normal", _("普通")


class TicketEventKind(models.TextChoices):
    ISSUED = "issued", _("取号")
    CALLED = "called", _("叫号")
    RECALLED = "recalled", _("重复叫号")
    SERVING = "serving", _("开始办理")
    DONE = "done", _("办结")
    NO_SHOW = "no_show", _("过号")
    TRANSFERRED = "transferred", _("转办")
    LINKED = "linked", _("生成工单")


S = TicketStatus

ACTIVE = frozenset({S.CALLED, S.SERVING})  # at a counter now
FINISHED = frozenset({S.DONE, S.NO_SHOW, S.TRANSFERRED})

# THE transition table: status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.WAITING: frozenset({S.CALLED}),
    S.CALLED: frozenset({S.SERVING, S.NO_SHOW, S.CALLED}),  # CALLED -> CALLED: recall
    S.SERVING: frozenset({S.DONE, S.TRANSFERRED}),
    S.DONE: frozenset(),
    S.NO_SHOW: frozenset(),
    S.TRANSFERRED: frozenset(),
}

# When a hall's day ends (its closing hour passed, or a ticket left from an earlier day),
# the day-end job closes what is still open: a number never served lapses, a service left
# open is finished. Not clerk transitions: the job's own rule, applied by the system.
END_OF_DAY: dict[str, str] = {S.WAITING: S.NO_SHOW, S.CALLED: S.NO_SHOW, S.SERVING: S.DONE}

# Clerk actions on the ticket at their counter -> the status they lead to.
ACTION_TARGETS = {
    "recall": S.CALLED,
    "serve": S.SERVING,
    "no_show": S.NO_SHOW,
    "finish": S.DONE,
    "transfer": S.TRANSFERRED,
}
