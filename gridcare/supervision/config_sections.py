"""Configuration pages of supervision: the conduct norms and the recurring-cause threshold."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import ConductNorm, SupervisionSetting

register_config(
    ConfigSection(
        key="supervision-norms",
        model=ConductNorm,
        fields=("code", "name", "default_points", "active", "sort"),
        columns=("code", "name", "default_points", "active"),
        label=_("员工行为规范"),
        help=_("行为规范条目及违规默认扣分（1～20 分）；登记违规时可按实际情况调整扣分。"),
        order=88,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="supervision-settings",
        model=SupervisionSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("社会监督参数"),
        help=_("同一责任单位同一失误原因一期内达到该次数时提示立项整改。"),
        order=89,
        can_add=False,
        can_delete=False,
    )
)
