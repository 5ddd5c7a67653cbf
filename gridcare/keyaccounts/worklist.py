"""Sections of a customer manager's worklist (``core.worklist``): the manager's customers'
safety inspections due or overdue, and their emergency plans expiring or expired. Each is
two queries whatever the number of customers (a subquery on them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.worklist import WORKLIST_ROWS, register_worklist_section

from .selectors import expiring_days, inspections_due, plan_state, plans_expiring


def inspections_section(viewer, manager, customers) -> dict | None:
    if not has_perm(viewer, "keyaccounts.view"):
        return None
    today = timezone.localdate()
    qs = inspections_due(viewer, today=today, customers=customers)
    rows = list(qs[:WORKLIST_ROWS])
    for i in rows:
        i.overdue = i.due_date < today
    return {
        "title": _("到期和逾期的安全检查"),
        "count": qs.count() if len(rows) >= WORKLIST_ROWS else len(rows),
        "template": "keyaccounts/_worklist_inspections.html",
        "context": {"rows": rows, "url": reverse("keyaccounts:inspections")},
    }


def plans_section(viewer, manager, customers) -> dict | None:
    if not has_perm(viewer, "keyaccounts.view"):
        return None
    today = timezone.localdate()
    days = expiring_days()
    qs = plans_expiring(viewer, today=today, customers=customers)
    rows = list(qs[:WORKLIST_ROWS])
    for p in rows:
        p.state = plan_state(p.review_date, today, days)
    return {
        "title": _("即将到期和已过期的应急预案"),
        "count": qs.count() if len(rows) >= WORKLIST_ROWS else len(rows),
        "template": "keyaccounts/_worklist_plans.html",
        "context": {"rows": rows, "url": reverse("keyaccounts:plans")},
    }


register_worklist_section("keyaccounts_inspections", inspections_section, order=40)
register_worklist_section("keyaccounts_plans", plans_section, order=45)
