"""The figures of a periodic analysis report, as one JSON-ready dict.

Everything the web page, the Excel workbook and the PDF show comes from here, so the
three cannot disagree. ``scope_path`` limits the orders to a unit and its sub-units
(responsible or accepting side, as the work-order lists do); "" is the whole company.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Max, Q, Subquery, Sum, Window
from django.db.models.functions import Mod, RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from gridcare.core.calendar import local_tz
from gridcare.customers.models import Customer
from gridcare.escalation.selectors import order_callbacks_done, satisfaction_by, satisfaction_counts
from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit
from gridcare.workorders.choices import Channel, ClockKind, Dimension, RequestType
from gridcare.workorders.models import WorkOrder, WorkOrderClock
from gridcare.workorders.selectors import clock_compliance_counts, compliance_rate

from ..topics import cluster_topics
from .periods import Period


@dataclass(frozen=True)
class _Ctx:
    period: Period
    scope_path: str


ISSUE_TYPES = (RequestType.COMPLAINT, RequestType.FAULT_REPAIR, RequestType.REPORT, RequestType.SUGGESTION)
MAX_TOPIC_TEXTS = 4000


def _scoped(qs, scope_path: str, prefix: str = ""):
    if not scope_path:
        return qs
    return qs.filter(
        Q(**{f"{prefix}unit_path__startswith": scope_path})
        | Q(**{f"{prefix}accepted_path__startswith": scope_path})
    )


def orders_in(period: Period, scope_path: str = ""):
    return _scoped(
        WorkOrder.objects.filter(created_at__gte=period.since, created_at__lt=period.until), scope_path
    )


def _change(now: int, before: int) -> float | None:
    if not before:
        return None
    return round((now - before) * 100.0 / before, 1)


def _volumes(period: Period, scope_path: str) -> dict:
    periods = {"count": period, "previous": period.previous(), "last_year": period.last_year()}
    counts: dict[str, dict[str, Counter]] = {"channel": {}, "request_type": {}, "dimension": {}}
    totals = {}
    for key, p in periods.items():
        rows = (
            orders_in(p, scope_path)
            .values_list("channel", "request_type", "dimension")
            .annotate(n=Count("id"))
        )
        per = {"channel": Counter(), "request_type": Counter(), "dimension": Counter()}
        total = 0
        for ch, rt, dim, n in rows:
            per["channel"][ch] += n
            per["request_type"][rt] += n
            per["dimension"][dim] += n
            total += n
        totals[key] = total
        for field, c in per.items():
            counts[field][key] = c
    labels = {"channel": Channel, "request_type": RequestType, "dimension": Dimension}
    out = {}
    for field, choices in labels.items():
        rows = []
        for code, label in choices.choices:
            now = counts[field]["count"][code]
            prev = counts[field]["previous"][code]
            ly = counts[field]["last_year"][code]
            if not (now or prev or ly):
                continue
            rows.append(
                {
                    "code": code,
                    "label": str(label),
                    "count": now,
                    "previous": prev,
                    "last_year": ly,
                    "change_prev": _change(now, prev),
                    "change_yoy": _change(now, ly),
                }
            )
        rows.sort(key=lambda r: -r["count"])
        out[field] = rows
    out["totals"] = {
        "count": totals["count"],
        "previous": totals["previous"],
        "last_year": totals["last_year"],
        "change_prev": _change(totals["count"], totals["previous"]),
        "change_yoy": _change(totals["count"], totals["last_year"]),
        "previous_period": periods["previous"].label,
        "last_year_period": periods["last_year"].label,
    }
    return out


def _daily(period: Period, scope_path: str) -> list[dict]:
    rows = dict(
        orders_in(period, scope_path)
        .annotate(day=TruncDate("created_at", tzinfo=local_tz()))
        .values_list("day")
        .annotate(n=Count("id"))
    )
    out, day = [], period.start
    while day <= period.end:
        out.append({"date": day.isoformat(), "count": rows.get(day, 0)})
        day += dt.timedelta(days=1)
    return out


def _texts(qs, n: int) -> list[str]:
    """The descriptions the topics are clustered from: all ``n`` of them, or beyond
    ``MAX_TOPIC_TEXTS`` an even spread over the period (every ``step``-th order by id) rather
    than its first days — picked in the database (a window function), not by reading every
    id of the period."""
    if n > MAX_TOPIC_TEXTS:
        step = n // MAX_TOPIC_TEXTS + 1
        picked = (
            qs.order_by()
            .annotate(rn=Window(RowNumber(), order_by=F("id").asc()))
            .annotate(slot=Mod(F("rn") - 1, step))
            .filter(slot=0)
            .values("id")
        )
        qs = WorkOrder.objects.filter(id__in=Subquery(picked))
    return list(qs.values_list("description", flat=True))


def _topics(qs, total: int) -> list[dict]:
    topics = cluster_topics(_texts(qs, total), max_texts=MAX_TOPIC_TEXTS)
    for t in topics:
        t["count"] = int(round(t["share"] * total))
    return topics


def _repeat_orders(period: Period, scope_path: str):
    """Orders of the period that may repeat a customer's earlier request (praise does not)."""
    return (
        orders_in(period, scope_path).filter(customer__isnull=False).exclude(request_type=RequestType.PRAISE)
    )


def _repeat_groups(period: Period, scope_path: str):
    """(customer_id, n) for each customer with two or more orders in the period."""
    return (
        _repeat_orders(period, scope_path)
        .values_list("customer_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by()
    )


def repeat_counts(period: Period, scope_path: str = "") -> dict:
    """THE repeated-request figure of reports and the manager's home: customers with two or
    more requests (praise aside) in the period, and how many orders they made (one query)."""
    agg = _repeat_groups(period, scope_path).aggregate(customers=Count("customer_id"), orders=Sum("n"))
    return {"customers": agg["customers"], "orders": agg["orders"] or 0}


def _repeats(period: Period, scope_path: str, top: int = 15) -> dict:
    qs = _repeat_orders(period, scope_path)
    rows = list(_repeat_groups(period, scope_path).order_by("-n", "customer_id")[:top])
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=[r[0] for r in rows]).select_related("area")}
    # Each top customer's three most frequent dimensions (ties: the one asked about most
    # recently first), counted in the database.
    dims: dict[int, list[str]] = defaultdict(list)
    per_dim = (
        qs.filter(customer_id__in=list(customers))
        .values_list("customer_id", "dimension")
        .annotate(n=Count("id"), last=Max("created_at"), last_id=Max("id"))
        .order_by("customer_id", "-n", "-last", "-last_id")
    )
    for cid, dim, _n, _last, _last_id in per_dim:
        dims[cid].append(dim)
    top_rows = []
    for cid, n in rows:
        c = customers.get(cid)
        if c is None:
            continue
        top_rows.append(
            {
                "customer_no": c.customer_no,
                "area": c.area.name,
                "count": n,
                "dimensions": "、".join(str(Dimension(d).label) for d in dims[cid][:3]),
            }
        )
    return {
        **repeat_counts(period, scope_path),
        "urged_orders": qs.filter(urge_count__gt=0).count(),
        "top": top_rows,
    }


def compliance_figures(period: Period, scope_path: str = "") -> dict:
    """THE time-limit compliance figure of reports and the manager's home: of the clocks due in
    the period that are met or past due, the share met on time — in total and per clock kind
    (one query)."""
    now = timezone.now()
    clocks = _scoped(
        WorkOrderClock.objects.filter(due_at__gte=period.since, due_at__lt=period.until),
        scope_path,
        "order__",
    )
    rows = clocks.values("kind").annotate(**clock_compliance_counts(now)).order_by()
    by_kind = []
    total = Counter()
    for row in rows:
        kind = row["kind"]
        counts = {k: row[k] for k in ("due", "on_time", "late", "overdue")}
        total.update(counts)
        by_kind.append(
            {
                "kind": kind,
                "label": str(ClockKind(kind).label),
                **counts,
                "rate": compliance_rate(counts["on_time"], counts["due"]),
            }
        )
    by_kind.sort(key=lambda r: list(ClockKind.values).index(r["kind"]))
    return {
        "by_kind": by_kind,
        "due": total["due"],
        "on_time": total["on_time"],
        "late": total["late"],
        "overdue": total["overdue"],
        "rate": compliance_rate(total["on_time"], total["due"]),
    }


def satisfaction_figures(period: Period, scope_path: str = "") -> dict:
    """The company's one satisfaction figure (``escalation.selectors.SATISFACTION_DEFINITION``)."""
    callbacks = order_callbacks_done(since=period.since, until=period.until, scope_path=scope_path)
    return satisfaction_counts(callbacks)


def _units(period: Period, scope_path: str, limit: int = 30) -> list[dict]:
    """Supply stations ranked by a composite of time-limit compliance, satisfaction and complaints."""
    now = timezone.now()
    orders = orders_in(period, scope_path).filter(area__isnull=False)
    volume = {
        st: (n, c)
        for st, n, c in orders.values_list("area__station_id").annotate(
            n=Count("id"), c=Count("id", filter=Q(request_type=RequestType.COMPLAINT))
        )
    }
    if not volume:
        return []
    customers = dict(
        Customer.objects.filter(station_id__in=list(volume)).values_list("station_id").annotate(n=Count("id"))
    )
    clocks = _scoped(
        WorkOrderClock.objects.filter(
            due_at__gte=period.since, due_at__lt=period.until, order__area__isnull=False
        ),
        scope_path,
        "order__",
    )
    comp = {
        st: (due, ok)
        for st, due, ok in clocks.values_list("order__area__station_id").annotate(
            due=Count("id", filter=Q(met_at__isnull=False) | Q(due_at__lt=now)),
            ok=Count("id", filter=Q(met_at__isnull=False, met_at__lte=F("due_at"))),
        )
    }
    sat = {
        st: (c["surveyed"], c["satisfied"])
        for st, c in satisfaction_by(
            order_callbacks_done(since=period.since, until=period.until, scope_path=scope_path),
            "order__area__station_id",
        ).items()
    }
    names = dict(OrgUnit.objects.filter(pk__in=list(volume)).values_list("pk", "name"))
    rows = []
    for st, (n, complaints) in volume.items():
        due, ok = comp.get(st, (0, 0))
        surveyed, satisfied = sat.get(st, (0, 0))
        cust = customers.get(st, 0)
        on_time = ok * 100.0 / due if due else None
        sat_rate = satisfied * 100.0 / surveyed if surveyed else None
        per_1000 = complaints * 1000.0 / cust if cust else None
        rows.append(
            {
                "unit": names.get(st, str(st)),
                "orders": n,
                "complaints": complaints,
                "customers": cust,
                "complaints_per_1000": round(per_1000, 2) if per_1000 is not None else None,
                "on_time_rate": round(on_time, 1) if on_time is not None else None,
                "satisfaction_rate": round(sat_rate, 1) if sat_rate is not None else None,
            }
        )
    # Composite score: compliance and satisfaction up, complaints per 1,000 customers down.
    per = sorted(r["complaints_per_1000"] for r in rows if r["complaints_per_1000"] is not None)
    worst = per[-1] if per else 0
    for r in rows:
        c = 100.0 - (r["complaints_per_1000"] / worst * 100.0 if worst and r["complaints_per_1000"] else 0.0)
        parts = [v for v in (r["on_time_rate"], r["satisfaction_rate"]) if v is not None] + [c]
        r["score"] = round(sum(parts) / len(parts), 1)
    rows.sort(key=lambda r: (-r["score"], r["unit"]))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return rows[:limit] if len(rows) <= limit else rows[: limit // 2] + rows[-limit // 2 :]


def _hotspots(period: Period, scope_path: str, top: int = 10) -> dict:
    from ..hotspots import compute_hotspots
    from ..planning import suggest_action

    days = 90 if period.kind == "monthly" else 28
    run = compute_hotspots(
        level="area", days=days, as_of=period.until, scope_path=scope_path, sample_limit=top, samples=1
    )
    keep = (
        "rank",
        "code",
        "name",
        "station",
        "dimension",
        "dimension_label",
        "count",
        "expected",
        "rate_per_1000",
        "q_value",
        "kind",
        "outages",
        "load_ratio",
        "repeat_customers",
    )
    items = []
    for h in run.hotspots[:top]:
        item = {k: h.get(k) for k in keep}
        item["action"] = str(suggest_action(h)[0])
        item["sample"] = h["samples"][0]["text"] if h["samples"] else ""
        items.append(item)
    return {"days": days, "tested": run.tested, "total": len(run.hotspots), "items": items}


def _inspections(period: Period, scope_path: str) -> dict:
    """Open and mystery inspections of the period and their published results."""
    from gridcare.inspections.selectors import report_section

    return report_section(since=period.since, until=period.until, scope_path=scope_path)


def _knowledge(period: Period, scope_path: str) -> dict:
    """Knowledge gaps: searches that found nothing, consultation topics without an article."""
    from gridcare.knowledge.selectors import report_section

    return report_section(since=period.since, until=period.until, scope_path=scope_path)


def _surveys(period: Period, scope_path: str) -> dict:
    """Satisfaction surveys (满意度调查): the CSI of the invitations sent in the period to
    customers under the scope, overall (with its 95 % interval, answered / invited) and
    per unit — per station when the scope is a county or a station, else per county.
    ``surveys.selectors``' one computation, the figures its CSI page shows."""
    from gridcare.surveys.selectors import csi_for_scope, csi_overall_for_scope, unit_names

    kind = (
        OrgUnit.objects.filter(path=scope_path).values_list("kind", flat=True).first() if scope_path else None
    )
    level = "station" if kind in (UnitKind.COUNTY, UnitKind.STATION) else "county"
    per_unit = csi_for_scope(scope_path=scope_path, start=period.start, end=period.end, level=level)
    names = unit_names(per_unit)
    return {
        "level": level,
        "overall": csi_overall_for_scope(scope_path=scope_path, start=period.start, end=period.end),
        "units": [{"path": p, "name": names.get(p, p), **f} for p, f in per_unit.items()],
    }


def _volume_section(ctx: _Ctx) -> dict:
    volumes = _volumes(ctx.period, ctx.scope_path)
    return {
        "totals": volumes["totals"],
        "by_channel": volumes["channel"],
        "by_type": volumes["request_type"],
        "by_dimension": volumes["dimension"],
    }


def _topic_section(ctx: _Ctx, qs) -> dict:
    total = qs.count()
    return {"total": total, "topics": _topics(qs, total)}


# The report's parts in the order they are computed (and shown): key, what the job page
# says while it runs, and the function returning the part's entries of the report dict.
# Reports from other apps come from their own selectors.
SECTIONS: tuple[tuple[str, Any, Callable[[_Ctx], dict]], ...] = (
    ("volumes", _lazy("受理量"), _volume_section),
    ("daily", _lazy("每日受理"), lambda c: {"daily": _daily(c.period, c.scope_path)}),
    (
        "top_issues",
        _lazy("热点问题聚类"),
        lambda c: {
            "top_issues": _topic_section(
                c, orders_in(c.period, c.scope_path).filter(request_type__in=ISSUE_TYPES, master__isnull=True)
            )
        },
    ),
    (
        "consultation",
        _lazy("咨询热点聚类"),
        lambda c: {
            "consultation": _topic_section(
                c, orders_in(c.period, c.scope_path).filter(request_type=RequestType.CONSULTATION)
            )
        },
    ),
    ("repeats", _lazy("重复诉求"), lambda c: {"repeats": _repeats(c.period, c.scope_path)}),
    ("compliance", _lazy("时限"), lambda c: {"compliance": compliance_figures(c.period, c.scope_path)}),
    (
        "satisfaction",
        _lazy("回访满意度"),
        lambda c: {"satisfaction": satisfaction_figures(c.period, c.scope_path)},
    ),
    ("units", _lazy("单位排名"), lambda c: {"units": _units(c.period, c.scope_path)}),
    ("hotspots", _lazy("热点台区"), lambda c: {"hotspots": _hotspots(c.period, c.scope_path)}),
    ("inspections", _lazy("明查暗访"), lambda c: {"inspections": _inspections(c.period, c.scope_path)}),
    ("knowledge", _lazy("知识库缺口"), lambda c: {"knowledge": _knowledge(c.period, c.scope_path)}),
    ("surveys", _lazy("满意度调查"), lambda c: {"surveys": _surveys(c.period, c.scope_path)}),
)
SECTION_LABELS = {key: label for key, label, _fn in SECTIONS}


def build_report(
    period: Period,
    *,
    scope_path: str = "",
    scope_name: str = "",
    progress: Callable[[str], None] | None = None,
) -> dict:
    """All figures of the report for ``period`` (see module docstring). ``progress`` is told
    the key of each of ``SECTIONS`` as it starts (the job page shows it; the bench times it)."""
    data = {
        "kind": period.kind,
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "scope": scope_name or "全公司",
        "scope_path": scope_path,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
    }
    ctx = _Ctx(period, scope_path)
    for key, _label, fn in SECTIONS:
        if progress is not None:
            progress(key)
        data.update(fn(ctx))
    return data
