"""What the organisation's audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import Role, UnitKind

register_audit_labels(
    "org.",
    group=_("组织"),
    actions={
        "unit_move": _("调整单位隶属"),
        "import": _("导入组织单位"),
        "unit_import_update": _("导入更新单位"),
        "staff_import": _("导入员工"),
        "staff_import_create": _("导入新增员工"),
        "staff_import_update": _("导入更新员工"),
    },
    fields={
        "path": _("单位路径"),
        "parent": _("上级单位"),
        "name": _("名称"),
        "kind": _("层级"),
        "area_class": _("区域类别"),
        "unit": _("所属单位"),
        "role": _("角色"),
        "display_name": _("姓名"),
        "phone": _("电话"),
        "email": _("邮箱"),
        "created": _("新增"),
        "updated": _("更新"),
    },
    values={"role": dict(Role.choices), "kind": dict(UnitKind.choices)},
    objects={"org.orgunit": _("单位"), "org.staffprofile": _("员工"), "auth.user": _("用户")},
)
