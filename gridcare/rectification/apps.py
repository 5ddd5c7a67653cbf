from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "gridcare.rectification"
    label = "rectification"
    verbose_name = "整改"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # audit rows in words, settings pages, overdue items watched by escalation's
        # time-limit monitor
        from . import audit_labels, config_sections, deadlines  # noqa: F401

        register_nav(
            NavEntry(
                "rectification:list",
                _("整改"),
                _("整改事项：待整改、逾期、待验证，各单位整改关闭率"),
                order=62,
            )
        )
