"""Settings pages of partner access: the Open311 jurisdiction and default channel, the
service mapping (service codes → type and dimension), and the limits."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import Open311Config, PartnerSetting, ServiceMapping

register_config(
    ConfigSection(
        key="open311",
        model=Open311Config,
        fields=("jurisdiction_id", "channel"),
        label=_("Open311 接口"),
        help=_(
            "Open311 GeoReport v2 接口应答的 jurisdiction_id，以及合作方提交诉求时默认的受理渠道（合作方可单独指定）。"
        ),
        order=93,
        can_add=False,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="open311-services",
        model=ServiceMapping,
        fields=(
            "service_code",
            "name",
            "description",
            "request_type",
            "dimension",
            "subtype",
            "keywords",
            "group",
            "active",
            "order",
        ),
        columns=("service_code", "name", "request_type", "dimension", "subtype", "group", "active"),
        label=_("Open311 服务映射"),
        help=_("合作方看到的服务代码及其对应的诉求类型、分析维度；停用的服务不再列出、不能提交。"),
        order=94,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="partner-settings",
        model=PartnerSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("合作方接入参数"),
        help=_("每个接口密钥每分钟最多调用次数、诉求查询每次最多返回的条数，以及调用记录保留多少天。"),
        order=95,
        can_add=False,
        can_delete=False,
    )
)
