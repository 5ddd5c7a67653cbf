"""What the hall queue's audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

register_audit_labels(
    "hall.",
    group=_("营业厅"),
    actions={
        "rate": _("客户评价窗口服务"),
        "close": _("临时闭厅"),
        "reopen": _("恢复营业"),
    },
    fields={
        "score": _("评分"),
        "comment": _("意见"),
        "closed_now": _("临时闭厅"),
        "note": _("说明"),
    },
    objects={"hall.ticket": _("排队号"), "hall.hall": _("营业厅")},
)
