"""What the surveys' audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import Audience, CampaignStatus

register_audit_labels(
    "surveys.",
    group=_("满意度调查"),
    actions={
        "create": _("新建满意度调查"),
        "send": _("发送满意度调查"),
        "close": _("结束满意度调查"),
        "answer": _("客户提交问卷"),
    },
    fields={
        "status": _("状态"),
        "title": _("调查名称"),
        "unit": _("调查范围"),
        "category": _("用户类别"),
        "audience": _("调查对象"),
        "sample_size": _("样本量"),
        "opens_on": _("开始日期"),
        "closes_on": _("截止日期"),
        "population": _("符合条件的客户"),
        "invited": _("发送邀请"),
        "queued": _("短信"),
        "overall": _("总体满意度"),
        "reliability": _("供电质量"),
        "attitude": _("服务态度"),
        "efficiency": _("办事效率"),
        "campaign": _("调查"),
    },
    values={"status": dict(CampaignStatus.choices), "audience": dict(Audience.choices)},
    objects={"surveys.surveycampaign": _("满意度调查"), "surveys.surveyinvitation": _("调查邀请")},
)
