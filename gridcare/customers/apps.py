from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "gridcare.customers"
    label = "customers"
    verbose_name = "客户"

    def ready(self):
        from gridcare.grid.signals import transformer_areas_moved

        from . import audit_labels, exporters, importers  # noqa: F401  (import/export; audit rows in words)
        from .services import customers_follow_areas

        transformer_areas_moved.connect(
            lambda sender, area_ids, **kw: customers_follow_areas(area_ids=area_ids),
            dispatch_uid="customers-follow-areas",
            weak=False,
        )
