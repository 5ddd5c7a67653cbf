"""Home-page widgets: the user's unread notifications and, for supervisors, what needs
watching now (open escalations, overdue orders, callbacks due). A few counts each."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm, role_of
from gridcare.core.home import register_home_widget
from gridcare.org.choices import Role


@register_home_widget
def escalation_widget(request):
    user = request.user
    if not user.is_authenticated:
        return None
    from . import selectors

    items = list(selectors.notifications_for(user, unread_only=True)[:5])
    return {
        "title": _("通知"),
        "template": "escalation/_home_widget.html",
        "context": {"items": items, "unread": selectors.unread_count(user)},
    }


@register_home_widget
def supervision_widget(request):
    """Supervisors: open escalations to their unit or below, overdue running orders in
    their scope, callbacks due today and overdue; the newest escalations listed."""
    user = request.user
    # Supervisors, inspectors and managers watch; dispatchers and admins have their own start.
    if not has_perm(user, "escalation.view_board") or role_of(user) in (Role.DISPATCHER, Role.ADMIN):
        return None
    from gridcare.workorders import selectors as wo_selectors

    from . import selectors

    now = timezone.now()
    escalations = selectors.escalations_for(user, open_only=True)
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    callbacks = (
        selectors.callback_worklist(user)
        .order_by()
        .aggregate(
            due_today=Count("pk", filter=Q(due_at__lte=end_of_day)),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
        )
    )
    counts = {
        "escalations": escalations.order_by().count(),
        "overdue_orders": wo_selectors.work_orders_overdue(user, now=now).order_by().count(),
        "callbacks_due_today": callbacks["due_today"],
        "callbacks_overdue": callbacks["overdue"],
    }
    return {
        "title": _("督办概况"),
        "template": "escalation/_home_supervision.html",
        "context": {"counts": counts, "latest": list(escalations[:5])},
    }
