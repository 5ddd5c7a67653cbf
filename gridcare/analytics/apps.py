from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "gridcare.analytics"
    label = "analytics"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav
        from gridcare.workorders.importers import register_text_classifier
        from gridcare.workorders.signals import work_order_transitioned

        from . import audit_labels, home  # noqa: F401  (audit rows in words; the managers' KPI widget)
        from .classifier import classify_texts, register_training_source
        from .handlers import confirmed_labels, on_work_order_transitioned

        work_order_transitioned.connect(on_work_order_transitioned, dispatch_uid="analytics-classify-order")
        register_training_source(confirmed_labels)
        register_text_classifier(classify_texts)  # fills empty labels of imported history

        register_nav(
            NavEntry(
                "analytics:hotspots",
                _("热点分析"),
                _("投诉/故障热点台区、线路、供电所，规划输入清单"),
                order=40,
            )
        )
        register_nav(
            NavEntry(
                "analytics:reports",
                _("分析报告"),
                _("周报、月报（网页、Excel、PDF）"),
                order=41,
            )
        )
        register_nav(
            NavEntry(
                "analytics:consultation",
                _("咨询热点"),
                _("最常见的咨询主题：知识库与公告选题"),
                order=42,
            )
        )
