from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    name = "gridcare.proactive"
    label = "proactive"
    verbose_name = "主动服务"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # import registry (meters), settings page, audit rows in words, the meter panel on
        # the customer page, the manager's worklist section
        from . import audit_labels, config_sections, importers, panels, worklist  # noqa: F401

        register_nav(
            NavEntry(
                "proactive:lists",
                _("主动服务"),
                _("电能表到期轮换、老旧表箱清单，短信告知与现场任务活动"),
                order=46,
            )
        )
        register_nav(
            NavEntry(
                "proactive:demands",
                _("潜在用电需求"),
                _("政府部门、园区等提供的潜在用电需求，进入规划输入清单"),
                order=47,
            )
        )
