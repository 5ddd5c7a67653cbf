from django.apps import AppConfig


class DataQualityConfig(AppConfig):
    name = "gridcare.dataquality"
    label = "dataquality"
    verbose_name = "数据质量"

    def ready(self):
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav
        from gridcare.rectification.sources import register_source_kind

        # settings page, audit rows in words, finding texts, the customer page's panel, the
        # manager's worklist section, the nightly checks
        from . import audit_labels, config_sections, messages, panels, tasks, worklist  # noqa: F401

        # A finding that is a systemic problem (a station's archive kept badly) is put right
        # as a rectification item.
        register_source_kind(
            "data_quality",
            _("数据质量问题"),
            link=lambda ref: reverse("dataquality:finding", args=[int(ref)]) if ref.isdigit() else None,
        )
        register_nav(
            NavEntry(
                "dataquality:dashboard",
                _("数据质量"),
                _("户变关系与客户档案的夜间检查：问题看板、分派与处理"),
                order=48,
            )
        )
