from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "gridcare.outages"
    label = "outages"
    verbose_name = "停电事件"

    def ready(self):
        from . import audit_labels, importers  # noqa: F401  (import registry; audit rows in words)
