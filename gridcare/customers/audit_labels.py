"""What the customer audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import CustomerCategory
from .models import Customer, ServiceGrid

register_audit_labels(
    "customer.",
    group=_("客户"),
    actions={
        "update": _("修改客户档案"),
        "reveal_personal_data": _("查看完整个人信息"),
        "export_unmasked": _("导出未脱敏的客户清单"),
        "import": _("导入客户"),
        "import_update": _("导入更新客户档案"),
        "manager_set": _("指定专属客户经理"),
    },
    fields={
        **{f.name: f.verbose_name for f in Customer._meta.concrete_fields},
        "area": _("台区"),
        "created": _("新增"),
        "updated": _("更新"),
        "unchanged": _("未变"),
    },
    values={"category": dict(CustomerCategory.choices)},
    objects={"customers.customer": _("客户")},
)

register_audit_labels(
    "service_grid.",
    group=_("服务网格"),
    actions={
        "create": _("新建服务网格"),
        "update": _("修改服务网格"),
        "reassign": _("客户经理交接"),
    },
    fields={
        **{f.name: f.verbose_name for f in ServiceGrid._meta.concrete_fields},
        "areas": _("台区数（原/新）"),
        "to": _("接替人"),
        "customers": _("专属客户"),
    },
    objects={"customers.servicegrid": _("服务网格"), "auth.user": _("员工")},
)
