"""What the customer audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import CustomerCategory
from .models import Customer

register_audit_labels(
    "customer.",
    group=_("客户"),
    actions={
        "update": _("修改客户档案"),
        "reveal_personal_data": _("查看完整个人信息"),
        "export_unmasked": _("导出未脱敏的客户清单"),
        "import": _("导入客户"),
        "import_update": _("导入更新客户档案"),
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
