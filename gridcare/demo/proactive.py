"""Meter facts, potential demand and two care campaigns for the demo, through proactive's
services (or their pure helper for the bulk meter facts).

- **Meters**: one per customer (two for one non-residential customer in ten). Installation
  dates follow the smart-meter rollout: a fifth installed in the last 4 years, about
  half 4–8 years ago, the rest 8–15 years ago — so roughly a quarter are due for rotation
  under the default 8-year rule. Boxes: about 5 % worn, 1 % damaged.
- **Potential demand**: a few records per county (a new estate from the housing bureau,
  a factory from the development zone, a charging station from a customer manager's
  visit), some already confirmed.
- **Campaigns**: a field-task campaign over one area's care list, started, with a few tasks
  recorded; a notice campaign over a station of another county, left as a draft.

Deterministic from ``seed``; does nothing when meter facts exist.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gridcare.customers.models import Customer
from gridcare.grid.models import TransformerArea
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.proactive.choices import (
    BoxCondition,
    CampaignKind,
    CareList,
    DemandSource,
    DemandStatus,
    TargetStatus,
)
from gridcare.proactive.models import MeterFact
from gridcare.proactive.services import (
    campaign_create,
    campaign_launch,
    campaign_target_record,
    demand_create,
    meter_facts_write,
)

BATCH = 20_000
DEMANDS = [
    (
        DemandSource.GOVERNMENT,
        "住房和城乡建设局",
        "{town}新建安置小区（约 600 户）",
        2400,
        420,
        DemandStatus.EXPECTED,
    ),
    (DemandSource.PARK, "经济开发区管委会", "{town}工业园区新增标准厂房", 3150, 300, DemandStatus.CONFIRMED),
    (DemandSource.MANAGER_VISIT, "", "{town}公交场站电动汽车充电站", 800, 150, DemandStatus.EXPECTED),
    (DemandSource.ENTERPRISE, "冷链物流公司", "{town}冷库扩建", 1250, 240, DemandStatus.EXPECTED),
]


def _install_day(rnd: random.Random, today: dt.date) -> dt.date:
    r = rnd.random()
    if r < 0.2:
        days = rnd.randint(30, 4 * 365)
    elif r < 0.72:
        days = rnd.randint(4 * 365, 8 * 365 - 10)
    else:
        days = rnd.randint(8 * 365 + 10, 15 * 365)
    return today - dt.timedelta(days=days)


def _box(rnd: random.Random, day: dt.date, today: dt.date) -> str:
    r = rnd.random() * (1.6 if (today - day).days > 8 * 365 else 0.8)
    if r < 0.01:
        return BoxCondition.DAMAGED
    if r < 0.06:
        return BoxCondition.WORN
    return BoxCondition.GOOD


def seed_proactive(*, seed: int, stdout=None, now: dt.datetime | None = None) -> dict:
    say = (lambda m: stdout.write(m + "\n")) if stdout is not None else (lambda m: None)
    if MeterFact.objects.exists():
        say("电能表档案：已存在，跳过")
        return {"meters": 0, "skipped": True}
    rnd = random.Random(seed + 808)
    now = now or timezone.now()
    today = timezone.localdate(now)
    meters = 0
    with transaction.atomic():
        rows = []
        for cid, no, category in Customer.objects.order_by("pk").values_list("pk", "customer_no", "category"):
            count = 2 if category != "residential" and rnd.random() < 0.1 else 1
            for k in range(count):
                day = _install_day(rnd, today)
                rows.append((cid, f"M{no}{k + 1}", day, _box(rnd, day, today)))
            if len(rows) >= BATCH:
                meter_facts_write(new_rows=rows, updates=[])
                meters += len(rows)
                rows = []
        meter_facts_write(new_rows=rows, updates=[])
        meters += len(rows)
    say(f"电能表档案：{meters} 只")
    admin = StaffProfile.objects.filter(role=Role.ADMIN).select_related("user").order_by("pk").first()
    if admin is None:
        return {"meters": meters}
    actor = admin.user
    demands = _demands(actor, rnd, today)
    campaigns = _campaigns(actor, today)
    say(f"潜在用电需求：{demands} 条；主动服务活动：{campaigns} 个")
    return {"meters": meters, "demands": demands, "campaigns": campaigns}


def _demands(actor, rnd: random.Random, today: dt.date) -> int:
    n = 0
    counties = OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("code")
    for ci, county in enumerate(counties):
        stations = list(OrgUnit.objects.filter(kind=UnitKind.STATION, parent=county).order_by("code")[:2])
        for si, station in enumerate(stations):
            source, detail, title, kw, days, status = DEMANDS[(ci + si) % len(DEMANDS)]
            area = TransformerArea.objects.filter(station=station).order_by("code").first()
            town = station.name.removesuffix("供电所")
            demand_create(
                actor=actor,
                data={
                    "source": source,
                    "source_detail": detail,
                    "title": title.format(town=town),
                    "station": station,
                    "area": area,
                    "location": f"{town}镇{area.name.removeprefix(town).split('号台区')[0].rstrip('0123456789')}附近"
                    if area
                    else f"{town}镇",
                    "expected_kw": Decimal(kw + rnd.randint(0, 4) * 50),
                    "expected_date": today + dt.timedelta(days=days + rnd.randint(0, 60)),
                    "status": status,
                    "note": "",
                },
            )
            n += 1
    return n


def _campaigns(actor, today: dt.date) -> int:
    counties = list(OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("code")[:2])
    made = 0
    if counties:
        station = OrgUnit.objects.filter(kind=UnitKind.STATION, parent=counties[0]).order_by("code").first()
        area = (
            TransformerArea.objects.filter(
                station=station, customers__meter_facts__box_condition__in=["worn", "damaged"]
            )
            .order_by("code")
            .first()
        )
        if area is not None:
            c = campaign_create(
                actor=actor,
                name=f"{area.name}表箱更换",
                kind=CampaignKind.FIELD_TASK,
                care_list=CareList.ANY,
                area=area,
                today=today,
            )
            c = campaign_launch(actor=actor, campaign=c)
            for i, t in enumerate(c.targets.select_related("campaign", "customer").order_by("pk")[:3]):
                if i == 2:
                    campaign_target_record(
                        actor=actor, target=t, outcome=TargetStatus.FAILED, note="客户不在家，已约下周"
                    )
                else:
                    campaign_target_record(actor=actor, target=t, outcome=TargetStatus.DONE, note="已更换")
            made += 1
    if len(counties) > 1:
        station = OrgUnit.objects.filter(kind=UnitKind.STATION, parent=counties[1]).order_by("code").first()
        if station is not None:
            campaign_create(
                actor=actor,
                name=f"{station.name}电能表轮换告知",
                kind=CampaignKind.NOTICE,
                care_list=CareList.ROTATION,
                station=station,
                today=today,
            )
            made += 1
    return made
