"""What inspections' audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import InspectionStatus

register_audit_labels(
    "inspections.",
    group=_("明查暗访"),
    actions={
        "record": _("登记检查"),
        "publish": _("公布检查结果"),
        "file_add": _("追加检查附件"),
        "sites_sync": _("同步检查对象"),
    },
    fields={
        "site": _("检查对象"),
        "kind": _("检查方式"),
        "score": _("得分"),
        "passed": _("合格"),
        "vetoed": _("否决项不合格"),
        "failed": _("不合格项"),
        "files": _("附件"),
        "status": _("状态"),
        "hall": _("营业厅"),
        "station": _("供电所"),
        "hotline": _("话务班组"),
    },
    values={"status": dict(InspectionStatus.choices)},
    objects={"inspections.inspection": _("明查暗访")},
)
