"""What the webhooks' audit rows mean, in words."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

register_audit_labels(
    "webhooks.",
    group=_("事件推送"),
    actions={
        "create": _("新建推送订阅"),
        "update": _("修改推送订阅"),
        "rotate": _("更换签名密钥"),
        "enable": _("启用推送订阅"),
        "disable": _("停用推送订阅"),
        "auto_disable": _("连续失败自动停用"),
        "test": _("发送测试事件"),
    },
    fields={
        "name": _("名称"),
        "url": _("接收地址"),
        "events": _("事件"),
        "units": _("单位范围"),
        "failures": _("连续失败次数"),
        "msg_id": _("消息编号"),
    },
)
