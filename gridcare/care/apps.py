from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "gridcare.care"
    label = "care"
    verbose_name = "客户服务差异化"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.intake import register_customer_terms
        from gridcare.core.navigation import NavEntry, register_nav

        # import registry (billing, conduct), audit rows in words, rating reasons, the
        # panels (customer page, intake desk, manager's worklist), settings pages, the
        # nightly jobs
        from . import audit_labels, config_sections, importers, messages, panels, tasks  # noqa: F401
        from .selectors import care_terms, intake_terms

        # What a customer's segments and grade earn, asked by intake when it takes a request
        # and by the business-hall queue when the customer takes a number (hall priority).
        register_customer_terms(intake_terms)
        register_customer_terms(
            lambda customer: {"hall_priority": care_terms(customer)["hall_priority"]}, purpose="hall"
        )
        register_nav(
            NavEntry(
                "care:segments",
                _("客户细分"),
                _("客户细分与价值：各细分规模、价值分布与月度变化"),
                order=22,
            )
        )
