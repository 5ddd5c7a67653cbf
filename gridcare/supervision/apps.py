from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "gridcare.supervision"
    label = "supervision"
    verbose_name = "社会监督与行为规范"

    def ready(self):
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav
        from gridcare.rectification.sources import register_source_kind

        # audit rows in words, settings pages, message codes of the reminders
        from . import audit_labels, config_sections, messages  # noqa: F401

        def point_link(ref: str) -> str | None:
            return reverse("supervision:point", args=[int(ref)]) if ref.isdigit() else None

        def cause_link(ref: str) -> str | None:
            parts = ref.split(":")
            if len(parts) != 3:
                return None
            kind = "quarter" if "Q" in parts[2] else "month"
            return f"{reverse('supervision:causes')}?period={kind}&at={parts[2]}"

        register_source_kind("supervisor_point", _("社会监督员意见"), link=point_link)
        register_source_kind("failure_cause", _("服务失误原因反复发生"), link=cause_link)

        register_nav(
            NavEntry(
                "supervision:points",
                _("监督意见"),
                _("社会监督员：座谈计划与提醒、监督意见的答复与整改、监督员奖励"),
                order=53,
            )
        )
        register_nav(
            NavEntry(
                "supervision:conduct",
                _("行为规范"),
                _("员工行为规范：违规登记、按单位和个人的月度/季度考核"),
                order=54,
            )
        )
        register_nav(
            NavEntry(
                "supervision:causes",
                _("失误原因整改"),
                _("同一单位反复出现的服务失误原因：立项整改，下一期数据验证成效"),
                order=55,
            )
        )
