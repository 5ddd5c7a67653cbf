from django.apps import AppConfig


class KeyAccountsConfig(AppConfig):
    name = "gridcare.keyaccounts"
    label = "keyaccounts"
    verbose_name = "大客户服务"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # audit rows in words, settings pages, notification texts, the customer-page panel,
        # the manager's worklist sections, inspection findings as a rectification source,
        # periodic jobs
        from . import audit_labels, config_sections, messages, panels, sources, tasks, worklist  # noqa: F401

        register_nav(
            NavEntry(
                "keyaccounts:inspections",
                _("大客户"),
                _("大客户服务：到期与逾期的安全检查、即将到期的应急预案"),
                order=25,
            )
        )
