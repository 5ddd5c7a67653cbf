"""What customer care's audit rows mean, in words (core's one table)."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

register_audit_labels(
    "care.",
    group=_("客户服务差异化"),
    actions={
        "billing_import": _("导入电费账单"),
        "conduct_import": _("导入用电行为记录"),
    },
    fields={"created": _("新增"), "updated": _("更新"), "unchanged": _("未变")},
    objects={"care.bill": _("电费账单"), "care.conductevent": _("用电行为记录")},
)
register_audit_labels("caresetting.", group=_("信用评级参数"), actions={"update": _("修改信用评级参数")})
