from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "gridcare.partners"
    label = "partners"
    verbose_name = "合作方接入"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # audit rows in words, settings pages
        from . import audit_labels, config_sections  # noqa: F401

        register_nav(
            NavEntry(
                "partners:list",
                _("合作方接入"),
                _("合作方、接口密钥（签发、范围、吊销）与调用记录；Open311 接口"),
                order=93,
            )
        )
