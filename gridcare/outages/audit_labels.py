"""What the outages' audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import OutageKind, OutageStatus

register_audit_labels(
    "outage.",
    group=_("停电事件"),
    actions={
        "create": _("发布停电"),
        "start": _("开始停电"),
        "restore": _("恢复送电"),
        "cancel": _("取消停电"),
        "isolate": _("记录故障隔离时间"),
        "confirm_burst": _("确认集中报修为故障停电"),
        "import": _("导入停电事件"),
        "import_create": _("导入新增停电事件"),
        "import_update": _("导入更新停电事件"),
    },
    fields={
        "kind": _("停电类型"),
        "status": _("状态"),
        "areas": _("台区"),
        "feeders": _("线路"),
        "customers": _("停电客户数"),
        "restored_areas": _("恢复送电的台区"),
        "isolated_at": _("故障隔离时间"),
        "master_order": _("主工单"),
        "merged_orders": _("并入的报修工单"),
        "reports": _("报修数"),
        "created": _("新增"),
        "updated": _("更新"),
    },
    values={"kind": dict(OutageKind.choices), "status": dict(OutageStatus.choices)},
    objects={"outages.outage": _("停电事件")},
)
