"""Configuration pages of key-account service: the service packages and the settings."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import KeyAccountSetting, ServicePackage

register_config(
    ConfigSection(
        key="service-packages",
        model=ServicePackage,
        fields=("code", "name", "includes", "inspection_interval_months", "active"),
        columns=("code", "name", "inspection_interval_months", "active"),
        label=_("大客户服务包"),
        help=_("服务包的内容与安全检查周期（月）；已有客户订购的服务包不能删除，可停止订购。"),
        order=86,
    )
)
register_config(
    ConfigSection(
        key="keyaccount-settings",
        model=KeyAccountSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("大客户服务参数"),
        help=_("应急预案到期提示天数、安全检查任务提前生成天数、各严重程度问题的整改期限。"),
        order=87,
        can_add=False,
        can_delete=False,
    )
)
