"""Configuration pages of the hall queue: halls, counters, service types, the queue rules."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import Counter, Hall, HallSetting, ServiceType

register_config(
    ConfigSection(
        key="hall-halls",
        model=Hall,
        fields=(
            "code",
            "name",
            "unit",
            "address",
            "weekday_hours",
            "weekend_hours",
            "open_on_holidays",
            "closed_now",
            "closed_note",
            "active",
        ),
        columns=("code", "name", "unit", "weekday_hours", "weekend_hours", "closed_now", "active"),
        label=_("营业厅"),
        help=_("营业厅及其营业时间（工作日、周末；节假日是否营业）；非营业时间和临时闭厅时不能取号。"),
        order=86,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="hall-counters",
        model=Counter,
        fields=("hall", "number", "service_codes", "active"),
        label=_("营业厅窗口"),
        help=_("每个窗口办理的业务类型（编码逗号分隔，空表示全部）。"),
        order=87,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="hall-service-types",
        model=ServiceType,
        fields=("code", "name", "prefix", "average_minutes", "order", "active"),
        label=_("营业厅业务类型"),
        help=_("取号的业务类型、号码字母和平均办理分钟（叫号屏预计等候用）。"),
        order=88,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="hall-settings",
        model=HallSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("营业厅排队规则"),
        help=_(
            "优先规则：优先客户（VIP/高信用）与老年人/残障人士按取号时间提前若干分钟排队；"
            "等候超过设定分钟数的号不论类别优先叫，普通号不会久等。等候时长承诺默认 15 分钟。"
        ),
        order=89,
        can_add=False,
        can_delete=False,
    )
)
