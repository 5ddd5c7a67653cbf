"""Reads of proactive care, scoped to the user: the care lists, campaigns and their
customers, a customer's meters, the potential-demand records and what the planning
export lists of them."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from gridcare.core.authz import has_perm
from gridcare.core.params import id_param
from gridcare.core.scoping import is_visible

from .choices import PLANNING_DEMAND_STATUSES, CareList, TargetStatus
from .models import Campaign, CampaignTarget, MeterFact, PotentialDemand
from .rules import CareRules, care_rules, list_q, rotation_cutoff

CUSTOMER_METERS = 20


def care_list_meters(user, *, care_list: str = CareList.ANY, station=None, area=None, rules=None, today=None):
    """The meters on a care list the user may see (optionally of one station or area),
    oldest first, with their customer, area and station."""
    rules = rules or care_rules()
    today = today or timezone.localdate()
    qs = MeterFact.objects.visible_to(user).filter(list_q(care_list, rules, today))
    if station is not None:
        qs = qs.filter(customer__station_id=station.pk)
    if area is not None:
        qs = qs.filter(customer__area_id=area.pk)
    return qs.select_related("customer", "customer__area", "customer__station").order_by("installed_on", "id")


def care_list_counts(user, *, rules: CareRules | None = None, today=None) -> dict:
    """How many meters the user may see are due for rotation, and how many have old boxes
    (one query)."""
    rules = rules or care_rules()
    today = today or timezone.localdate()
    return MeterFact.objects.visible_to(user).aggregate(
        rotation=Count("id", filter=list_q(CareList.ROTATION, rules, today)),
        old_box=Count("id", filter=list_q(CareList.OLD_BOX, rules, today)),
        total=Count("id"),
    )


def campaigns_for(user, *, status: str = ""):
    qs = Campaign.objects.visible_to(user).select_related("station", "area", "created_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def campaign_get(user, pk) -> Campaign | None:
    pk = id_param(pk)
    if pk is None:
        return None
    return campaigns_for(user).filter(pk=pk).first()


def campaign_progress(campaign: Campaign) -> dict:
    """Customers of the campaign by status, and how many are settled (one query)."""
    counts = dict(
        CampaignTarget.objects.filter(campaign=campaign)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    total = sum(counts.values())
    pending = counts.get(TargetStatus.PENDING, 0)
    return {
        "by_status": [(s, label, counts.get(s, 0)) for s, label in TargetStatus.choices if counts.get(s)],
        "total": total,
        "pending": pending,
        "settled": total - pending,
        "percent": round(100 * (total - pending) / total) if total else 0,
    }


def attach_progress(campaigns) -> None:
    """``progress`` (settled, total) on each campaign of a page: one query for the page."""
    campaigns = list(campaigns)
    rows = (
        CampaignTarget.objects.filter(campaign__in=[c.pk for c in campaigns])
        .order_by()
        .values("campaign_id")
        .annotate(total=Count("id"), pending=Count("id", filter=Q(status=TargetStatus.PENDING)))
    )
    by_id = {r["campaign_id"]: r for r in rows}
    for c in campaigns:
        r = by_id.get(c.pk, {"total": 0, "pending": 0})
        c.settled, c.target_count = r["total"] - r["pending"], r["total"]


def campaign_targets(user, campaign: Campaign, *, status: str = ""):
    qs = (
        CampaignTarget.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("customer", "customer__area", "done_by")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")


def campaign_target_get(user, campaign: Campaign, customer_no: str) -> CampaignTarget | None:
    return (
        CampaignTarget.objects.visible_to(user)
        .filter(campaign=campaign, customer__customer_no=str(customer_no)[:20])
        .select_related("campaign", "customer")
        .first()
    )


def customer_meters(user, customer) -> dict | None:
    """A customer's meters and whether each is on a care list (the customer page's panel);
    None for a role without ``proactive.view`` or a customer out of scope."""
    if not has_perm(user, "proactive.view") or not is_visible(user, customer):
        return None
    rules = care_rules()
    today = timezone.localdate()
    cutoff = rotation_cutoff(rules, today)
    meters = list(
        MeterFact.objects.filter(customer_id=customer.pk).order_by("installed_on")[:CUSTOMER_METERS]
    )
    for m in meters:
        m.due = m.installed_on <= cutoff
        m.old_box = m.box_condition in rules.old_boxes
    return {"meters": meters, "rules": rules}


def demands_for(user, *, status: str = "", station=None):
    qs = PotentialDemand.objects.visible_to(user).select_related("station", "area", "created_by")
    if status:
        qs = qs.filter(status=status)
    if station is not None:
        qs = qs.filter(station_id=station.pk)
    return qs.order_by("expected_date", "id")


def demand_get(user, pk) -> PotentialDemand | None:
    pk = id_param(pk)
    if pk is None:
        return None
    return demands_for(user).filter(pk=pk).first()


PLANNING_DEMAND_COLUMNS = [
    ("station", "供电所"),
    ("area_code", "附近台区编码"),
    ("area_name", "附近台区"),
    ("title", "项目名称"),
    ("location", "位置"),
    ("expected_kw", "预计负荷kW"),
    ("expected_date", "预计用电日期"),
    ("status", "状态"),
    ("source", "信息来源"),
    ("source_detail", "来源单位"),
    ("note", "备注"),
]


def planning_demand_rows(user) -> list[dict]:
    """The potential demand still to plan for (expected or confirmed) that the user may
    see, soonest first, as rows of the planning export (``PLANNING_DEMAND_COLUMNS``).
    Without ``proactive.view_demand`` nothing."""
    if user is not None and not has_perm(user, "proactive.view_demand"):
        return []
    qs = PotentialDemand.objects.filter(status__in=list(PLANNING_DEMAND_STATUSES))
    if user is not None:
        qs = qs.visible_to(user)
    out = []
    for d in qs.select_related("station", "area").order_by("expected_date", "id"):
        out.append(
            {
                "station": d.station.name,
                "area_code": d.area.code if d.area_id else "",
                "area_name": d.area.name if d.area_id else "",
                "title": d.title,
                "location": d.location,
                "expected_kw": float(d.expected_kw),
                "expected_date": d.expected_date.isoformat(),
                "status": str(d.get_status_display()),
                "source": str(d.get_source_display()),
                "source_detail": d.source_detail,
                "note": d.note,
            }
        )
    return out
