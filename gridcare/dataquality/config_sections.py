"""Configuration pages of data quality: which checks run."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import DataQualityCheck

register_config(
    ConfigSection(
        key="data-quality-checks",
        model=DataQualityCheck,
        fields=("enabled",),
        columns=("code", "enabled"),
        label=_("数据质量检查项"),
        help=_("夜间检查运行哪些检查项。停用的检查项不再运行，已有问题保持原状。"),
        order=87,
        can_add=False,
        can_delete=False,
    )
)
