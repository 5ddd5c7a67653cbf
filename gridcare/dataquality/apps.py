from django.apps import AppConfig


class DataQualityConfig(AppConfig):
    name = "gridcare.dataquality"
    label = "dataquality"
    verbose_name = "数据质量"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # settings page, audit rows in words, finding texts, the customer page's panel, the
        # manager's worklist section, the nightly checks
        from . import audit_labels, config_sections, messages, panels, tasks, worklist  # noqa: F401

        register_nav(
            NavEntry(
                "dataquality:dashboard",
                _("数据质量"),
                _("户变关系与客户档案的夜间检查：问题看板、分派与处理"),
                order=48,
            )
        )
