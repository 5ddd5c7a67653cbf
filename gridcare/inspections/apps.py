from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "gridcare.inspections"
    label = "inspections"
    verbose_name = "明查暗访"

    def ready(self):
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav
        from gridcare.rectification.sources import register_source_kind

        # audit rows in words, settings pages, the supervisor's home widget (the quarter rule)
        from . import audit_labels, config_sections, home  # noqa: F401

        def link(ref: str) -> str | None:
            inspection = ref.split(":", 1)[0]
            return reverse("inspections:detail", args=[inspection]) if inspection.isdigit() else None

        # A failed inspection item is put right, never withdrawn.
        register_source_kind("inspection_item", _("明查暗访不合格项"), link=link, verified_only=True)
        register_nav(
            NavEntry(
                "inspections:list",
                _("明查暗访"),
                _("明查暗访：检查记录、季度覆盖（每季度至少一次）、不合格项整改"),
                order=50,
            )
        )
        register_nav(
            NavEntry(
                "inspections:published",
                _("检查结果公示"),
                _("已公布的明查暗访结论与不合格项"),
                order=57,
            )
        )
