"""Configuration pages of customer care: the credit rating's numbers."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import CareSetting, SegmentSetting, Treatment

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

register_config(
    ConfigSection(
        key="segment-settings",
        model=SegmentSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("客户细分与价值参数"),
        help=_(
            "大客户的容量线、价值分四项指标（用电量、电费贡献、缴费表现、服务负荷）的权重与价值等级分数线。每晚重算。"
        ),
        order=86,
        can_add=False,
        can_delete=False,
    )
)

register_config(
    ConfigSection(
        key="care-treatments",
        model=Treatment,
        fields=(
            "target",
            "green_channel",
            "one_to_one",
            "queue_priority",
            "hall_priority",
            "narrow_scope",
            "note",
            "active",
        ),
        columns=(
            "target",
            "green_channel",
            "one_to_one",
            "queue_priority",
            "hall_priority",
            "narrow_scope",
            "active",
        ),
        label=_("差异化服务策略"),
        help=_(
            "每个客户细分或信用等级享有的服务：绿色通道（最高优先级、绿色通道时限、通知客户经理）、"
            "一对一专属服务、来电排队优先级（通过来电查询接口提供给话务系统）、营业厅优先办理、受理时提示的限制服务范围。"
            "客户同时适用多条时取其并集（排队取最优先）。"
        ),
        order=87,
    )
)
