"""Configuration pages of outages: the reliability and frequent-outage settings."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import OutageSetting

register_config(
    ConfigSection(
        key="outage-settings",
        model=OutageSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("停电参数"),
        help=_("短时停电阈值（可靠性统计不计短于此的停电）与频繁停电的判定标准。"),
        order=80,
        can_add=False,
        can_delete=False,
    )
)
