from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "gridcare.evaluation"
    label = "evaluation"
    verbose_name = "三方评价"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # audit rows in words, settings pages (weights, expert checklist)
        from . import audit_labels, config_sections  # noqa: F401

        register_nav(
            NavEntry(
                "evaluation:scorecard",
                _("三方评价"),
                _("客户、专家、内部三方评价记分卡：各营业厅、单位、窗口人员的得分与趋势"),
                order=51,
            )
        )
