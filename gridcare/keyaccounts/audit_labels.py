"""What key-account audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import DrillResult, DrillStatus, InspectionStatus

register_audit_labels(
    "keyaccount.",
    group=_("大客户服务"),
    actions={
        "subscribe": _("订购服务包"),
        "unsubscribe": _("结束服务包"),
        "inspection_schedule": _("安排安全检查"),
        "inspection_record": _("记录安全检查"),
        "inspection_cancel": _("取消安全检查"),
        "plan_create": _("建立应急预案"),
        "plan_update": _("修改应急预案"),
        "drill_schedule": _("安排应急演练"),
        "drill_record": _("记录应急演练"),
        "drill_cancel": _("取消应急演练"),
    },
    fields={
        "package": _("服务包"),
        "start_date": _("开始日期"),
        "ended_on": _("结束日期"),
        "customer": _("客户"),
        "cancelled_inspections": _("取消的安全检查"),
        "due_date": _("应检日期"),
        "status": _("状态"),
        "done_on": _("检查日期"),
        "findings": _("发现问题数"),
        "rectifications": _("整改事项"),
        "reason": _("原因"),
        "review_date": _("复审日期"),
        "document": _("预案文件"),
        "retired": _("停用的旧预案"),
        "title": _("预案名称"),
        "contacts": _("联系人数"),
        "backup_capacity_kw": _("自备电源容量(kW)"),
        "scheduled_for": _("计划日期"),
        "held_on": _("演练日期"),
        "result": _("演练结果"),
    },
    lists={"rectifications", "retired"},
    values={
        "status": {**dict(InspectionStatus.choices), **dict(DrillStatus.choices)},
        "result": dict(DrillResult.choices),
    },
    objects={
        "keyaccounts.subscription": _("服务包订购"),
        "keyaccounts.safetyinspection": _("安全检查"),
        "keyaccounts.emergencyplan": _("应急预案"),
        "keyaccounts.drill": _("应急演练"),
    },
)
