"""What partner access's audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

register_audit_labels(
    "partners.",
    group=_("合作方接入"),
    actions={
        "partner_create": _("新增合作方"),
        "partner_update": _("修改合作方"),
        "key_issue": _("签发接口密钥"),
        "key_update": _("修改密钥范围"),
        "key_revoke": _("吊销接口密钥"),
    },
    fields={
        "name": _("名称"),
        "unit": _("受理单位"),
        "channel": _("受理渠道"),
        "contact": _("联系人"),
        "active": _("启用"),
        "prefix": _("密钥前缀"),
        "units": _("数据范围"),
        "endpoints": _("可调用接口"),
        "expires_at": _("到期时间"),
    },
)
