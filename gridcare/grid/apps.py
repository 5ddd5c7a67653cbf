from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "gridcare.grid"
    label = "grid"
    verbose_name = "电网资产"

    def ready(self):
        from . import exporters, importers  # noqa: F401  (registers import/export of grid)
