"""Outage facts on the customer page and the transformer-area page (core's detail-panel
registry): the outage in progress that has the customer (the area) out now, and the
interruptions of the last 12 months — counted as supply reliability counts them (started
in the window, not shorter than the reliability threshold, ``short_interruption_minutes()``).

Shown only to roles with ``outages.view``, and only outages the user may see (an outage's
scope is its responsible unit), so every outage number links to a page that opens. One
query per panel, whatever the history.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.panels import register_detail_panel

from .choices import OutageStatus
from .frequent import months_ago
from .models import OutageArea, OutageCustomer
from .reliability import short_interruption_minutes

HISTORY_MONTHS = 12
LIST_ROWS = 10
# An absurd history is cut here rather than read whole (a customer has a handful a year).
MAX_ROWS = 1000
TEMPLATE = "outages/_detail_panel.html"


def _facts(rows, *, now: dt.datetime, since: dt.datetime) -> dict:
    """``rows``: (outage, started_at, restored_at), newest first -> the panel's context."""
    threshold = dt.timedelta(minutes=short_interruption_minutes())
    current = None
    listed = []
    count = 0
    minutes = 0.0
    for outage, began, restored in rows:
        if began is None:
            continue
        ongoing = restored is None and outage.status == OutageStatus.IN_PROGRESS
        if ongoing and current is None:
            current = {"outage": outage, "start": began}
        finished = restored or now
        if began < since or finished - began < threshold:
            continue
        duration = (finished - began).total_seconds() / 60
        count += 1
        minutes += duration
        if len(listed) < LIST_ROWS:
            listed.append(
                {
                    "outage": outage,
                    "kind": outage.get_kind_display(),
                    "start": began,
                    "minutes": round(duration),
                    "ongoing": restored is None,
                }
            )
    return {
        "current": current,
        "count": count,
        "minutes": round(minutes),
        "rows": listed,
        "more": max(0, count - len(listed)),
        "months": HISTORY_MONTHS,
    }


def _window_q(since: dt.datetime) -> Q:
    return Q(started_at__gte=since) | Q(restored_at__isnull=True, outage__status=OutageStatus.IN_PROGRESS)


def customer_outage_panel(user, customer) -> dict | None:
    if not has_perm(user, "outages.view"):
        return None
    now = timezone.now()
    since = months_ago(now, HISTORY_MONTHS)
    rows = (
        OutageCustomer.objects.visible_to(user)
        .filter(customer_id=customer.pk)
        .filter(_window_q(since))
        .select_related("outage")
        .order_by("-started_at", "-outage_id")[:MAX_ROWS]
    )
    facts = _facts(((r.outage, r.started_at, r.restored_at) for r in rows), now=now, since=since)
    return {"title": _("停电情况"), "template": TEMPLATE, "context": facts}


def area_outage_panel(user, area) -> dict | None:
    if not has_perm(user, "outages.view"):
        return None
    now = timezone.now()
    since = months_ago(now, HISTORY_MONTHS)
    rows = (
        OutageArea.objects.visible_to(user)
        .filter(area_id=area.pk)
        .exclude(outage__status=OutageStatus.CANCELLED)
        .filter(_window_q(since))
        .select_related("outage")
        .order_by("-started_at", "-outage_id")[:MAX_ROWS]
    )
    facts = _facts(((r.outage, r.started_at, r.restored_at) for r in rows), now=now, since=since)
    return {"title": _("台区停电情况"), "template": TEMPLATE, "context": facts}


register_detail_panel("customer", customer_outage_panel)
register_detail_panel("transformer_area", area_outage_panel)


def worklist_frequent(viewer, manager, customers) -> dict | None:
    """The manager's customers with frequent interruptions (the rule of the settings), most first."""
    from gridcare.core.worklist import WORKLIST_ROWS

    from .frequent import frequent_customers

    if not has_perm(viewer, "outages.view"):
        return None
    qs = frequent_customers(viewer).filter(customer_id__in=customers.values("pk"))
    rows = [
        {**r, "minutes": round(r["total_duration"].total_seconds() / 60) if r["total_duration"] else 0}
        for r in qs[:WORKLIST_ROWS]
    ]
    return {
        "title": _("频繁停电客户"),
        "count": qs.count() if len(rows) == WORKLIST_ROWS else len(rows),
        "template": "outages/_worklist_frequent.html",
        "context": {"rows": rows},
    }


def _register_worklist():
    from gridcare.core.worklist import register_worklist_section

    register_worklist_section("frequent_outages", worklist_frequent, order=40)


_register_worklist()
