"""The customer manager's worklist section of proactive care: their customers' meters due
for rotation and old meter boxes (``core.worklist``)."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.worklist import WORKLIST_ROWS, register_worklist_section

from .choices import CareList
from .models import MeterFact
from .rules import care_rules, list_q, rotation_cutoff


def meter_care_section(viewer, manager, customers) -> dict | None:
    if not has_perm(viewer, "proactive.view"):
        return None
    rules = care_rules()
    today = timezone.localdate()
    qs = MeterFact.objects.filter(customer__in=customers).filter(list_q(CareList.ANY, rules, today))
    counts = qs.aggregate(
        n=Count("id"),
        rotation=Count("id", filter=list_q(CareList.ROTATION, rules, today)),
        old_box=Count("id", filter=list_q(CareList.OLD_BOX, rules, today)),
    )
    rows = list(
        qs.select_related("customer", "customer__area").order_by("installed_on", "id")[:WORKLIST_ROWS]
    )
    cutoff = rotation_cutoff(rules, today)
    for m in rows:
        m.due = m.installed_on <= cutoff
        m.old_box = m.box_condition in rules.old_boxes
    return {
        "title": _("电能表到期轮换与老旧表箱"),
        "count": counts["n"],
        "template": "proactive/_worklist_section.html",
        "context": {"rows": rows, **counts, "rules": rules},
    }


register_worklist_section("proactive_meters", meter_care_section, order=60)
