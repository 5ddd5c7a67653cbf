"""Care on other apps' pages (core's registries: customers and work orders, lower floors,
know nothing of care): the credit grade and bills, the segments and value on the customer
page; segment, grade, manager and treatments at the intake desk; credit changes on the
customer manager's worklist. Shown to roles with ``care.view``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.panels import register_detail_panel
from gridcare.core.worklist import WORKLIST_ROWS, register_worklist_section

from .models import CreditRatingChange
from .selectors import customer_care, customer_first_contact, customer_value

TEMPLATE = "care/_customer_panel.html"
CREDIT_CHANGE_DAYS = 30


def customer_care_panel(user, customer) -> dict | None:
    facts = customer_care(user, customer)
    if facts is None:
        return None
    return {"title": _("信用等级与缴费"), "template": TEMPLATE, "context": facts}


def customer_value_panel(user, customer) -> dict | None:
    facts = customer_value(user, customer)
    if facts is None:
        return None
    return {"title": _("客户细分与价值"), "template": "care/_value_panel.html", "context": facts}


def intake_panel(user, customer) -> dict | None:
    facts = customer_first_contact(user, customer)
    if facts is None:
        return None
    return {"title": "", "template": "care/_intake_panel.html", "context": facts}


def worklist_credit_changes(viewer, manager, customers) -> dict | None:
    """Grade changes of the manager's customers in the last 30 days (a fall first)."""
    if not has_perm(viewer, "care.view"):
        return None
    since = timezone.now() - timezone.timedelta(days=CREDIT_CHANGE_DAYS)
    qs = CreditRatingChange.objects.filter(at__gte=since, customer_id__in=customers.values("pk")).exclude(
        grade_from=""
    )
    rows = list(qs.select_related("customer").order_by("-grade", "-at")[:WORKLIST_ROWS])
    return {
        "title": _("近30天信用等级变化"),
        "count": qs.count(),
        "template": "care/_worklist_credit.html",
        "context": {"rows": rows},
    }


register_detail_panel("customer", customer_value_panel)
register_detail_panel("customer", customer_care_panel)
register_detail_panel("intake", intake_panel)
register_worklist_section("credit", worklist_credit_changes, order=30)
