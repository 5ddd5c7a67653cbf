"""Configuration pages of rectification: the default and longest due dates."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import RectificationSetting

register_config(
    ConfigSection(
        key="rectification-settings",
        model=RectificationSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("整改参数"),
        help=_("登记整改事项时未指定期限所用的默认工作日数，以及整改期限最长天数。"),
        order=85,
        can_add=False,
        can_delete=False,
    )
)
