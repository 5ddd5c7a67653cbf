"""Reads behind the inspection pages, API and home widget: quarters, the score of a set of
results (one definition), inspections and published results scoped to the user, and the
quarter rule (每季度至少检查一次): which sites have not had their inspections this quarter.

**Score**: the weights of the items passed over the weights of all items, × 100, to one
decimal. **Passed**: no veto item failed and the score at least the pass mark.
**Coverage** of a site in a quarter: its recorded inspections (published or not) dated in
the quarter, against the site's ``per_quarter``; a site is *missing* when it has fewer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from gridcare.core.calendar import local_tz
from gridcare.rectification import selectors as rectification_selectors

from .choices import InspectionStatus
from .models import Inspection, InspectionFile, InspectionResult, InspectionSite

QUARTERS_SHOWN = 4


# ----------------------------------------------------------------------------- quarters


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        """``2026-Q3`` (case-insensitive), or None."""
        text = (text or "").strip().upper()
        try:
            year, q = text.split("-Q")
            year, q = int(year), int(q)
        except ValueError:
            return None
        return cls(year, q) if 2000 <= year <= 2100 and 1 <= q <= 4 else None

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the quarter."""
        return dt.date(self.year + 1, 1, 1) if self.q == 4 else dt.date(self.year, 3 * self.q + 1, 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = local_tz()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=tz),
        )

    def __str__(self) -> str:
        return f"{self.year}-Q{self.q}"


def current_quarter(today: dt.date | None = None) -> Quarter:
    return Quarter.of(today or timezone.localdate())


def last_quarters(n: int = QUARTERS_SHOWN, today: dt.date | None = None) -> list[Quarter]:
    """The last ``n`` quarters, oldest first, ending with the current one."""
    out = [current_quarter(today)]
    while len(out) < n:
        out.append(out[-1].previous())
    return list(reversed(out))


# -------------------------------------------------------------------------------- score


def score_of(results) -> tuple[Decimal, bool]:
    """(score, vetoed) of results given as objects or dicts with ``weight``, ``veto`` and
    ``passed``: the share of the weights passed × 100 (half up to one decimal), and
    whether a veto item failed. No results: 0 and not vetoed."""
    total = passed = 0
    vetoed = False
    for r in results:
        get = r.get if isinstance(r, dict) else lambda k, r=r: getattr(r, k)
        weight = int(get("weight"))
        total += weight
        if get("passed"):
            passed += weight
        elif get("veto"):
            vetoed = True
    if total == 0:
        return Decimal("0.0"), vetoed
    score = (Decimal(passed) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return score, vetoed


def is_pass(score: Decimal, vetoed: bool, pass_mark: int) -> bool:
    return not vetoed and score >= pass_mark


# ------------------------------------------------------------------------ inspections


def sites_for(user, *, kind: str = "", active: bool | None = True) -> QuerySet[InspectionSite]:
    qs = InspectionSite.objects.visible_to(user).select_related("unit", "hall")
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("unit_path", "kind", "name")


def inspections_for(
    user,
    *,
    site_kind: str = "",
    kind: str = "",
    status: str = "",
    passed: bool | None = None,
    quarter: Quarter | None = None,
    site=None,
) -> QuerySet[Inspection]:
    qs = Inspection.objects.visible_to(user).select_related("site", "inspector__staff", "checklist")
    if site_kind:
        qs = qs.filter(site__kind=site_kind)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if passed is not None:
        qs = qs.filter(passed=passed)
    if quarter is not None:
        start, end = quarter.bounds()
        qs = qs.filter(at__gte=start, at__lt=end)
    if site is not None:
        qs = qs.filter(site=site)
    return qs.order_by("-at", "-id")


def published_for(user, *, quarter: Quarter | None = None) -> QuerySet[Inspection]:
    """Published results the user may read (their units and below)."""
    return inspections_for(user, status=InspectionStatus.PUBLISHED, quarter=quarter).annotate(
        failed_items=Count("results", filter=Q(results__passed=False))
    )


def inspection_get(user, pk: int | None) -> Inspection | None:
    if pk is None:
        return None
    return (
        Inspection.objects.visible_to(user)
        .select_related("site", "site__unit", "inspector__staff", "checklist", "published_by__staff")
        .filter(pk=pk)
        .first()
    )


def inspection_results(inspection: Inspection) -> list[InspectionResult]:
    return list(inspection.results.order_by("position", "id"))


def inspection_files(inspection: Inspection) -> list[InspectionFile]:
    return list(inspection.files.select_related("by__staff").order_by("at", "id"))


def file_get(user, inspection_pk: int | None, token: str) -> InspectionFile | None:
    if inspection_pk is None:
        return None
    return InspectionFile.objects.visible_to(user).filter(inspection_id=inspection_pk, token=token).first()


# ------------------------------------------------------------------------ quarter rule


def coverage(user, quarters: list[Quarter], *, kind: str = "") -> list[dict]:
    """Per active site the user may see: for each quarter, the inspections recorded and
    whether the site is missing its due number (one grouped query per quarter range)."""
    sites = list(sites_for(user, kind=kind))
    if not sites or not quarters:
        return []
    first, last = min(quarters).bounds()[0], max(quarters).bounds()[1]
    tz = local_tz()
    counts: dict[tuple[int, Quarter], int] = {}
    rows = (
        Inspection.objects.filter(site__in=[s.pk for s in sites], at__gte=first, at__lt=last)
        .values_list("site_id", "at")
        .order_by()
    )
    for site_id, at in rows:
        key = (site_id, Quarter.of(at.astimezone(tz).date()))
        counts[key] = counts.get(key, 0) + 1
    out = []
    for site in sites:
        cells = []
        for q in quarters:
            n = counts.get((site.pk, q), 0)
            cells.append({"quarter": q, "count": n, "missing": n < site.per_quarter})
        out.append({"site": site, "cells": cells, "missing": sum(1 for c in cells if c["missing"])})
    return out


def sites_missing(user, quarter: Quarter | None = None, *, kind: str = "") -> list[InspectionSite]:
    """Active sites the user may see with fewer inspections in ``quarter`` (default: the
    current one) than they are owed — the quarter rule's list."""
    quarter = quarter or current_quarter()
    start, end = quarter.bounds()
    return list(
        sites_for(user, kind=kind)
        .annotate(done=Count("inspections", filter=Q(inspections__at__gte=start, inspections__at__lt=end)))
        .filter(done__lt=F("per_quarter"))
    )


def quarter_figures(user, quarter: Quarter) -> dict:
    """The quarter in figures (one definition for the page, the report and the API):
    inspections, passed, pass rate, vetoed, average score, failed items, sites due and
    sites missing."""
    qs = inspections_for(user, quarter=quarter)
    agg = qs.aggregate(
        n=Count("id"),
        passed=Count("id", filter=Q(passed=True)),
        vetoed=Count("id", filter=Q(vetoed=True)),
        avg=Avg("score"),
    )
    failed_items = InspectionResult.objects.filter(inspection__in=qs.values("pk"), passed=False).count()
    sites = sites_for(user).count()
    missing = len(sites_missing(user, quarter))
    n = agg["n"] or 0
    return {
        "quarter": quarter,
        "inspections": n,
        "passed": agg["passed"] or 0,
        "pass_rate": round(100 * (agg["passed"] or 0) / n, 1) if n else None,
        "vetoed": agg["vetoed"] or 0,
        "average_score": round(float(agg["avg"]), 1) if agg["avg"] is not None else None,
        "failed_items": failed_items,
        "sites": sites,
        "sites_missing": missing,
    }


def report_section(*, since: dt.datetime, until: dt.datetime, scope_path: str = "", rows: int = 30) -> dict:
    """The periodic report's section (published results are part of the practice):
    inspections in [since, until) of units under ``scope_path`` — how many, passed,
    vetoed, failed items and how many of those are closed by a verified fix, and the
    published results themselves (site, date, kind, score, verdict, failed items)."""
    qs = Inspection.objects.filter(at__gte=since, at__lt=until, unit_path__startswith=scope_path)
    agg = qs.aggregate(
        n=Count("id"),
        passed=Count("id", filter=Q(passed=True)),
        vetoed=Count("id", filter=Q(vetoed=True)),
        avg=Avg("score"),
    )
    failed = InspectionResult.objects.filter(inspection__in=qs.values("pk"), passed=False)
    rect_ids = [pk for pk in failed.values_list("rectification_id", flat=True) if pk]
    verified = rectification_selectors.verified_count(rect_ids)
    published = (
        qs.filter(status=InspectionStatus.PUBLISHED)
        .select_related("site")
        .annotate(failed_items=Count("results", filter=Q(results__passed=False)))
        .order_by("passed", "score", "at")[:rows]
    )
    n = agg["n"] or 0
    return {
        "inspections": n,
        "passed": agg["passed"] or 0,
        "pass_rate": round(100 * (agg["passed"] or 0) / n, 1) if n else None,
        "vetoed": agg["vetoed"] or 0,
        "average_score": round(float(agg["avg"]), 1) if agg["avg"] is not None else None,
        "failed_items": len(rect_ids),
        "failed_items_verified": verified,
        "published": [
            {
                "site": i.site.name,
                "site_kind": i.site.get_kind_display(),
                "date": timezone.localtime(i.at).date().isoformat(),
                "kind": i.get_kind_display(),
                "score": float(i.score),
                "passed": i.passed,
                "vetoed": i.vetoed,
                "failed_items": i.failed_items,
            }
            for i in published
        ],
    }


def rectification_items(user, results) -> dict:
    """The rectification items the failed ``results`` opened, that ``user`` may see, by id."""
    return rectification_selectors.items_by_id(user, [r.rectification_id for r in results])
