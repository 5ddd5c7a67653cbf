"""The planning loop in the demo: the planner has taken the strongest transformer-area
hotspot of the default view into the plan (a capacity project), the strongest feeder
hotspot too (line reinforcement), and declined a second area one with a reason — through
the planning service, from the demo's own hotspot run. Run again, it changes nothing."""

from __future__ import annotations

from django.utils import timezone

from gridcare.analytics.hotspots import compute_hotspots
from gridcare.analytics.models import HotspotDecision
from gridcare.analytics.planning import ActionCategory, baseline_of, hotspot_decide
from gridcare.org.choices import Role
from gridcare.org.models import StaffProfile

PLANS = {
    "area": (
        ActionCategory.TRANSFORMER_CAPACITY,
        "{year}年度台区增容改造：配变更换为630kVA，新增低压出线两回",
    ),
    "feeder": (ActionCategory.LINE_REINFORCEMENT, "{year}年度线路改造：老旧导线更换为绝缘导线，加装分段开关"),
}
DECLINE = "该台区已纳入小区配套电网改造工程，随工程同步实施，不再单独立项"


def seed_hotspot_plan(*, seed: int, stdout=None) -> dict:
    if HotspotDecision.objects.exists():
        return {"decisions": 0}
    planner = StaffProfile.objects.filter(role=Role.PLANNER).select_related("user").order_by("pk").first()
    if planner is None:
        return {"decisions": 0}
    year = timezone.localdate().year + 1
    made = 0
    for level, (category, action) in PLANS.items():
        run = compute_hotspots(level=level, days=90, scope_path="", samples=0, sample_limit=0)
        for i, hit in enumerate(run.hotspots[:2]):
            if i == 1 and level != "area":
                break
            baseline = baseline_of(run, hit)
            common = {
                "actor": planner.user,
                "level": level,
                "asset_id": hit["asset_id"],
                "dimension": hit["dimension"],
                "baseline": baseline,
            }
            if i == 0:
                hotspot_decide(
                    **common, state="accepted", action=action.format(year=year), action_category=category
                )
            else:
                hotspot_decide(**common, state="rejected", reason=DECLINE)
            made += 1
    if stdout is not None:
        stdout.write(f"热点整治计划：{made} 条计划运检决定")
    return {"decisions": made}
