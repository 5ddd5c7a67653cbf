"""The customer manager's worklist section of data quality: open findings on their
customers (``core.worklist``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.worklist import WORKLIST_ROWS, register_worklist_section

from .choices import ACTIVE_STATUSES
from .models import Finding
from .selectors import attach_text


def findings_section(viewer, manager, customers) -> dict | None:
    if not has_perm(viewer, "dataquality.view"):
        return None
    qs = Finding.objects.filter(customer__in=customers, status__in=list(ACTIVE_STATUSES))
    count = qs.count()
    rows = list(qs.select_related("customer", "assignee").order_by("-last_seen_at", "-id")[:WORKLIST_ROWS])
    attach_text(rows)
    return {
        "title": _("数据质量问题"),
        "count": count,
        "template": "dataquality/_worklist_section.html",
        "context": {"rows": rows, "count": count},
    }


register_worklist_section("dataquality_findings", findings_section, order=70)
