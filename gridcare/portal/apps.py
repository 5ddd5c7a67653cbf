from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "gridcare.portal"
    label = "portal"
    verbose_name = "客户自助服务"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # audit rows in words, the work-order page's card, periodic jobs
        from . import audit_labels, panels, tasks  # noqa: F401

        register_nav(
            NavEntry(
                "portal:review-list",
                _("客户信息变更审核"),
                _("客户在网上营业厅申请修改联系电话和用电地址：审核通过后更新客户档案"),
                order=32,
            )
        )
