"""What supervision writes for people to read later — timeline entries of warnings and
escalations, in-app notifications — as codes and parameters (``gridcare.core.messages``),
rendered in the reader's language when shown."""

from collections import Counter

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridcare.core.deadlines import deadline_label
from gridcare.core.messages import local_minute, register
from gridcare.workorders.choices import Action, ClockKind, Status

from .choices import CallbackResult, EscalationReason, NotificationKind, RepeatBasis


def _kind_counts(counts) -> str:
    """{"warning": 3, "escalation": 1} as "时限预警 3 条、升级督办 1 条", most first."""
    counts = Counter({k: int(n) for k, n in (counts or {}).items()})
    return gettext("、").join(
        gettext("%(kind)s %(n)d 条") % {"kind": NotificationKind(kind).label, "n": n}
        for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if kind in NotificationKind.values
    )


# On the order's timeline.
register(
    "order.escalated",
    _("因“%(reason)s”升级至%(unit)s督办（第%(level)s级）"),
    reason=EscalationReason,
)
register(
    "order.warned",
    _("「%(clock)s」时限已用%(percent)s%%（%(due)s 到期）"),
    clock=ClockKind,
    due=local_minute,
)

# In-app notifications.
register(
    "notify.transition",
    _("工单 %(no)s：%(action)s（%(from)s → %(to)s）"),
    action=Action,
    to=Status,
    **{"from": Status},
)
register("notify.action", _("工单 %(no)s：%(action)s"), action=Action)
register("notify.green_channel", _("绿色通道客户的新工单 %(no)s：请跟进（您是该客户的客户经理）"))
register(
    "notify.escalated",
    _("工单 %(no)s 因“%(reason)s”升级至%(unit)s督办（第%(level)s级）"),
    reason=EscalationReason,
)
register("notify.warning", _("工单 %(no)s「%(clock)s」时限已用%(percent)s%%，请抓紧处理"), clock=ClockKind)
# Deadlines other apps register with the monitor (``core.deadlines``: an outage's restoration).
register(
    "notify.deadline_warning",
    _("%(what)s %(no)s 时限已用%(percent)s%%（%(due)s 到期），请抓紧处理"),
    what=deadline_label,
    due=local_minute,
)
register(
    "notify.deadline_escalated",
    _("%(what)s %(no)s 已超时，升级至%(unit)s督办（第%(level)s级）"),
    what=deadline_label,
)
register("notify.recovery_approval", _("工单 %(no)s 补偿 ¥%(amount)s 超出提出人权限（¥%(limit)s），请审批"))
register(
    "notify.repeat", _("工单 %(no)s 是 %(earlier)s 的重复诉求（%(basis)s），已提级处理"), basis=RepeatBasis
)
register("notify.urged", _("工单 %(no)s 客户第%(count)s次催办：%(words)s"))
register("notify.urged_plain", _("工单 %(no)s 客户第%(count)s次催办，请尽快处理"))
register(
    "notify.urged_closed",
    _("已%(status)s的工单 %(no)s 客户再次催办，已新建工单 %(follow_up)s"),
    status=Status,
)
register("notify.digest", _("每日汇总（截至 %(at)s）：%(counts)s"), at=local_minute, counts=_kind_counts)
register(
    "order.escalated_clock",
    _("因“%(reason)s”升级至%(unit)s督办（第%(level)s级）：%(clock)s时限已到期"),
    reason=EscalationReason,
    clock=ClockKind,
)
register("order.callback_result", _("回访结果：%(result)s"), result=CallbackResult)
register("order.callback_unsatisfied", _("回访不满意"))
