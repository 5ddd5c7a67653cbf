"""Reads of the three-party evaluation: the scorecard (per hall, unit or counter clerk for
a month or a quarter, with the previous three periods' combined scores), the internal
evaluation's bottlenecks, the experts and the assessments.

Every figure is read from the app that defines it — nothing is recomputed differently:

- **counter ratings**: ``hall.selectors.counter_rating_figures`` (average 1–5 →
  ``scoring.rating_score``);
- **callbacks**: ``escalation.selectors.order_callbacks_done`` + ``satisfaction_by``
  (``SATISFACTION_DEFINITION``); a hall counts the callbacks of counter orders accepted
  within its unit, a unit those of the orders it handled, a clerk those of the orders
  they accepted;
- **surveys**: ``surveys.selectors.csi_by_unit`` (the one CSI definition; no answers in the period: no data);
- **expert**: the mean total of the experts' assessments of the period (a unit: of itself
  and its halls);
- **internal**: the share of tickets called within the wait commitment
  (``hall.selectors.hall_figures`` / ``summarize``); application stages completed within
  their limit (the process report's "late" rule: ``completed_at > due_at``); work-order
  clocks met on time (``workorders.selectors.clock_compliance_counts``, due in the
  period); orders accepted in the period with no return (退单) and no reopening (重新处理).

Query count: a fixed number per period whatever the number of rows (four periods: the
chosen one and the three before it, for the trend).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import pgettext

from gridcare.applications.choices import StageStatus
from gridcare.applications.models import ApplicationStage
from gridcare.core.calendar import local_tz
from gridcare.escalation.selectors import order_callbacks_done, satisfaction_by
from gridcare.hall.selectors import counter_rating_figures, hall_figures, halls_for
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit
from gridcare.org.selectors import staff_for, units_visible_to
from gridcare.workorders.choices import Action, Channel, ClockKind
from gridcare.workorders.models import WorkOrderClock, WorkOrderEvent
from gridcare.workorders.selectors import clock_compliance_counts, compliance_rate, work_orders_for

from .choices import MEASURE_LABELS, Level
from .models import EvaluationSetting, ExpertAppointment, ExpertAssessment, ExpertChecklistItem
from .scoring import Period, period_of, rating_score, round_half_up, scorecard_row, share_score

ROWS_MAX = 500
TREND_PERIODS = 3
BOTTLENECK_ROWS = 30


def default_period(today: dt.date | None = None) -> Period:
    return period_of(today or timezone.localdate(), quarter=True)


def weights() -> dict[str, int]:
    return EvaluationSetting.all_values()


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _survey_part(user, *, start: dt.date, end: dt.date) -> dict:
    """``surveys.selectors.csi_by_unit`` (station path -> {n, csi, …}): the one CSI definition."""
    from gridcare.surveys.selectors import csi_by_unit

    return csi_by_unit(user, start=start, end=end) or {}


# ------------------------------------------------------------------------------ targets


def _targets(user, level: str) -> list[dict]:
    """The rows of a level: ``key``, ``label``, ``path`` (hall and unit), ``unit_name``."""
    if level == Level.HALL:
        return [
            {"key": h.pk, "label": h.name, "path": h.unit_path, "unit_name": h.unit.name, "code": h.code}
            for h in halls_for(user).filter(active=True)[:ROWS_MAX]
        ]
    if level == Level.UNIT:
        units = (
            units_visible_to(user)
            .filter(kind__in=[UnitKind.COUNTY, UnitKind.STATION])
            .order_by("path")
            .select_related("parent")[:ROWS_MAX]
        )
        return [
            {
                "key": u.pk,
                "label": u.name,
                "path": u.path,
                "unit_name": u.parent.name if u.parent_id else "",
                "code": u.code,
                "kind": u.get_kind_display(),
            }
            for u in units
        ]
    staff = staff_for(user, roles=[Role.COUNTER_CLERK]).order_by("unit__path", "display_name")[:ROWS_MAX]
    return [
        {
            "key": s.user_id,
            "label": s.display_name,
            "path": s.unit.path,
            "unit_name": s.unit.name,
            "code": s.user.username,
        }
        for s in staff
    ]


def _under(groups: dict, path: str) -> list:
    """The values of ``groups`` (path -> value) whose path is ``path`` or below it."""
    return [v for p, v in groups.items() if p and p.startswith(path)]


def _sum_pairs(values: list[tuple[int, int]]) -> tuple[int, int]:
    return sum(v[0] for v in values), sum(v[1] for v in values)


# ---------------------------------------------------------------------------- sources


def _ratings(user, level: str, start: dt.date, end: dt.date, targets: list[dict]) -> dict:
    """key -> (score 0–100, ratings)."""
    if level == Level.STAFF:
        rows = counter_rating_figures(user, start=start, end=end, by="clerk")
        return {r["key"]: (rating_score(r["average"]), r["count"]) for r in rows if r["count"]}
    rows = counter_rating_figures(user, start=start, end=end, by="hall")
    if level == Level.HALL:
        return {r["key"]: (rating_score(r["average"]), r["count"]) for r in rows if r["count"]}
    hall_paths = dict(halls_for(user).values_list("pk", "unit_path"))
    by_path: dict[str, list] = defaultdict(list)
    for r in rows:
        by_path[hall_paths.get(r["key"], "")].append((r["average"], r["count"]))
    out = {}
    for t in targets:
        pairs = [p for v in _under(by_path, t["path"]) for p in v]
        n = sum(c for _a, c in pairs)
        if n:
            avg = sum(a * c for a, c in pairs) / n
            out[t["key"]] = (rating_score(round(avg, 2)), n)
    return out


def _callbacks(user, level: str, since: dt.datetime, until: dt.datetime, targets: list[dict]) -> dict:
    """key -> (satisfaction rate, callbacks reached) — escalation's one definition."""
    cb = order_callbacks_done(since=since, until=until, user=user)
    if level == Level.STAFF:
        counts = satisfaction_by(cb, "order__accepted_by_id")
        return {k: (c["rate"], c["surveyed"]) for k, c in counts.items() if c["surveyed"]}
    if level == Level.HALL:
        counts = satisfaction_by(cb.filter(order__channel=Channel.COUNTER), "order__accepted_path")
    else:
        counts = satisfaction_by(cb, "unit_path")
    groups = {p: (c["satisfied"], c["surveyed"]) for p, c in counts.items()}
    out = {}
    for t in targets:
        satisfied, surveyed = _sum_pairs(_under(groups, t["path"]))
        if surveyed:
            out[t["key"]] = (share_score(satisfied, surveyed), surveyed)
    return out


def _surveys(user, level: str, start: dt.date, end: dt.date, targets: list[dict]) -> dict:
    """key -> (CSI 0–100, responses) — a hall takes its unit's surveys."""
    if level == Level.STAFF:
        return {}
    data = _survey_part(user, start=start, end=end)
    out = {}
    for t in targets:
        rows = [r for r in _under(data, t["path"]) if r.get("csi") is not None and r.get("n")]
        n = sum(r["n"] for r in rows)
        if n:
            out[t["key"]] = (round_half_up(sum(r["csi"] * r["n"] for r in rows) / n, 1), n)
    return out


def _experts(user, level: str, period: Period, targets: list[dict]) -> dict:
    """key -> (mean total, assessments)."""
    if level == Level.STAFF:
        return {}
    qs = ExpertAssessment.objects.visible_to(user).filter(period__in=period.months)
    if level == Level.HALL:
        rows = (
            qs.filter(hall__isnull=False).values("hall_id").annotate(s=Sum("total"), n=Count("id")).order_by()
        )
        return {r["hall_id"]: (float(r["s"]) / r["n"], r["n"]) for r in rows}
    groups = {
        r["unit_path"]: (r["s"], r["n"])
        for r in qs.values("unit_path").annotate(s=Sum("total"), n=Count("id")).order_by()
    }
    out = {}
    for t in targets:
        s, n = _sum_pairs(_under(groups, t["path"]))
        if n:
            out[t["key"]] = (float(s) / n, n)
    return out


def _wait(user, level: str, start: dt.date, end: dt.date, targets: list[dict]) -> dict:
    """key -> (share called within the wait commitment, tickets called) — hall's summarize."""
    if level == Level.STAFF:
        return {}
    data = hall_figures(user, start=start, end=end)
    per_hall = {
        h["hall"].pk: (h["figures"]["within"], h["figures"]["called"], h["hall"].unit_path)
        for h in data["halls"]
    }
    if level == Level.HALL:
        return {k: (share_score(w, c), c) for k, (w, c, _p) in per_hall.items() if c}
    groups: dict[str, list] = defaultdict(list)
    for w, c, p in per_hall.values():
        groups[p].append((w, c))
    out = {}
    for t in targets:
        w, c = _sum_pairs([x for v in _under(groups, t["path"]) for x in v])
        if c:
            out[t["key"]] = (share_score(w, c), c)
    return out


def _stages(user, level: str, since: dt.datetime, until: dt.datetime, targets: list[dict]) -> dict:
    """key -> (share of stages completed within their limit, stages completed)."""
    qs = ApplicationStage.objects.visible_to(user).filter(
        status=StageStatus.DONE, completed_at__gte=since, completed_at__lt=until
    )
    field = {
        Level.HALL: "application__hall_id",
        Level.UNIT: "application__unit_path",
        Level.STAFF: "application__accepted_by_id",
    }[level]
    rows = (
        qs.values(field)
        .annotate(n=Count("id"), late=Count("id", filter=Q(completed_at__gt=F("due_at"))))
        .order_by()
    )
    groups = {r[field]: (r["n"] - r["late"], r["n"]) for r in rows if r[field] is not None}
    if level != Level.UNIT:
        return {k: (share_score(ok, n), n) for k, (ok, n) in groups.items() if n}
    out = {}
    for t in targets:
        ok, n = _sum_pairs(_under(groups, t["path"]))
        if n:
            out[t["key"]] = (share_score(ok, n), n)
    return out


def _order_field(level: str) -> str:
    return {Level.HALL: "accepted_path", Level.UNIT: "unit_path", Level.STAFF: "accepted_by_id"}[level]


def _orders(user, level: str, since, until, targets: list[dict], now: dt.datetime) -> tuple[dict, dict]:
    """(key -> (on-time share of the clocks due in the period, clocks due),
    key -> (share of the orders accepted in the period with no return or reopening, orders)).
    A hall counts the counter orders accepted within its unit."""
    orders = work_orders_for(user)
    if level == Level.HALL:
        orders = orders.filter(channel=Channel.COUNTER)
    field = _order_field(level)
    clocks = (
        WorkOrderClock.objects.filter(order__in=orders.values("pk"), due_at__gte=since, due_at__lt=until)
        .values(f"order__{field}")
        .annotate(**clock_compliance_counts(now))
        .order_by()
    )
    clock_groups = {r[f"order__{field}"]: (r["on_time"], r["due"]) for r in clocks}
    reworked = WorkOrderEvent.objects.filter(order=OuterRef("pk"), action__in=[Action.RETURN, Action.REOPEN])
    rows = (
        orders.filter(created_at__gte=since, created_at__lt=until)
        .annotate(rw=Exists(reworked))
        .values(field)
        .annotate(n=Count("id"), r=Count("id", filter=Q(rw=True)))
        .order_by()
    )
    rework_groups = {r[field]: (r["n"] - r["r"], r["n"]) for r in rows}
    if level == Level.STAFF:
        on_time = {k: (share_score(a, b), b) for k, (a, b) in clock_groups.items() if b and k}
        clean = {k: (share_score(a, b), b) for k, (a, b) in rework_groups.items() if b and k}
        return on_time, clean
    on_time, clean = {}, {}
    for t in targets:
        a, b = _sum_pairs(_under(clock_groups, t["path"]))
        if b:
            on_time[t["key"]] = (share_score(a, b), b)
        a, b = _sum_pairs(_under(rework_groups, t["path"]))
        if b:
            clean[t["key"]] = (share_score(a, b), b)
    return on_time, clean


def period_measures(user, level: str, period: Period, targets: list[dict], now: dt.datetime) -> dict:
    """key -> {measure: (score or None, data points)} for one period."""
    start, end = period.start, period.end
    since, until = _bounds(period)
    until_now = min(until, now)
    sources = {
        "ratings": _ratings(user, level, start, end, targets),
        "callbacks": _callbacks(user, level, since, until, targets),
        "surveys": _surveys(user, level, start, end, targets),
        "expert": _experts(user, level, period, targets),
        "wait": _wait(user, level, start, end, targets),
        "stages": _stages(user, level, since, until, targets),
    }
    sources["orders_on_time"], sources["rework"] = _orders(user, level, since, until_now, targets, now)
    out = {}
    for t in targets:
        out[t["key"]] = {name: values.get(t["key"], (None, 0)) for name, values in sources.items()}
    return out


# ---------------------------------------------------------------------------- scorecard


def scorecard(user, *, level: str, period: Period, now: dt.datetime | None = None) -> dict:
    """The scorecard of ``level`` (hall / unit / staff) for ``period``: each row with the
    three parts, the combined score, the data points behind each part and the trend (the
    combined scores of the three periods before). One function for page, Excel and API."""
    now = now or timezone.now()
    level = level if level in Level.values else Level.HALL
    w = weights()
    targets = _targets(user, level)
    periods = [*period.previous_n(TREND_PERIODS), period]
    today = timezone.localdate(now)
    measures = {
        p.label: (period_measures(user, level, p, targets, now) if p.start <= today else {}) for p in periods
    }
    rows = []
    parts_by_period = {p.label: [scorecard_row(m, w) for m in measures[p.label].values()] for p in periods}
    for t in targets:
        row = scorecard_row(measures[period.label].get(t["key"], {}), w)
        row["trend"] = [
            {
                "period": p.label,
                "score": scorecard_row(measures[p.label][t["key"]], w)["score"]
                if measures[p.label]
                else None,
            }
            for p in periods[:-1]
        ]
        row.update({k: t.get(k, "") for k in ("key", "label", "unit_name", "code", "kind")})
        row["missing_labels"] = pgettext("list separator", "、").join(
            str(MEASURE_LABELS[m]) for m in row["missing_measures"]
        )
        rows.append(row)
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["code"]))
    return {
        "level": level,
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "trend_periods": [p.label for p in periods[:-1]],
        "weights": w,
        "rows": rows,
        "series": {
            part: [_mean(r[part] for r in parts_by_period[p.label]) for p in periods]
            for part in ("score", "customer", "expert", "internal")
        },
        "series_periods": [p.label for p in periods],
    }


def _mean(values) -> float | None:
    """The plain mean of the rows' values present (the level's average for the trend chart)."""
    present = [v for v in values if v is not None]
    return round_half_up(sum(present) / len(present), 1) if present else None


# -------------------------------------------------------------------------- bottlenecks


def bottlenecks(user, *, period: Period, now: dt.datetime | None = None) -> dict:
    """The internal evaluation (内部评价) of the period: application stages by their
    average working days against their limit (worst first), work-order steps (each kind of
    time-limit clock due in the period) by their on-time share (worst first), returns and
    reopenings per 100 orders per unit (worst first), the halls' share called within the
    wait commitment (worst first)."""
    now = now or timezone.now()
    since, until = _bounds(period)
    stages = []
    for r in (
        ApplicationStage.objects.visible_to(user)
        .filter(status=StageStatus.DONE, completed_at__gte=since, completed_at__lt=until)
        .values("name")
        .annotate(
            n=Count("id"),
            avg_days=Avg("working_days"),
            avg_limit=Avg("limit_days"),
            late=Count("id", filter=Q(completed_at__gt=F("due_at"))),
        )
        .order_by()[:200]
    ):
        avg_days = float(r["avg_days"]) if r["avg_days"] is not None else None
        avg_limit = float(r["avg_limit"]) if r["avg_limit"] else None
        stages.append(
            {
                "name": r["name"],
                "count": r["n"],
                "avg_days": round_half_up(avg_days, 1) if avg_days is not None else None,
                "avg_limit": round_half_up(avg_limit, 1) if avg_limit else None,
                "ratio": round_half_up(100 * avg_days / avg_limit, 1)
                if avg_days is not None and avg_limit
                else None,
                "late": r["late"],
                "late_share": share_score(r["late"], r["n"]),
            }
        )
    stages.sort(key=lambda s: (s["ratio"] is None, -(s["ratio"] or 0), s["name"]))
    returns_q = Q(events__action=Action.RETURN)
    reopen_q = Q(events__action=Action.REOPEN)
    groups = {
        r["unit_path"]: r
        for r in work_orders_for(user)
        .filter(created_at__gte=since, created_at__lt=until)
        .values("unit_path")
        .annotate(
            n=Count("id", distinct=True),
            returns=Count("events", filter=returns_q),
            reopens=Count("events", filter=reopen_q),
        )
        .order_by()
    }
    units = []
    for t in _targets(user, Level.UNIT):
        rows = _under(groups, t["path"])
        n = sum(r["n"] for r in rows)
        if not n:
            continue
        returns = sum(r["returns"] for r in rows)
        reopens = sum(r["reopens"] for r in rows)
        units.append(
            {
                "label": t["label"],
                "kind": t.get("kind", ""),
                "orders": n,
                "returns": returns,
                "reopens": reopens,
                "returns_per_100": round_half_up(100 * returns / n, 1),
                "reopens_per_100": round_half_up(100 * reopens / n, 1),
                "per_100": round_half_up(100 * (returns + reopens) / n, 1),
            }
        )
    units.sort(key=lambda u: (-u["per_100"], u["label"]))
    clocks = []
    for r in (
        WorkOrderClock.objects.filter(
            order__in=work_orders_for(user).values("pk"), due_at__gte=since, due_at__lt=min(until, now)
        )
        .values("kind")
        .annotate(**clock_compliance_counts(now))
        .order_by()
    ):
        if r["due"]:
            clocks.append(
                {
                    "kind": r["kind"],
                    "label": ClockKind(r["kind"]).label if r["kind"] in ClockKind.values else r["kind"],
                    "due": r["due"],
                    "on_time": r["on_time"],
                    "late": r["late"],
                    "overdue": r["overdue"],
                    "rate": compliance_rate(r["on_time"], r["due"]),
                }
            )
    clocks.sort(key=lambda c: (c["rate"] if c["rate"] is not None else 101, c["kind"]))
    figures = hall_figures(user, start=period.start, end=period.end)
    halls = sorted(
        (
            {
                "label": h["hall"].name,
                "called": h["figures"]["called"],
                "within_share": h["figures"]["within_share"],
                "avg_wait": h["figures"]["avg_wait"],
                "p90_wait": h["figures"]["p90_wait"],
                "commitment": h["figures"]["commitment"],
            }
            for h in figures["halls"]
            if h["figures"]["called"]
        ),
        key=lambda h: (h["within_share"] is None, h["within_share"] or 0, h["label"]),
    )
    return {
        "period": period.label,
        "stages": stages[:BOTTLENECK_ROWS],
        "units": units[:BOTTLENECK_ROWS],
        "clocks": clocks,
        "halls": halls[:BOTTLENECK_ROWS],
    }


# ------------------------------------------------------------------- experts, assessments


def appointments_for(user) -> QuerySet[ExpertAppointment]:
    return ExpertAppointment.objects.visible_to(user).select_related(
        "user__staff", "unit", "appointed_by__staff"
    )


def appointment_get(user, pk: int | None) -> ExpertAppointment | None:
    return appointments_for(user).filter(pk=pk).first() if pk else None


def assessments_for(user, *, period: Period | None = None) -> QuerySet[ExpertAssessment]:
    qs = ExpertAssessment.objects.visible_to(user).select_related("hall", "unit", "expert__staff")
    if period is not None:
        qs = qs.filter(period__in=period.months)
    return qs.order_by("-period", "unit_path", "target_key", "id")


def assessment_get(user, pk: int | None) -> ExpertAssessment | None:
    return assessments_for(user).filter(pk=pk).first() if pk else None


def checklist() -> list[ExpertChecklistItem]:
    return list(ExpertChecklistItem.objects.filter(active=True).order_by("order", "code"))


def experts_choosable(user, today: dt.date | None = None) -> list:
    """Users with an appointment valid today that the user may see (for the assessment form)."""
    today = today or timezone.localdate()
    rows = (
        appointments_for(user)
        .filter(valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("user__staff__display_name", "user_id")
    )
    seen, out = set(), []
    for a in rows[:ROWS_MAX]:
        if a.user_id not in seen:
            seen.add(a.user_id)
            out.append(a.user)
    return out


def units_assessable(user) -> QuerySet[OrgUnit]:
    return units_visible_to(user).filter(kind__in=[UnitKind.COUNTY, UnitKind.STATION]).order_by("path")
