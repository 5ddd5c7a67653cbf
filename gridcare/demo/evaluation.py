"""Three-party evaluation (三方评价) for the demo, through the evaluation's services.

- Two or three experts appointed by the demo administrator: the demo quality inspector and
  supervisor for the whole city, and one county supervisor for their county.
- Every active hall assessed by two experts in every month of the last four quarters (up to
  this month) against the seeded checklist; most halls score in the high 80s, one hall (the
  weaker one: the county hall) in the low 70s with its efficiency and environment lagging —
  so the scorecard shows the three parts for each hall, and a weaker hall is visible.

Deterministic from ``seed`` (and today's date); does nothing when assessments exist.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gridcare.evaluation import services
from gridcare.evaluation.models import ExpertAppointment, ExpertAssessment
from gridcare.evaluation.scoring import period_of
from gridcare.hall.models import Hall
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import StaffProfile

NOTES_GOOD = ["厅堂整洁，服务规范", "引导分流到位，等候时间短", "公示信息齐全", "便民设施完好"]
NOTES_WEAK = ["高峰时段等候较长，引导不足", "厅堂标识陈旧，需更新", "个别窗口业务不熟练", "意见簿回复不及时"]
WEAK_ITEMS = {"efficiency": -16, "environment": -12, "facilities": -6}


def _months(today: dt.date) -> list[dt.date]:
    """The first day of each month of the last four quarters (this quarter included), up to this month."""
    quarter = period_of(today, quarter=True)
    periods = [*quarter.previous_n(3), quarter]
    return [m for p in periods for m in p.months if m <= today]


def seed_evaluation(*, seed: int, size: str = "default", stdout=None, now: dt.datetime | None = None) -> dict:
    say = (lambda m: stdout.write(m + "\n")) if stdout is not None else (lambda m: None)
    if ExpertAssessment.objects.exists():
        say("三方评价：已存在，跳过")
        return {"assessments": 0, "skipped": True}
    profiles = {
        p.user.username: p
        for p in StaffProfile.objects.filter(
            user__username__in=["admin", "inspector", "supervisor"]
        ).select_related("user", "unit")
    }
    admin = profiles.get("admin")
    halls = list(Hall.objects.filter(active=True).select_related("unit").order_by("code"))
    if admin is None or not halls:
        return {"assessments": 0}
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today.replace(day=1) - dt.timedelta(days=400)
    rnd = random.Random(seed + 1616)
    experts = []
    for username in ("inspector", "supervisor"):
        p = profiles.get(username)
        if p is None:
            continue
        if not ExpertAppointment.objects.filter(user=p.user).exists():
            services.expert_appoint(
                actor=admin.user, user=p.user, unit=p.unit, valid_from=start, note="市公司行风评议专家"
            )
        experts.append(p)
    county = next((h.unit for h in halls if h.unit.kind == UnitKind.COUNTY), None)
    if county is not None:
        local = (
            StaffProfile.objects.filter(role=Role.SUPERVISOR, unit=county, user__is_active=True)
            .select_related("user", "unit")
            .order_by("user__username")
            .first()
        )
        if local is not None and local.user.username not in profiles:
            services.expert_appoint(
                actor=admin.user, user=local.user, unit=county, valid_from=start, note="县公司评价专家"
            )
            experts.append(local)
    if not experts:
        return {"assessments": 0}
    from gridcare.evaluation.selectors import checklist

    items = [i.code for i in checklist()]
    weak = county if county is not None else halls[-1].unit
    count = 0
    for hall in halls:
        covering = [e for e in experts if hall.unit_path.startswith(e.unit.path)]
        is_weak = hall.unit_id == weak.pk
        for month in _months(today):
            for expert in covering[:2]:
                base = 72 if is_weak else 88
                drift = (month.month % 3) - 1  # a little movement month to month
                scores = {
                    code: max(
                        40,
                        min(
                            100,
                            base + drift + rnd.randint(-5, 5) + (WEAK_ITEMS.get(code, 0) if is_weak else 0),
                        ),
                    )
                    for code in items
                }
                services.assessment_save(
                    actor=expert.user,
                    hall=hall,
                    scores=scores,
                    period=month,
                    expert=expert.user,
                    note=rnd.choice(NOTES_WEAK if is_weak else NOTES_GOOD),
                    now=now,
                )
                count += 1
    say(f"三方评价：专家 {len(experts)} 名，专家评价 {count} 份")
    return {
        "experts": len(experts),
        "assessments": count,
    }
