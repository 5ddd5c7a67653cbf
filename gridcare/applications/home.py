"""The clerk's home widget: their processes awaiting an answer (stalled or terminated) and
remote applications whose home visit is not booked in time."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.home import register_home_widget

from . import selectors

LIST_SIZE = 6


@register_home_widget
def my_stalled_widget(request):
    user = request.user
    if not user.is_authenticated or not has_perm(user, "applications.accept"):
        return None
    now = timezone.now()
    qs = selectors.my_processes(user, now=now)
    counts = qs.order_by().aggregate(
        total=Count("pk"),
        awaiting=Count("pk", filter=selectors.awaiting_answer_q(now)),
        visit_late=Count("pk", filter=selectors.home_visit_late_q(now)),
    )
    if not counts["total"]:
        return None  # one query for a clerk with nothing in progress
    rows = []
    if counts["awaiting"] or counts["visit_late"]:
        rows = list(qs.filter(Q(awaiting_answer=True) | Q(visit_late=True))[:LIST_SIZE])
    return {
        "title": _("我受理的流程"),
        "template": "applications/_home.html",
        "context": {"rows": rows, "counts": counts},
    }
