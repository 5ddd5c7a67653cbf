"""What the portal's audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import ChangeStatus

register_audit_labels(
    "portal.",
    group=_("网上营业厅"),
    actions={
        "sign_in": _("客户登录网上营业厅"),
        "submit": _("客户在网上营业厅提交诉求"),
        "report": _("网上匿名举报"),
        "rate": _("客户在网上营业厅评价"),
        "contact_request": _("客户申请变更联系信息"),
        "contact_review": _("审核客户联系信息变更"),
    },
    fields={
        "ip": _("IP 地址"),
        "customer": _("户号"),
        "attachments": _("附件数"),
        "topic": _("举报内容"),
        "score": _("评分"),
        "outcome": _("回访结果"),
        "callback": _("回访任务"),
        "phone": _("修改电话"),
        "address": _("修改地址"),
        "status": _("状态"),
    },
    values={"status": dict(ChangeStatus.choices)},
    objects={"portal.contactchange": _("客户信息变更申请")},
)
