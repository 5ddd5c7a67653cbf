"""What the evaluation's audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

register_audit_labels(
    "evaluation.",
    group=_("三方评价"),
    actions={
        "appoint": _("聘任评价专家"),
        "appointment_end": _("结束专家聘任"),
        "assess": _("登记专家评价"),
        "assessment_change": _("修改专家评价"),
        "assessment_delete": _("删除专家评价"),
    },
    fields={
        "user": _("专家"),
        "unit": _("评价范围"),
        "valid_from": _("聘任开始"),
        "valid_to": _("聘任结束"),
        "target": _("评价对象"),
        "period": _("评价月份"),
        "expert": _("专家"),
        "scores": _("各项得分"),
        "total": _("总分"),
        "note": _("评价意见"),
    },
    objects={
        "evaluation.expertappointment": _("评价专家聘任"),
        "evaluation.expertassessment": _("专家评价"),
    },
)
register_audit_labels(
    "evaluationsetting.", group=_("三方评价权重"), actions={"update": _("修改三方评价权重")}
)
register_audit_labels(
    "expertchecklistitem.",
    group=_("专家评价细则"),
    actions={"create": _("新增专家评价细则"), "update": _("修改专家评价细则")},
)
