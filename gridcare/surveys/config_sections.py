"""Configuration pages of surveys: the longest open period and the default order period."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import SurveySetting

register_config(
    ConfigSection(
        key="survey-settings",
        model=SurveySetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("满意度调查参数"),
        help=_("调查开放期最长天数；按“有/无工单”选调查对象时，截至开始日期统计工单的天数（默认值）。"),
        order=86,
        can_add=False,
        can_delete=False,
    )
)
