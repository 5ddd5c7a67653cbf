from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gridcare.web"
    label = "web"
    verbose_name = "站点"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        # The owners' configuration pages (each app declares its tables).
        import gridcare.care.config_sections  # noqa: F401
        import gridcare.core.config_sections  # noqa: F401
        import gridcare.escalation.config_sections  # noqa: F401
        import gridcare.outages.config_sections  # noqa: F401
        import gridcare.workorders.config_sections  # noqa: F401
        from gridcare.core.navigation import NavEntry, register_nav

        register_nav(
            NavEntry(
                "settings", _("系统设置"), _("工作日历、服务承诺时限、预警、授权额度、回访规则"), order=92
            )
        )
        register_nav(NavEntry("audit-log", _("审计日志"), _("谁在何时改了什么"), order=90))
        register_nav(
            NavEntry("data-import", _("数据导入"), _("导入台区、客户等主数据（全部成功才写入）"), order=91)
        )
