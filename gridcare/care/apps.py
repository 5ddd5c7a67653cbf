from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "gridcare.care"
    label = "care"
    verbose_name = "客户服务差异化"

    def ready(self):
        # import registry (billing, conduct), audit rows in words, rating reasons, the
        # credit panel on the customer page, the nightly expiry job
        from . import audit_labels, importers, messages, panels, tasks  # noqa: F401
