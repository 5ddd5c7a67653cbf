"""Reads of supervision, every one scoped to what the user may see; THE figures of recurring
failure causes (``recurring_causes``) and of conduct assessment (``conduct_figures``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone

from gridcare.core.calendar import local_tz
from gridcare.escalation.choices import FailureCause
from gridcare.escalation.models import ServiceFailure, SupervisorConsultation
from gridcare.org.models import OrgUnit
from gridcare.rectification.models import RectificationItem

from .choices import PointStatus, ReminderKind
from .models import (
    ConductViolation,
    ConsultationPlan,
    SupervisionSetting,
    SupervisorPoint,
    SupervisorReward,
)
from .periods import Period, add_months

FAILURE_CAUSE_SOURCE = "failure_cause"


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    return (
        dt.datetime.combine(period.start, dt.time(0), tzinfo=tz),
        dt.datetime.combine(period.end, dt.time(0), tzinfo=tz),
    )


# ------------------------------------------------------------------ consultation plans


def plans_for(user) -> QuerySet[ConsultationPlan]:
    return ConsultationPlan.objects.visible_to(user).select_related("unit").order_by("unit_path")


def last_consultation_on(unit_id: int) -> dt.date | None:
    return SupervisorConsultation.objects.filter(unit_id=unit_id).aggregate(d=Max("held_on"))["d"]


def plan_next_due(plan: ConsultationPlan, *, last_held: dt.date | None = None) -> dt.date:
    """When the next consultation is due: ``every_months`` after the last one held at the
    plan's unit, or the plan's first date while none was held."""
    last = last_held if last_held is not None else last_consultation_on(plan.unit_id)
    return add_months(last, plan.every_months) if last is not None else plan.first_due_on


def plan_state(plan: ConsultationPlan, *, due: dt.date, today: dt.date) -> str:
    """ "overdue" from the due date on, "soon" within the reminder days before it, else ""."""
    if today >= due:
        return ReminderKind.OVERDUE
    if today >= due - dt.timedelta(days=plan.reminder_days):
        return ReminderKind.SOON
    return ""


def plan_rows(user, *, today: dt.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    plans = list(plans_for(user))
    last = dict(
        SupervisorConsultation.objects.filter(unit_id__in=[p.unit_id for p in plans])
        .values("unit_id")
        .annotate(d=Max("held_on"))
        .values_list("unit_id", "d")
    )
    rows = []
    for plan in plans:
        due = plan_next_due(plan, last_held=last.get(plan.unit_id))
        rows.append(
            {
                "plan": plan,
                "last": last.get(plan.unit_id),
                "due": due,
                "state": plan_state(plan, due=due, today=today) if plan.active else "",
                "days": (due - today).days,
                "overdue_days": max(0, (today - due).days),
            }
        )
    return rows


# ------------------------------------------------------------------ points and rewards


def points_for(user, *, status: str = "") -> QuerySet[SupervisorPoint]:
    qs = SupervisorPoint.objects.visible_to(user).select_related(
        "supervisor", "unit", "rectification", "answered_by__staff", "consultation"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-raised_on", "-id")


def open_points(user, *, today: dt.date | None = None) -> list[SupervisorPoint]:
    """Open points, oldest first, each with its ``age`` in days."""
    today = today or timezone.localdate()
    rows = list(points_for(user, status=PointStatus.OPEN).order_by("raised_on", "id"))
    for p in rows:
        p.age = (today - p.raised_on).days
    return rows


def rewards_for(user) -> QuerySet[SupervisorReward]:
    return SupervisorReward.objects.visible_to(user).select_related(
        "supervisor", "point", "proposed_by__staff", "decided_by__staff"
    )


# ------------------------------------------------------------------------- conduct


def violations_for(user, *, include_withdrawn: bool = True) -> QuerySet[ConductViolation]:
    qs = ConductViolation.objects.visible_to(user).select_related("staff__staff", "unit", "norm")
    if not include_withdrawn:
        qs = qs.filter(withdrawn=False)
    return qs.order_by("-found_on", "-id")


def conduct_figures(user, *, period: Period) -> dict:
    """THE assessment figures (考核) of a month or quarter: violations and points per unit and
    per person, withdrawn violations left out, over what ``user`` may see."""
    qs = violations_for(user, include_withdrawn=False).filter(
        found_on__gte=period.start, found_on__lt=period.end
    )
    per_unit = list(
        qs.values("unit_id", "unit__code", "unit__name")
        .annotate(violations=Count("pk"), points=Sum("points"))
        .order_by("-points", "unit__code")
    )
    per_person = list(
        qs.values("staff_id", "staff__staff__display_name", "staff__username", "unit__name")
        .annotate(violations=Count("pk"), points=Sum("points"))
        .order_by("-points", "staff_id")
    )
    by_norm = list(
        qs.values("norm__name").annotate(violations=Count("pk"), points=Sum("points")).order_by("-violations")
    )
    return {
        "period": period,
        "units": [
            {
                "unit": r["unit__code"],
                "unit_name": r["unit__name"],
                "violations": r["violations"],
                "points": r["points"] or 0,
            }
            for r in per_unit
        ],
        "people": [
            {
                "staff_id": r["staff_id"],
                "name": r["staff__staff__display_name"] or r["staff__username"],
                "unit_name": r["unit__name"],
                "violations": r["violations"],
                "points": r["points"] or 0,
            }
            for r in per_person
        ],
        "norms": [
            {"norm": r["norm__name"], "violations": r["violations"], "points": r["points"] or 0}
            for r in by_norm
        ],
        "total": {
            "violations": sum(r["violations"] for r in per_unit),
            "points": sum(r["points"] or 0 for r in per_unit),
        },
    }


# ------------------------------------------------------------ recurring failure causes


def failure_count(*, unit: OrgUnit, cause: str, period: Period) -> int:
    """Failures of ``cause`` with ``unit`` responsible, recorded in ``period``."""
    since, until = _bounds(period)
    return ServiceFailure.objects.filter(
        responsible_unit=unit, cause=cause, recorded_at__gte=since, recorded_at__lt=until
    ).count()


def _counts(user, period: Period) -> dict[tuple[int, str], int]:
    since, until = _bounds(period)
    rows = (
        ServiceFailure.objects.visible_to(user)
        .filter(recorded_at__gte=since, recorded_at__lt=until)
        .values("responsible_unit_id", "cause")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(r["responsible_unit_id"], r["cause"]): r["n"] for r in rows}


def recurring_causes(user, *, period: Period, today: dt.date | None = None) -> dict:
    """THE recurring-cause figures: per responsible unit × cause, the failures of ``period``
    against the previous one, flagged at the threshold setting; with the improvement item
    opened for it (source ``failure_cause``, ref "<unit>:<cause>:<period>") and — once the
    next period has begun — the next period's count that verifies it (down = improved)."""
    today = today or timezone.localdate()
    threshold = SupervisionSetting.get(SupervisionSetting.RECURRING_THRESHOLD)
    nxt = period.shift(1)
    now_counts, prev_counts = _counts(user, period), _counts(user, period.shift(-1))
    next_counts = _counts(user, nxt) if nxt.start <= today else None
    keys = set(now_counts) | set(prev_counts)
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in={k[0] for k in keys})}
    refs = {f"{units[u].code}:{c}:{period.key}": (u, c) for u, c in keys if u in units}
    items = {
        i.source_ref: i
        for i in RectificationItem.objects.visible_to(user).filter(
            source_kind=FAILURE_CAUSE_SOURCE, source_ref__in=list(refs)
        )
    }
    labels = dict(FailureCause.choices)
    rows = []
    for ref, (unit_id, cause) in refs.items():
        n = now_counts.get((unit_id, cause), 0)
        item = items.get(ref)
        following = None if next_counts is None else next_counts.get((unit_id, cause), 0)
        rows.append(
            {
                "unit": units[unit_id],
                "cause": cause,
                "cause_label": labels.get(cause, cause),
                "count": n,
                "previous": prev_counts.get((unit_id, cause), 0),
                "flagged": n >= threshold,
                "ref": ref,
                "item": item,
                "next_count": following if item is not None else None,
                "improved": None if item is None or following is None else following < n,
            }
        )
    rows.sort(key=lambda r: (not r["flagged"], -r["count"], r["unit"].path, r["cause"]))
    return {"period": period, "previous": period.shift(-1), "next": nxt, "threshold": threshold, "rows": rows}


__all__ = [
    "conduct_figures",
    "failure_count",
    "open_points",
    "plan_next_due",
    "plan_rows",
    "plan_state",
    "plans_for",
    "points_for",
    "recurring_causes",
    "rewards_for",
    "violations_for",
]
