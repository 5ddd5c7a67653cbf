"""What the supervision and recovery audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import (
    CallbackResult,
    EscalationReason,
    FailureCause,
    FailureOrigin,
    FailureSource,
    RecoveryKind,
    RecoveryStatus,
    RepeatBasis,
)

register_audit_labels(
    "escalation.",
    group=_("督办与补救"),
    actions={
        "callback": _("回访"),
        "callback_reveal_phone": _("查看回访联系电话"),
        "consultation": _("监督员座谈"),
        "escalate": _("升级督办"),
        "warn": _("时限预警"),
        "failure_record": _("认定服务失误"),
        "recovery_propose": _("提出补救措施"),
        "recovery_approve": _("批准补救措施"),
        "recovery_reject": _("驳回补救措施"),
        "recovery_complete": _("执行补救措施"),
        "repeat": _("识别重复诉求"),
        "supervisor_register": _("登记社会监督员"),
        "supervisor_reveal_phone": _("查看监督员电话"),
        "supervisor_submission": _("受理监督员反映的问题"),
        "urge": _("催办"),
        "urge_closed": _("已办结工单再次催办"),
    },
    fields={
        "outcome": _("回访结果"),
        "attempt": _("第几次拨打"),
        "final": _("回访结束"),
        "order": _("工单"),
        "attendees": _("参会人"),
        "source": _("发现途径"),
        "origin": _("失误来源"),
        "cause": _("失误原因"),
        "unit": _("单位"),
        "kind": _("补救方式"),
        "amount": _("金额"),
        "limit": _("权限上限"),
        "status": _("状态"),
        "earlier": _("前次工单"),
        "basis": _("判定依据"),
        "similarity": _("相似度"),
        "urge_count": _("催办次数"),
        "priority": _("优先级"),
        "follow_up": _("新建工单"),
        "reason": _("原因"),
        "level": _("升级层级"),
        "percent": _("已用时限百分比"),
        "due": _("到期时间"),
    },
    values={
        "outcome": dict(CallbackResult.choices),
        "source": dict(FailureSource.choices),
        "origin": dict(FailureOrigin.choices),
        "cause": dict(FailureCause.choices),
        "kind": dict(RecoveryKind.choices),
        "status": dict(RecoveryStatus.choices),
        "reason": dict(EscalationReason.choices),
        "basis": dict(RepeatBasis.choices),
    },
    lists=("attendees",),
    objects={
        "escalation.callbacktask": _("回访任务"),
        "escalation.servicefailure": _("服务失误"),
        "escalation.recoveryaction": _("补救措施"),
        "escalation.socialsupervisor": _("社会监督员"),
        "escalation.supervisorconsultation": _("监督员座谈"),
    },
)
# The work order's own timeline entry of an escalation carries its reason as a code.
register_audit_labels("work_order.", values={"reason": dict(EscalationReason.choices)})
