"""What the work order's audit rows mean, in words (registered with core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import Action, Channel, ClockKind, FaultCause, Priority, RequestType, Status

register_audit_labels(
    "work_order.",
    group=_("工单"),
    actions={
        **dict(Action.choices),
        "import": _("导入历史工单"),
        "photo_add": _("添加现场照片"),
        "deadlines_recompute": _("按新日历重算时限"),
    },
    fields={
        "status": _("状态"),
        "channel": _("受理渠道"),
        "request_type": _("诉求类型"),
        "clock": _("时限"),
        "clocks": _("时限"),
        "level": _("预警级别"),
        "percent": _("已用时限(%)"),
        "unit": _("责任单位"),
        "from_unit": _("原责任单位"),
        "to_unit": _("新责任单位"),
        "handler": _("处理人"),
        "satisfied": _("客户满意"),
        "master": _("主单"),
        "child": _("子单"),
        "urge_count": _("催办次数"),
        "priority": _("优先级"),
        "paused_seconds": _("暂停秒数"),
        "reason": _("原因"),
        "at": _("时间"),
        "fault_cause": _("故障原因"),
        "isolated_at": _("故障隔离时间"),
        "photo": _("照片"),
        "bytes": _("大小(字节)"),
        "type": _("文件类型"),
        "created": _("新增"),
        "updated": _("更新"),
        "unchanged": _("未变"),
        "classifier": _("分类模型"),
        "due_at": _("到期时间"),
        "orders": _("工单数"),
    },
    values={
        "status": dict(Status.choices),
        "channel": dict(Channel.choices),
        "request_type": dict(RequestType.choices),
        "clock": dict(ClockKind.choices),
        "clocks": dict(ClockKind.choices),
        "priority": dict(Priority.choices),
        "fault_cause": dict(FaultCause.choices),
        "satisfied": {None: _("未知")},
    },
    lists=("clocks",),
    objects={"workorders.workorder": _("工单")},
)
