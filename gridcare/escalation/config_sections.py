"""Configuration pages of supervision: warning levels, authority limits, callback sampling,
notification rules, settings."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import AuthorityLimit, CallbackRule, EscalationSetting, NotificationRule, WarningLevel

register_config(
    ConfigSection(
        key="warning-levels",
        model=WarningLevel,
        fields=("code", "name", "percent", "escalate", "active"),
        label=_("预警级别"),
        help=_("时限用到多少时预警，到 100% 时升级督办。"),
        order=30,
    )
)
register_config(
    ConfigSection(
        key="authority-limits",
        model=AuthorityLimit,
        fields=("role", "unit_kind", "max_amount", "description"),
        label=_("补救授权额度"),
        help=_("各角色（按单位层级）无需审批可给予的补偿累计上限；空白为不限。"),
        order=40,
    )
)
register_config(
    ConfigSection(
        key="callback-rules",
        model=CallbackRule,
        fields=("request_type", "sample_percent"),
        label=_("回访规则"),
        help=_("各类诉求回单后回访的抽样比例；回访时限见“服务承诺时限”。"),
        order=50,
    )
)
register_config(
    ConfigSection(
        key="escalation-settings",
        model=EscalationSetting,
        fields=("value", "description"),
        columns=("key", "value", "description"),
        label=_("督办参数"),
        order=70,
        can_add=False,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="notification-rules",
        model=NotificationRule,
        fields=("event", "recipient", "delivery"),
        label=_("通知规则"),
        help=_("每类工单事件告知谁、怎样告知：立即通知、并入每日汇总，或不通知；没有规则的组合不通知。"),
        order=60,
    )
)
