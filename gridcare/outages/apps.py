from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "gridcare.outages"
    label = "outages"
    verbose_name = "停电事件"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # import registry, audit rows in words, caller notice at intake, notice messages,
        # outage facts on the customer and area pages, periodic jobs, overdue restoration
        # watched by escalation's time-limit monitor
        from . import audit_labels, importers, intake, notices, overdue, panels, tasks  # noqa: F401

        register_nav(
            NavEntry(
                "outages:board",
                _("停电"),
                _("停电看板：停电中与已公告的停电、恢复送电、供电可靠性"),
                order=35,
            )
        )
