"""Codes of the work order: channels, types, dimensions, statuses — and the one transition table.

The codes are the API values; the UI shows the Chinese labels. ``TRANSITIONS`` is the only
place that says which action may move an order from which status to which; services,
API actions and the UI's action buttons all read it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("95598电话")
    WEB = "web", _("95598网站")
    APP = "app", _("掌上电力App")
    WECHAT = "wechat", _("微信公众号")
    COUNTER = "counter", _("营业厅")
    FIELD = "field", _("现场")
    REGULATOR = "regulator", _("12398转办")
    GOV_HOTLINE = "gov_hotline", _("12345转办")
    SUPERVISOR = "supervisor", _("社会监督员")


class ArchiveSatisfaction(models.TextChoices):
    """What the person archiving an order says of the customer's satisfaction: an explicit
    choice, never a default (``WorkOrder.satisfied`` True / False / None)."""

    SATISFIED = "satisfied", _("满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    UNKNOWN = "unknown", _("未能确认")


ARCHIVE_SATISFACTION_VALUE: dict[str, bool | None] = {
    ArchiveSatisfaction.SATISFIED: True,
    ArchiveSatisfaction.UNSATISFIED: False,
    ArchiveSatisfaction.UNKNOWN: None,
}


# THE table of the channel the intake form starts with, by the role code of the person taking
# the request: where that role meets customers. A role not here (dispatcher, supervisor,
# quality inspector, admin) takes requests from several channels and picks one each time.
INTAKE_CHANNEL_BY_ROLE: dict[str, str] = {
    "hotline_agent": Channel.HOTLINE,  # 95598 话务员: the phone
    "counter_clerk": Channel.COUNTER,  # 营业厅窗口: face to face at the counter
    "customer_manager": Channel.FIELD,  # 客户经理: on visits to the customers they look after
    "repair_crew": Channel.FIELD,  # 抢修班组: on site
}


class RequestType(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    FAULT_REPAIR = "fault_repair", _("故障报修")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("意见建议")
    PRAISE = "praise", _("表扬")
    SERVICE_APPLICATION = "service_application", _("业务申请")


class ApplicationSubtype(models.TextChoices):
    NEW_CONNECTION = "new_connection", _("新装")
    CAPACITY_CHANGE = "capacity_change", _("增减容")
    NAME_CHANGE = "name_change", _("更名过户")
    TOU_TARIFF = "tou_tariff", _("峰谷电")
    METER_TEST = "meter_test", _("电能表校验")
    PAUSE_RESUME = "pause_resume", _("暂停/恢复用电")
    EV_CHARGER = "ev_charger", _("充电桩报装")
    PV_CONNECTION = "pv_connection", _("光伏并网")
    OTHER = "other", _("其他业务")


# Which subtypes belong to which request type. A type missing here takes no subtype.
SUBTYPES_BY_TYPE: dict[str, frozenset[str]] = {
    RequestType.SERVICE_APPLICATION: frozenset(ApplicationSubtype.values),
}
TYPES_REQUIRING_SUBTYPE = frozenset({RequestType.SERVICE_APPLICATION})


class Dimension(models.TextChoices):
    SUPPLY_RELIABILITY = "supply_reliability", _("供电可靠")
    SUPPLY_SAFETY = "supply_safety", _("供电安全")
    BILLING_PAYMENT = "billing_payment", _("用电缴费")
    INFORMATION_COMMUNICATION = "information_communication", _("信息沟通")
    BUSINESS_HANDLING = "business_handling", _("业务办理")
    SERVICE_CHANNEL = "service_channel", _("服务渠道")
    SERVICE_ATTITUDE = "service_attitude", _("服务态度")


class Priority(models.IntegerChoices):
    """Lower sorts first: urgent orders lead every queue."""

    URGENT = 1, _("紧急")
    HIGH = 2, _("重要")
    NORMAL = 3, _("一般")


class Status(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("处理中")
    REPLIED = "replied", _("已回单")
    CALLBACK = "callback", _("回访中")
    ARCHIVED = "archived", _("已归档")
    CANCELLED = "cancelled", _("已撤销")


class Action(models.TextChoices):
    CREATE = "create", _("受理")
    DISPATCH = "dispatch", _("派单")
    TRANSFER = "transfer", _("转派")
    START = "start", _("开始处理")
    REPLY = "reply", _("回单")
    CALLBACK = "callback", _("回访")
    ARCHIVE = "archive", _("归档")
    RETURN = "return", _("退单")
    CANCEL = "cancel", _("撤销")
    REOPEN = "reopen", _("重新处理")
    # Actions that do not change the status (they are on the timeline all the same).
    PAUSE = "pause", _("暂停计时")
    RESUME = "resume", _("恢复计时")
    MERGE = "merge", _("并入主单")
    DETACH = "detach", _("解除合并")
    URGE = "urge", _("催办")
    NOTE = "note", _("备注")
    PRIORITY = "priority", _("调整优先级")
    WARN = "warn", _("时限预警")
    ESCALATE = "escalate", _("升级督办")
    # A repair crew's field progress (timeline and clocks, no status change of their own).
    DEPART = "depart", _("出发")
    RESTORE = "restore", _("恢复送电")


class FaultCause(models.TextChoices):
    """What the crew found (故障原因), recorded when supply is restored."""

    TRANSFORMER = "transformer", _("配变故障")
    LINE = "line", _("线路故障（断线、接地）")
    FUSE = "fuse", _("熔断器熔断、开关跳闸")
    METER_BOX = "meter_box", _("表箱、表计或进户线故障")
    EXTERNAL = "external", _("外力破坏")
    WEATHER = "weather", _("雷击、大风、覆冰等天气")
    OVERLOAD = "overload", _("过负荷")
    CUSTOMER_SIDE = "customer_side", _("客户内部故障")
    PLANNED = "planned", _("计划停电或欠费停电")
    OTHER = "other", _("其他")


S, A = Status, Action

# THE transition table: (from status, action) -> to status.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.ACCEPTED, A.DISPATCH): S.DISPATCHED,
    (S.ACCEPTED, A.REPLY): S.REPLIED,  # answered by the accepting unit itself
    (S.ACCEPTED, A.CANCEL): S.CANCELLED,
    (S.DISPATCHED, A.DISPATCH): S.DISPATCHED,  # the receiving unit passes it down to a crew
    (S.DISPATCHED, A.TRANSFER): S.DISPATCHED,
    (S.DISPATCHED, A.START): S.IN_PROGRESS,
    (S.DISPATCHED, A.RETURN): S.ACCEPTED,
    (S.DISPATCHED, A.CANCEL): S.CANCELLED,
    (S.IN_PROGRESS, A.TRANSFER): S.DISPATCHED,
    (S.IN_PROGRESS, A.REPLY): S.REPLIED,
    (S.IN_PROGRESS, A.RETURN): S.ACCEPTED,
    (S.IN_PROGRESS, A.CANCEL): S.CANCELLED,
    (S.REPLIED, A.CALLBACK): S.CALLBACK,
    (S.REPLIED, A.ARCHIVE): S.ARCHIVED,  # only types that need no callback (see services)
    (S.REPLIED, A.REOPEN): S.DISPATCHED,  # reply rejected by a supervisor
    (S.CALLBACK, A.ARCHIVE): S.ARCHIVED,
    (S.CALLBACK, A.REOPEN): S.DISPATCHED,  # customer not satisfied
    (S.ARCHIVED, A.REOPEN): S.DISPATCHED,  # supervisor only
}
# Merging (并入主单): a child joins its master's handling where the master stands —
# (child's status, master's status) -> child's new status. Only open orders merge; a master
# still waiting for dispatch leaves the child where it is.
MERGE_TRANSITIONS: dict[tuple[str, str], str] = {
    (child, master): (child if master == S.ACCEPTED else master)
    for child in (S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS)
    for master in (S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS)
}
del S, A

OPEN_STATUSES = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS})
# Orders whose time limits still run (the handling side has not replied yet).
RUNNING_STATUSES = OPEN_STATUSES
# Not closed: open or waiting for callback/archive.
ACTIVE_STATUSES = frozenset(OPEN_STATUSES | {Status.REPLIED, Status.CALLBACK})
CLOSED_STATUSES = frozenset({Status.ARCHIVED, Status.CANCELLED})
# Statuses a child order follows its master into (dispatch/transfer/start/reply cascade).
CASCADING_ACTIONS = frozenset({Action.DISPATCH, Action.TRANSFER, Action.START, Action.REPLY})

# Types that are archived straight after the reply, without a customer callback.
TYPES_WITHOUT_CALLBACK = frozenset({RequestType.CONSULTATION, RequestType.PRAISE, RequestType.SUGGESTION})

# Actions whose reason is mandatory.
ACTIONS_REQUIRING_REASON = frozenset(
    {Action.RETURN, Action.TRANSFER, Action.CANCEL, Action.REOPEN, Action.PAUSE, Action.PRIORITY}
)
# Timeline entries that change neither the status nor a clock (``work_order_note`` writes
# them; the time-limit monitor has nothing to recompute for them).
NOTE_ACTIONS = frozenset({Action.NOTE, Action.WARN, Action.ESCALATE})
TIMELINE_ONLY_ACTIONS = frozenset(NOTE_ACTIONS | {Action.PRIORITY, Action.DEPART})
# The field actions of a fault repair (a crew's progress): each recorded once per visit.
FIELD_ACTIONS = frozenset({Action.DEPART, Action.RESTORE})


# THE table of actions a person takes on an order (one form on the order page, one API
# endpoint each): every transition of the table above, and the clock, merge, urge and
# priority actions beside it — with the fields each takes (``services.work_order_act``).
ACTION_INPUTS: dict[str, tuple[str, ...]] = {
    Action.DISPATCH: ("unit", "handler", "note"),
    Action.TRANSFER: ("unit", "handler", "reason"),
    Action.START: ("at", "note"),
    Action.REPLY: ("reply",),
    Action.CALLBACK: ("note",),
    Action.ARCHIVE: ("satisfied", "note"),
    Action.RETURN: ("reason",),
    Action.CANCEL: ("reason",),
    Action.REOPEN: ("reason",),
    Action.PAUSE: ("reason",),
    Action.RESUME: ("note",),
    Action.MERGE: ("master", "note"),
    Action.DETACH: ("note",),
    Action.URGE: ("note",),
    Action.PRIORITY: ("priority", "reason"),
    Action.DEPART: ("at", "note"),
    Action.RESTORE: ("at", "isolated_at", "fault_cause", "note"),
}
PAGE_ACTIONS = frozenset(ACTION_INPUTS)
assert {a for (_src, a) in TRANSITIONS} <= PAGE_ACTIONS


def action_permission(action: str) -> str:
    """The permission an action needs (``workorders.dispatch`` …; gridcare/org/permissions.py)."""
    return f"workorders.{action}"


class ClockKind(models.TextChoices):
    ARRIVAL = "arrival", _("到达现场")
    RESTORATION = "restoration", _("恢复送电")
    CONTACT = "contact", _("联系客户")
    REPLY = "reply", _("答复")
    COMPLETION = "completion", _("办结")
    CALLBACK = "callback", _("回访")


class ClockBasis(models.TextChoices):
    MINUTES = "minutes", _("分钟（自然时间）")
    WORKING_DAYS = "working_days", _("工作日")


# Which clocks an action stops.
CLOCKS_MET_BY: dict[str, frozenset[str]] = {
    Action.START: frozenset({ClockKind.ARRIVAL, ClockKind.CONTACT}),
    Action.RESTORE: frozenset({ClockKind.ARRIVAL, ClockKind.RESTORATION}),
    Action.REPLY: frozenset(
        {ClockKind.ARRIVAL, ClockKind.CONTACT, ClockKind.RESTORATION, ClockKind.REPLY, ClockKind.COMPLETION}
    ),
    Action.CALLBACK: frozenset({ClockKind.CALLBACK}),
    Action.ARCHIVE: frozenset({ClockKind.CALLBACK}),
}
# Clocks restarted when an order is reopened.
CLOCKS_RESTARTED_BY_REOPEN = frozenset({ClockKind.RESTORATION, ClockKind.REPLY, ClockKind.COMPLETION})


class NoticeKind(models.TextChoices):
    DISPATCHED = "dispatched", _("已派单通知")
    REPLIED = "replied", _("处理结果通知")
    MERGED = "merged", _("合并处理通知")


def allowed_actions(status: str) -> list[str]:
    """Status-changing actions the table allows from ``status`` (in table order)."""
    return [action for (src, action) in TRANSITIONS if src == status]


def next_status(status: str, action: str) -> str | None:
    return TRANSITIONS.get((status, action))
