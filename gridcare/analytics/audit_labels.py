"""What the analytics audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .models import ReportKind

register_audit_labels(
    "classifier.",
    group=_("分类模型"),
    actions={"train": _("训练分类模型"), "activate": _("启用分类模型")},
    fields={"trained_on": _("训练样本"), "active": _("启用的模型版本")},
    objects={"analytics.classifiermodel": _("分类模型")},
)
register_audit_labels(
    "report.",
    group=_("分析报告"),
    actions={"publish": _("生成分析报告"), "request": _("提交报告生成任务")},
    fields={"period": _("报告期"), "kind": _("报告类型"), "trigger": _("触发方式")},
    values={
        "kind": dict(ReportKind.choices),
        "trigger": {"on_demand": _("手动生成"), "scheduled": _("定时生成")},
    },
    objects={"analytics.publishedreport": _("分析报告")},
)
