"""Configuration pages of the application process: the stage plans, their steps, and the
settings (stall threshold, home-visit booking limit)."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import ApplicationSetting, StagePlan, StagePlanStep

register_config(
    ConfigSection(
        key="application-plans",
        model=StagePlan,
        fields=("kind", "category", "variant", "name", "overall_limit_days", "active"),
        label=_("业扩流程方案"),
        help=_(
            "每种业务类型、用户类别、办理方式一个方案及其总时限（工作日）。"
            "修改只影响此后受理的申请，在途申请按受理时的方案办理。"
        ),
        order=70,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="application-plan-steps",
        model=StagePlanStep,
        fields=(
            "plan",
            "seq",
            "code",
            "name",
            "limit_days",
            "owner_role",
            "owner_unit_kind",
            "documents",
            "optional",
        ),
        columns=("plan", "seq", "name", "limit_days", "owner_role", "owner_unit_kind", "optional"),
        label=_("业扩流程环节"),
        help=_("方案的各环节：顺序、时限（工作日）、责任岗位与单位层级、所需资料（每行一项）。"),
        order=71,
    )
)
register_config(
    ConfigSection(
        key="application-settings",
        model=ApplicationSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("业扩流程参数"),
        help=_("流程停滞的判定天数，以及远程受理后须预约上门的期限。"),
        order=72,
        can_add=False,
        can_delete=False,
    )
)
