"""Settings pages of inspections: the pass mark and rectification days, the sites and how
many inspections each owes per quarter, the checklists and their weighted items."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import Checklist, ChecklistItem, InspectionSetting, InspectionSite

register_config(
    ConfigSection(
        key="inspection-settings",
        model=InspectionSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("明查暗访参数"),
        help=_("检查合格分；不合格项登记整改时的整改期限（工作日）。"),
        order=86,
        can_add=False,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="inspection-sites",
        model=InspectionSite,
        fields=("name", "per_quarter", "active"),
        columns=("kind", "name", "unit", "per_quarter", "active"),
        label=_("检查对象"),
        help=_("营业厅、供电所、话务班组；每季度至少检查的次数（默认 1）。新对象在“季度覆盖”页同步。"),
        order=87,
        can_add=False,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="inspection-checklists",
        model=Checklist,
        fields=("name", "site_kind", "active"),
        label=_("检查表"),
        help=_("每类检查对象使用的检查表。"),
        order=88,
    )
)
register_config(
    ConfigSection(
        key="inspection-checklist-items",
        model=ChecklistItem,
        fields=("checklist", "position", "text", "weight", "veto", "active"),
        label=_("检查项"),
        help=_("检查表的检查项：分值权重 1–100；否决项不合格则整次检查不合格。已登记的检查不受修改影响。"),
        order=89,
        can_delete=False,
    )
)
