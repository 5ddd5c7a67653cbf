from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "gridcare.surveys"
    label = "surveys"
    verbose_name = "满意度调查"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        from . import audit_labels, config_sections  # noqa: F401

        register_nav(
            NavEntry(
                "surveys:list",
                _("满意度调查"),
                _("满意度调查：抽样发送、答复情况、各单位客户满意度指数及置信区间"),
                order=52,
            )
        )
