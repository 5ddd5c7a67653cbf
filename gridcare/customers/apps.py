from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "gridcare.customers"
    label = "customers"
    verbose_name = "客户"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav
        from gridcare.grid.signals import transformer_areas_moved

        from . import audit_labels, exporters, importers  # noqa: F401  (import/export; audit rows in words)
        from .services import customers_follow_areas

        transformer_areas_moved.connect(
            lambda sender, area_ids, **kw: customers_follow_areas(area_ids=area_ids),
            dispatch_uid="customers-follow-areas",
            weak=False,
        )
        register_nav(
            NavEntry(
                "customers:worklist",
                _("我的客户"),
                _("客户经理工作台：负责客户的在途工单、信用变化、频繁停电、巡检与预案"),
                order=21,
            )
        )
        register_nav(
            NavEntry("customers:grids", _("网格"), _("服务网格与客户经理：谁负责哪些台区和客户"), order=31)
        )
