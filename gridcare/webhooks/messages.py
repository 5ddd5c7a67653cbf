"""What the webhooks write for people to read later (in-app notifications), as codes."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.messages import register

register(
    "webhooks.auto_disabled",
    _("事件推送订阅“%(name)s”连续 %(count)s 次投递失败，已自动停用，请检查接收地址后重新启用"),
)
