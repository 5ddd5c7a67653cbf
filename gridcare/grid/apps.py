from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "gridcare.grid"
    label = "grid"
    verbose_name = "电网资产"

    def ready(self):
        from . import audit_labels, exporters, importers  # noqa: F401  (import/export; audit rows in words)
