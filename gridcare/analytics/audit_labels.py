"""What the analytics audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels
from gridcare.workorders.choices import Dimension

from .models import HotspotDecisionState, ReportKind
from .planning import ActionCategory

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
register_audit_labels(
    "hotspot.",
    group=_("热点整治计划"),
    actions={"decide": _("热点处理决定")},
    fields={
        "level": _("层级"),
        "asset": _("资产编码"),
        "dimension": _("维度"),
        "state": _("处理状态"),
        "action": _("项目或措施"),
        "action_category": _("措施类别"),
        "reason": _("原因"),
        "fixed_at": _("整改完成日期"),
        "before": _("原处理状态"),
    },
    values={
        "level": {"area": _("台区"), "feeder": _("馈线"), "station": _("供电所")},
        "dimension": dict(Dimension.choices),
        "state": dict(HotspotDecisionState.choices),
        "before": dict(HotspotDecisionState.choices),
        "action_category": dict(ActionCategory.choices),
    },
    objects={"analytics.hotspotdecision": _("热点处理决定")},
)
