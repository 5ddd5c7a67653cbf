from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "gridcare.hall"
    label = "hall"
    verbose_name = "营业厅排队"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # audit rows in words, settings pages, the clerk's home widget, intake's hook that
        # links a work order back to its ticket
        from . import audit_labels, config_sections, home, intake, tasks  # noqa: F401

        register_nav(
            NavEntry(
                "hall:list",
                _("营业厅"),
                _("营业厅排队：取号、叫号、叫号屏、等候与评价指标"),
                order=64,
            )
        )
