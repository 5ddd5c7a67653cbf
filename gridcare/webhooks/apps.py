from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "gridcare.webhooks"
    label = "webhooks"
    verbose_name = "事件推送"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav
        from gridcare.outages.signals import outage_changed
        from gridcare.workorders.signals import work_order_transitioned

        from . import audit_labels, config_sections, messages  # noqa: F401
        from .handlers import on_outage_changed, on_work_order_transitioned

        work_order_transitioned.connect(on_work_order_transitioned, dispatch_uid="webhooks.outbox")
        outage_changed.connect(on_outage_changed, dispatch_uid="webhooks.outage_outbox")
        register_nav(
            NavEntry(
                "webhooks:list",
                _("事件推送"),
                _("向合作方系统推送工单与停电事件：订阅、签名密钥、投递记录"),
                order=94,
            )
        )
