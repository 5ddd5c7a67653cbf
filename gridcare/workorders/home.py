"""Home-page widgets of the work orders, one per role: what this person should act on next.

Each is a couple of indexed queries (a short list and one aggregate), never a scan.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import role_of
from gridcare.core.home import register_home_widget
from gridcare.org.choices import Role

from . import selectors
from .choices import ACTIVE_STATUSES

LIST_SIZE = 8
FIRST_CONTACT_ROLES = frozenset({Role.HOTLINE_AGENT, Role.COUNTER_CLERK, Role.CUSTOMER_MANAGER})


def _counts(qs, now) -> dict:
    return qs.order_by().aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))


@register_home_widget
def my_orders_widget(request):
    """Agents and clerks: the orders they accepted and still own (首问负责), by remaining
    time; repair crews: the orders assigned to them."""
    user = request.user
    if not user.is_authenticated:
        return None
    role = role_of(user)
    now = timezone.now()
    if role in FIRST_CONTACT_ROLES:
        qs = selectors.work_orders_first_contact(user).filter(status__in=ACTIVE_STATUSES)
        title, more, more_label = _("我受理的在途工单"), "workorders:first-contact", _("全部我受理的工单")
    elif role == Role.REPAIR_CREW:
        qs = selectors.work_orders_handled_by(user)
        title, more, more_label = _("我的工单"), "workorders:mine", _("全部我的工单")
    else:
        return None
    orders = list(selectors.work_orders_sorted_by_due(qs)[:LIST_SIZE])
    return {
        "title": title,
        "template": "workorders/_home_orders.html",
        "context": {"orders": orders, "counts": _counts(qs, now), "more": more, "more_label": more_label},
    }


@register_home_widget
def dispatch_widget(request):
    """Dispatchers: how many orders wait for dispatch, how many of them are overdue, and
    the most urgent few."""
    user = request.user
    if not user.is_authenticated or role_of(user) != Role.DISPATCHER:
        return None
    now = timezone.now()
    queue = selectors.dispatch_queue(user)
    counts = _counts(queue, now)
    counts["open_overdue"] = selectors.work_orders_overdue(user, now=now).order_by().count()
    return {
        "title": _("待派单"),
        "template": "workorders/_home_queue.html",
        "context": {"orders": list(queue[:LIST_SIZE]), "counts": counts},
    }


def worklist_orders(viewer, manager, customers):
    """The manager's worklist: their customers' orders still active (not yet closed), by
    remaining time — what the viewer may see of them."""
    from gridcare.core.authz import has_perm
    from gridcare.core.worklist import WORKLIST_ROWS

    if not has_perm(viewer, "workorders.view"):
        return None
    now = timezone.now()
    qs = selectors.work_orders_for(viewer).filter(
        status__in=ACTIVE_STATUSES, customer_id__in=customers.values("pk")
    )
    orders = list(selectors.work_orders_sorted_by_due(qs)[:WORKLIST_ROWS])
    counts = _counts(qs, now)
    return {
        "title": _("负责客户的在途工单"),
        "count": counts["total"],
        "template": "workorders/_home_orders.html",
        "context": {
            "orders": orders,
            "counts": counts,
            "more": "workorders:list",
            "more_label": _("全部工单"),
        },
    }


def _register_worklist():
    from gridcare.core.worklist import register_worklist_section

    register_worklist_section("orders", worklist_orders, order=10)


_register_worklist()
