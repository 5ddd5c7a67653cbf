"""Configuration pages of proactive care: the care-list rules."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import ProactiveSetting

register_config(
    ConfigSection(
        key="proactive-settings",
        model=ProactiveSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("主动服务清单规则"),
        help=_(
            "电能表装表满多少年列入到期轮换清单（默认 8 年），哪些表箱状况列为老旧表箱（默认老化、破损）。"
        ),
        order=86,
        can_add=False,
        can_delete=False,
    )
)
