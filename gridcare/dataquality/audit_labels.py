"""What data quality's audit rows mean, in words (core's one table)."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import FindingStatus

register_audit_labels(
    "dataquality.",
    group=_("数据质量"),
    actions={"run": _("运行数据质量检查")},
    fields={"found": _("发现问题"), "new": _("新增问题"), "closed": _("复查后自动关闭")},
    objects={"dataquality.checkrun": _("数据质量检查运行")},
)
register_audit_labels(
    "finding.",
    group=_("数据质量问题"),
    actions={
        "assign": _("分派数据质量问题"),
        "resolve": _("解决数据质量问题"),
        "rectify": _("数据质量问题列入整改"),
        "dismiss": _("忽略数据质量问题"),
    },
    fields={"status": _("状态"), "assignee": _("处理人"), "rectification": _("整改事项")},
    values={"status": dict(FindingStatus.choices)},
    objects={"dataquality.finding": _("数据质量问题")},
)
register_audit_labels(
    "dataqualitycheck.", group=_("数据质量检查项"), actions={"update": _("修改数据质量检查项")}
)
