"""Configuration pages of customer care: the credit rating's numbers."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import CareSetting

register_config(
    ConfigSection(
        key="credit-settings",
        model=CareSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("信用评级参数"),
        help=_(
            "每类扣分事项的分值与有效期、A/B/C 级的扣分线和否决规则（窃电、违约用电、连续欠费、新客户）。"
            "修改后，夜间重算会按新规则更新全部客户的信用等级。"
        ),
        order=85,
        can_add=False,
        can_delete=False,
    )
)
