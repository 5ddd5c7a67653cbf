from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "gridcare.workorders"
    label = "workorders"
    verbose_name = "工单"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.calendar import calendar_changed
        from gridcare.core.navigation import NavEntry, register_nav

        from . import audit_labels, home, importers, messages  # noqa: F401  (home widgets; import; audit rows in words; timeline messages)
        from .handlers import on_calendar_changed

        # The calendar (core) announces a changed year; the deadlines it moves are ours.
        calendar_changed.connect(on_calendar_changed, dispatch_uid="workorders.calendar_changed")

        register_nav(
            NavEntry(
                "workorders:intake",
                _("受理"),
                _("来电/来访受理：查客户、看在途工单、建单"),
                order=5,
            )
        )
        register_nav(NavEntry("workorders:list", _("工单"), _("全部工单，按时限排序，可筛选超时"), order=10))
        register_nav(
            NavEntry(
                "workorders:queue",
                _("待派单"),
                _("本单位待派单、被退回的工单"),
                order=11,
            )
        )
        register_nav(
            NavEntry(
                "workorders:mine",
                _("我的工单"),
                _("派给我处理的工单"),
                order=12,
            )
        )
        register_nav(
            NavEntry(
                "workorders:first-contact",
                _("我受理的"),
                _("首问负责：我受理的工单跟踪到归档"),
                order=13,
            )
        )
