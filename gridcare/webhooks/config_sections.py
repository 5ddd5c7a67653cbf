"""Configuration page of the webhooks: attempts, backoff, auto-disable, timeout, private addresses."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import WebhookSetting

register_config(
    ConfigSection(
        key="webhooks-settings",
        model=WebhookSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("事件推送参数"),
        help=_("投递次数、重试间隔（指数退避）、自动停用阈值、超时，以及是否允许推送到内网地址。"),
        order=94,
        can_add=False,
        can_delete=False,
    )
)
