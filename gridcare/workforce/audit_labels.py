"""What the workforce audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

register_audit_labels(
    "workforce.",
    group=_("话务排班"),
    actions={
        "contact_volume_import": _("导入话务量"),
        "call_records_import": _("导入通话记录"),
    },
    fields={
        "created": _("新增"),
        "updated": _("更新"),
        "volume_rows_created": _("新增话务量行"),
        "volume_rows_updated": _("更新话务量行"),
    },
)
