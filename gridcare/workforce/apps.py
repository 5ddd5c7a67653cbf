from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "gridcare.workforce"
    label = "workforce"
    verbose_name = "话务排班"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        from . import audit_labels, importers  # noqa: F401  (`gridcare import calls`; audit rows in words)

        register_nav(
            NavEntry(
                "workforce:overview",
                _("话务预测排班"),
                _("95598话务量预测、Erlang人力需求与排班"),
                order=60,
            )
        )
