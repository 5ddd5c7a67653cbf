"""Reads of data quality, scoped to the user: the findings (worklists, one finding), the
dashboard's figures, a customer's open findings, who a finding may be assigned to."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Sum

from gridcare.core.authz import has_perm, roles_with
from gridcare.core.messages import render_stored
from gridcare.core.params import id_param
from gridcare.core.scoping import is_visible
from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit
from gridcare.org.selectors import staff_for

from .choices import ACTIVE_STATUSES, CheckCode, FindingStatus
from .models import CheckRun, CheckRunStat, Finding

TREND_RUNS = 30
CUSTOMER_FINDINGS = 20

# Worklist status filter: "active" (open or assigned, the default), one status, or all.
STATUS_ACTIVE, STATUS_ALL = "active", "all"


def findings_for(
    user, *, code: str = "", status: str = STATUS_ACTIVE, station=None, assignee=None, unassigned=False
):
    qs = Finding.objects.visible_to(user).select_related("customer", "area", "station", "assignee")
    if code:
        qs = qs.filter(code=code)
    if status == STATUS_ACTIVE:
        qs = qs.filter(status__in=list(ACTIVE_STATUSES))
    elif status in FindingStatus.values:
        qs = qs.filter(status=status)
    if station is not None:
        qs = qs.filter(station_id=station.pk)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    return qs.order_by("-last_seen_at", "-id")


def finding_get(user, pk) -> Finding | None:
    pk = id_param(pk)
    if pk is None:
        return None
    return findings_for(user, status=STATUS_ALL).filter(pk=pk).first()


def attach_text(findings) -> None:
    """``text``: each finding's details in the reader's language."""
    for f in findings:
        f.text = render_stored(f.details)


def dashboard(user) -> dict:
    """Open findings per check and station (one query), the totals per check, and the trend
    of what each of the last runs found per check (two queries)."""
    rows = (
        Finding.objects.visible_to(user)
        .filter(status__in=list(ACTIVE_STATUSES))
        .order_by()
        .values("station_id", "code")
        .annotate(n=Count("id"))
    )
    grid: dict[int, dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    for r in rows:
        grid[r["station_id"]][r["code"]] = r["n"]
        totals[r["code"]] += r["n"]
    names = dict(OrgUnit.objects.filter(pk__in=list(grid), kind=UnitKind.STATION).values_list("pk", "name"))
    checks = CheckCode.choices
    stations = [
        {
            "id": sid,
            "name": names.get(sid, str(sid)),
            "counts": [grid[sid].get(c, 0) for c, _l in checks],
            "total": sum(grid[sid].values()),
        }
        for sid in sorted(grid, key=lambda s: names.get(s, ""))
    ]
    runs = list(CheckRun.objects.order_by("-started_at", "-id")[:TREND_RUNS])[::-1]
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for r in (
        CheckRunStat.objects.visible_to(user)
        .filter(run__in=[r.pk for r in runs])
        .order_by()
        .values("run_id", "code")
        .annotate(n=Sum("found"))
    ):
        found[r["run_id"]][r["code"]] = r["n"]
    trend = [
        {"run": r, "counts": [found[r.pk].get(c, 0) for c, _l in checks], "total": sum(found[r.pk].values())}
        for r in runs
    ]
    return {
        "checks": checks,
        "totals": [(c, label, totals.get(c, 0)) for c, label in checks],
        "total": sum(totals.values()),
        "stations": stations,
        "trend": trend,
        "last_run": runs[-1] if runs else None,
    }


def customer_findings(user, customer) -> dict | None:
    """The customer's open findings (the customer page's panel); None without
    ``dataquality.view`` or out of scope."""
    if not has_perm(user, "dataquality.view") or not is_visible(user, customer):
        return None
    rows = list(
        Finding.objects.filter(customer_id=customer.pk, status__in=list(ACTIVE_STATUSES))
        .select_related("assignee")
        .order_by("-last_seen_at", "-id")[:CUSTOMER_FINDINGS]
    )
    attach_text(rows)
    return {"findings": rows}


def assignee_candidates(user):
    """Staff the user sees who may work on findings (the assign forms' choices)."""
    return staff_for(user, roles=roles_with("dataquality.work")).order_by("unit__path", "display_name")


def rectification_of(user, finding):
    """The rectification item this finding was put on, as ``user`` may see it (or None)."""
    from gridcare.rectification.models import RectificationItem

    return (
        RectificationItem.objects.visible_to(user)
        .filter(source_kind="data_quality", source_ref=str(finding.pk))
        .first()
    )
