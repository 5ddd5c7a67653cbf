from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "gridcare.escalation"
    label = "escalation"
    verbose_name = "督办与补救"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav
        from gridcare.workorders.signals import work_order_deadlines_moved, work_order_transitioned

        from . import audit_labels, home, messages, tasks  # noqa: F401  (jobs, home widget, audit rows, messages)
        from .handlers import on_work_order_deadlines_moved, on_work_order_transitioned

        work_order_transitioned.connect(on_work_order_transitioned, dispatch_uid="escalation.transitioned")
        work_order_deadlines_moved.connect(on_work_order_deadlines_moved, dispatch_uid="escalation.deadlines")

        from .selectors import unread_count

        register_nav(
            NavEntry(
                "escalation:notifications",
                _("通知"),
                _("站内通知：工单动态、预警、升级"),
                order=14,
                badge=unread_count,  # the unread count on the header
            )
        )
        register_nav(
            NavEntry(
                "escalation:board",
                _("督办"),
                _("升级督办看板：超时、催办、重复诉求、不满意"),
                order=40,
            )
        )
        register_nav(NavEntry("escalation:callbacks", _("回访"), _("待回访工单，按回访时限排序"), order=41))
        register_nav(
            NavEntry(
                "escalation:failures",
                _("服务补救"),
                _("服务失误认定、补救措施与审批"),
                order=42,
            )
        )
        register_nav(
            NavEntry(
                "escalation:dashboard",
                _("补救分析"),
                _("失误来源与原因、补偿、补救悖论、时限达标"),
                order=43,
            )
        )
        register_nav(
            NavEntry(
                "escalation:supervisors",
                _("社会监督员"),
                _("监督员登记、反映问题、座谈"),
                order=44,
            )
        )
