"""What the applications' audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import ApplicationStatus

register_audit_labels(
    "applications.",
    group=_("业扩报装"),
    actions={
        "accept": _("受理业务申请"),
        "stage_complete": _("完成环节"),
        "document": _("收取资料"),
        "pause": _("暂停计时"),
        "resume": _("恢复计时"),
        "terminate": _("终止申请"),
        "home_visit": _("预约上门"),
        "follow_up": _("答复停滞/终止流程"),
    },
    fields={
        "status": _("状态"),
        "stage": _("环节"),
        "reason": _("原因"),
        "reply": _("答复客户"),
        "due_at": _("承诺办结时间"),
        "date": _("上门日期"),
        "window": _("上门时段"),
        "name": _("资料"),
    },
    values={"status": dict(ApplicationStatus.choices)},
    objects={"applications.application": _("业务申请")},
)
