"""Reads behind the key-account pages, API, worklist and panel — scoped to the user.

**Key account** (大客户/重要客户): a customer supplied at 10 kV or above, or flagged
important. **Inspection due**: scheduled and due within the lead days (the schedule only
generates tasks that close); **overdue**: scheduled past its due date. **Plan expiring**:
a current plan whose review date is within ``plan_expiring_days`` (default 30) from
today; **expired**: past it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from gridcare.customers.models import Customer

from .choices import DrillStatus, InspectionStatus, PlanState
from .models import (
    Drill,
    EmergencyPlan,
    InspectionFinding,
    KeyAccountSetting,
    SafetyInspection,
    ServicePackage,
    Subscription,
)

KEY_VOLTAGE_KV = Decimal("10")
PANEL_ROWS = 5
REPORT_ROWS = 200


def key_customer_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}voltage_kv__gte": KEY_VOLTAGE_KV}) | Q(**{f"{prefix}important": True})


def is_key_customer(customer: Customer) -> bool:
    return bool(customer.important) or Decimal(customer.voltage_kv or 0) >= KEY_VOLTAGE_KV


def expiring_days() -> int:
    return KeyAccountSetting.get(KeyAccountSetting.PLAN_EXPIRING_DAYS)


def plan_state(review_date: dt.date, today: dt.date, days: int) -> str:
    if review_date < today:
        return PlanState.EXPIRED
    if review_date <= today + dt.timedelta(days=days):
        return PlanState.EXPIRING
    return PlanState.CURRENT


def packages(*, active_only: bool = True) -> QuerySet[ServicePackage]:
    qs = ServicePackage.objects.all()
    return qs.filter(active=True) if active_only else qs


# -------------------------------------------------------------------------- inspections


def inspections_for(user) -> QuerySet[SafetyInspection]:
    return SafetyInspection.objects.visible_to(user).select_related(
        "customer", "customer__station", "subscription__package", "inspector__staff"
    )


def inspections_due(
    user, *, today: dt.date | None = None, overdue_only: bool = False, customers=None
) -> QuerySet[SafetyInspection]:
    """Scheduled inspections the user may see, due within the lead days (or overdue only),
    earliest first; ``customers``: a queryset of customers to keep (a manager's)."""
    today = today or timezone.localdate()
    qs = inspections_for(user).filter(status=InspectionStatus.SCHEDULED)
    if overdue_only:
        qs = qs.filter(due_date__lt=today)
    else:
        lead = KeyAccountSetting.get(KeyAccountSetting.INSPECTION_LEAD_DAYS)
        qs = qs.filter(due_date__lte=today + dt.timedelta(days=lead))
    if customers is not None:
        qs = qs.filter(customer_id__in=customers.values("pk"))
    return qs.order_by("due_date", "id")


def inspection_get(user, pk: int | None) -> SafetyInspection | None:
    return inspections_for(user).filter(pk=pk).first() if pk else None


def inspection_findings(inspection: SafetyInspection) -> list[InspectionFinding]:
    return list(inspection.findings.select_related("rectification").order_by("id"))


def overdue_report(user, *, today: dt.date | None = None) -> list[dict]:
    """Overdue inspections per supply station the user may see (one grouped query), with
    the oldest due date: the supervisor's report."""
    today = today or timezone.localdate()
    rows = (
        SafetyInspection.objects.visible_to(user)
        .filter(status=InspectionStatus.SCHEDULED, due_date__lt=today)
        .values("customer__station_id", "customer__station__name", "customer__station__code")
        .annotate(n=Count("id"), customers=Count("customer_id", distinct=True))
        .order_by("-n", "customer__station__code")[:REPORT_ROWS]
    )
    oldest = dict(
        SafetyInspection.objects.visible_to(user)
        .filter(status=InspectionStatus.SCHEDULED, due_date__lt=today)
        .order_by()
        .values_list("customer__station_id")
        .annotate(first=Min("due_date"))
        .values_list("customer__station_id", "first")
    )
    return [
        {
            "station": r["customer__station__name"],
            "code": r["customer__station__code"],
            "count": r["n"],
            "customers": r["customers"],
            "oldest": oldest.get(r["customer__station_id"]),
            "days": (today - oldest[r["customer__station_id"]]).days
            if r["customer__station_id"] in oldest
            else None,
        }
        for r in rows
    ]


# ------------------------------------------------------------------------------- plans


def plans_for(user) -> QuerySet[EmergencyPlan]:
    return EmergencyPlan.objects.visible_to(user).select_related("customer", "customer__station")


def plans_expiring(user, *, today: dt.date | None = None, customers=None) -> QuerySet[EmergencyPlan]:
    """Current plans due for review within the warning days or past it, earliest first."""
    today = today or timezone.localdate()
    qs = plans_for(user).filter(active=True, review_date__lte=today + dt.timedelta(days=expiring_days()))
    if customers is not None:
        qs = qs.filter(customer_id__in=customers.values("pk"))
    return qs.order_by("review_date", "id")


def plan_get(user, pk: int | None) -> EmergencyPlan | None:
    return plans_for(user).filter(pk=pk).first() if pk else None


def plan_drills(plan: EmergencyPlan) -> list[Drill]:
    return list(plan.drills.order_by("-scheduled_for", "-id"))


def drill_get(user, pk: int | None) -> Drill | None:
    return Drill.objects.visible_to(user).select_related("plan").filter(pk=pk).first() if pk else None


def subscription_get(user, pk: int | None) -> Subscription | None:
    return (
        Subscription.objects.visible_to(user).select_related("customer", "package").filter(pk=pk).first()
        if pk
        else None
    )


# ------------------------------------------------------------------------ one customer


def customer_key_account(user, customer: Customer, *, today: dt.date | None = None) -> dict:
    """Everything key-account about one customer: current and past subscriptions,
    inspections (scheduled first, then the latest done), findings with their rectification
    items, plans (current first) with their state and drills. A fixed number of queries."""
    today = today or timezone.localdate()
    days = expiring_days()
    subs = list(
        Subscription.objects.filter(customer=customer)
        .select_related("package")
        .order_by("-start_date", "-id")
    )
    inspections = list(
        SafetyInspection.objects.filter(customer=customer)
        .select_related("inspector__staff", "subscription__package")
        .order_by("-due_date", "-id")[:50]
    )
    findings: dict[int, list] = {}
    for f in InspectionFinding.objects.filter(inspection__in=[i.pk for i in inspections]).select_related(
        "rectification"
    ):
        findings.setdefault(f.inspection_id, []).append(f)
    for i in inspections:
        i.finding_rows = findings.get(i.pk, [])
        i.overdue = i.status == InspectionStatus.SCHEDULED and i.due_date < today
    plans = list(EmergencyPlan.objects.filter(customer=customer).order_by("-active", "-review_date", "-id"))
    drills: dict[int, list] = {}
    for d in Drill.objects.filter(plan__in=[p.pk for p in plans]).order_by("-scheduled_for", "-id"):
        drills.setdefault(d.plan_id, []).append(d)
    for p in plans:
        p.state = plan_state(p.review_date, today, days) if p.active else ""
        p.drill_rows = drills.get(p.pk, [])
    return {
        "customer": customer,
        "is_key": is_key_customer(customer),
        "current": next((s for s in subs if s.ended_on is None), None),
        "subscriptions": subs,
        "inspections": inspections,
        "plans": plans,
        "today": today,
    }


def panel_summary(customer: Customer, *, today: dt.date | None = None) -> dict:
    """The short version for the customer page: package, next inspection, open findings,
    current plan and its state, next drill (five small queries)."""
    today = today or timezone.localdate()
    current = (
        Subscription.objects.filter(customer=customer, ended_on__isnull=True)
        .select_related("package")
        .first()
    )
    next_inspection = (
        SafetyInspection.objects.filter(customer=customer, status=InspectionStatus.SCHEDULED)
        .order_by("due_date")
        .first()
    )
    last_done = (
        SafetyInspection.objects.filter(customer=customer, status=InspectionStatus.DONE)
        .order_by("-done_on", "-id")
        .first()
    )
    plan = EmergencyPlan.objects.filter(customer=customer, active=True).first()
    next_drill = (
        Drill.objects.filter(plan=plan, status=DrillStatus.SCHEDULED).order_by("scheduled_for").first()
        if plan
        else None
    )
    return {
        "customer": customer,
        "current": current,
        "next_inspection": next_inspection,
        "next_overdue": bool(next_inspection and next_inspection.due_date < today),
        "last_done": last_done,
        "plan": plan,
        "plan_state": plan_state(plan.review_date, today, expiring_days()) if plan else "",
        "next_drill": next_drill,
    }
