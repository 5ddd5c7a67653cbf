from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "gridcare.applications"
    label = "applications"
    verbose_name = "业扩报装"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # audit rows in words, settings pages, timeline texts,
        # the clerk's home widget, periodic jobs
        from . import audit_labels, config_sections, home, messages, panels, tasks  # noqa: F401

        register_nav(
            NavEntry(
                "applications:list",
                _("业扩报装"),
                _("业务申请分环节办理：环节时限、资料、暂停计时、上门预约"),
                order=64,
            )
        )
        register_nav(
            NavEntry(
                "applications:mine",
                _("我受理的流程"),
                _("流程跟踪责任制：我受理的流程、停滞与终止流程的答复"),
                order=65,
            )
        )
        register_nav(
            NavEntry(
                "applications:report",
                _("流程月报"),
                _("按受理人、营业厅、单位统计受理、办结、按期、停滞、终止、答复"),
                order=66,
            )
        )
