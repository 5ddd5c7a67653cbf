"""What rectification's audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import RectificationStatus

register_audit_labels(
    "rectification.",
    group=_("整改"),
    actions={
        "open": _("登记整改事项"),
        "fix": _("提交整改"),
        "verify": _("验证整改"),
        "reopen": _("退回重新整改"),
        "cancel": _("撤销整改事项"),
    },
    fields={
        "status": _("状态"),
        "source_kind": _("来源"),
        "source_ref": _("来源编号"),
        "unit": _("责任单位"),
        "owner": _("责任人"),
        "due_date": _("整改期限"),
        "evidence": _("整改情况"),
        "file": _("佐证文件"),
        "note": _("验证意见"),
        "reason": _("原因"),
    },
    values={"status": dict(RectificationStatus.choices)},
    objects={"rectification.rectificationitem": _("整改事项")},
)
