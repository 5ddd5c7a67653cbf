"""The work order's configuration pages: the commitment catalog (time limits) and process settings."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import CommitmentRule, PolicySetting

register_config(
    ConfigSection(
        key="commitments",
        model=CommitmentRule,
        fields=(
            "request_type",
            "subtype",
            "area_class",
            "customer_category",
            "green_channel",
            "kind",
            "basis",
            "amount",
            "after",
            "active",
            "description",
        ),
        columns=(
            "request_type",
            "subtype",
            "area_class",
            "customer_category",
            "green_channel",
            "kind",
            "basis",
            "amount",
            "active",
        ),
        label=_("服务承诺时限"),
        help=_(
            "每类诉求的时限：按诉求类型、业务子类、区域类别、用户类别匹配，最具体的规则生效；新受理的工单按新规则计时。"
        ),
        order=20,
    )
)
register_config(
    ConfigSection(
        key="workorder-settings",
        model=PolicySetting,
        fields=("value", "description"),
        columns=("key", "value", "description"),
        label=_("工单参数"),
        order=60,
        can_add=False,
        can_delete=False,
    )
)
