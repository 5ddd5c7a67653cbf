"""What supervision's audit rows mean, in words (core's one table)."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels
from gridcare.escalation.choices import FailureCause

from .choices import RewardKind, ViolationSource

register_audit_labels(
    "supervision.",
    group=_("社会监督与行为规范"),
    actions={
        "plan_save": _("保存座谈计划"),
        "point_raise": _("登记监督意见"),
        "point_answer": _("答复监督意见"),
        "point_rectify": _("监督意见转整改"),
        "reward_propose": _("提出监督员奖励"),
        "reward_approve": _("批准监督员奖励"),
        "reward_reject": _("驳回监督员奖励"),
        "violation_record": _("登记员工违规"),
        "violation_withdraw": _("撤销员工违规"),
        "improvement_open": _("失误原因整改立项"),
    },
    fields={
        "every_months": _("周期（月）"),
        "reminder_days": _("提前提醒（天）"),
        "active": _("启用"),
        "supervisor": _("监督员"),
        "unit": _("单位"),
        "rectification": _("整改事项"),
        "kind": _("奖励方式"),
        "amount": _("金额"),
        "staff": _("员工"),
        "norm": _("规范"),
        "points": _("扣分"),
        "source": _("发现途径"),
        "cause": _("失误原因"),
        "period": _("统计周期"),
        "count": _("次数"),
    },
    values={
        "kind": dict(RewardKind.choices),
        "source": dict(ViolationSource.choices),
        "cause": dict(FailureCause.choices),
    },
    objects={
        "supervision.consultationplan": _("座谈计划"),
        "supervision.supervisorpoint": _("监督意见"),
        "supervision.supervisorreward": _("监督员奖励"),
        "supervision.conductviolation": _("违规记录"),
    },
)
