from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "gridcare.customers"
    label = "customers"
    verbose_name = "客户"

    def ready(self):
        from . import exporters, importers  # noqa: F401  (registers import/export of customers)
