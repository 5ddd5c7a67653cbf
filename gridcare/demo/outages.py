"""Outages for the demo, derived from the grid and the work-order history already seeded.

- **Storm faults**: every storm burst of fault reports (a master fault order with children,
  ``gridcare.demo.workorders``) was a feeder tripping: a fault outage of the master's feeder,
  out from a few minutes before the first report, restored after a realistic repair time
  (lognormal, 1–10 h), with the burst's master as the outage's master order.
- **Planned maintenance**: a few feeders a month, 08:00 for 4–8 hours, announced 8–14 days
  ahead (notice queued then); about one in eight announced too late (flagged ``notice_late``);
  a fifth are temporary maintenance (24 h lead, important customers only).
- **One fault in progress** when the demo starts, in the first county, estimated back in 2 h,
  written through ``outage_create`` (its customers are told through the outbox) so the demo
  logins see it at intake.

Affected customers and areas are bulk-inserted. Deterministic from ``seed``; does nothing
when outages exist.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from gridcare.core.calendar import local_tz
from gridcare.customers.models import Customer
from gridcare.grid.models import TransformerArea
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.outages.choices import OutageKind, OutageStatus
from gridcare.outages.models import Outage, OutageArea, OutageCustomer
from gridcare.outages.notices import NOTICE_LEAD
from gridcare.outages.services import common_path, outage_create
from gridcare.workorders.choices import RequestType
from gridcare.workorders.models import WorkOrder

BATCH = 5000
FAULT_CAUSES = [
    "雷击造成10kV线路跳闸",
    "大风导致树枝搭线",
    "暴雨致电缆分支箱进水",
    "配变低压熔丝熔断",
    "线路绝缘子击穿",
]
PLANNED_CAUSES = [
    "10kV线路检修",
    "配电变压器增容改造",
    "线路迁改配合市政工程",
    "开关柜例行试验",
    "老旧线路更换",
]


def seed_outages(*, seed: int, stdout=None, now: dt.datetime | None = None) -> dict:
    say = (lambda m: stdout.write(m + "\n")) if stdout is not None else (lambda m: None)
    if Outage.objects.exists():
        say("停电事件：已存在，跳过")
        return {"outages": 0, "skipped": True}
    rnd = random.Random(seed + 606)
    tz = local_tz()
    now = timezone.localtime(now or timezone.now(), tz).replace(microsecond=0)
    areas = {
        a["id"]: a
        for a in TransformerArea.objects.values("id", "code", "feeder_id", "station_id", "station__path")
    }
    if not areas:
        return {"outages": 0, "skipped": True}
    by_feeder: dict[int, list[int]] = defaultdict(list)
    for aid in sorted(areas):
        by_feeder[areas[aid]["feeder_id"]].append(aid)
    customers_of: dict[int, list[tuple[int, bool, bool]]] = defaultdict(list)
    for cid, aid, phone, phone2, important in Customer.objects.order_by("pk").values_list(
        "pk", "area_id", "phone", "phone2", "important"
    ):
        customers_of[aid].append((cid, bool(phone or phone2), important))

    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)  # feeder -> intervals
    numbers: dict[str, int] = defaultdict(int)
    plans: list[dict] = []

    def free(feeder: int, start: dt.datetime, end: dt.datetime) -> bool:
        return all(end <= s or e <= start for s, e in busy[feeder])

    def plan(feeder, kind, start, end, *, cause, eta=None, master=None, announced=None):
        busy[feeder].append((start - dt.timedelta(hours=1), end + dt.timedelta(hours=1)))
        day = f"{timezone.localtime(start, tz):%Y%m%d}"
        numbers[day] += 1
        plans.append(
            {
                "no": f"TD{day}{numbers[day]:04d}",
                "feeder": feeder,
                "kind": kind,
                "start": start,
                "end": end,
                "cause": cause,
                "eta": eta,
                "master": master,
                "announced": announced,
            }
        )

    # Storm faults: one per burst master, on the master's feeder.
    masters = (
        WorkOrder.objects.filter(
            request_type=RequestType.FAULT_REPAIR,
            master__isnull=True,
            children_count__gte=5,
            area__isnull=False,
        )
        .order_by("created_at", "pk")
        .values_list("pk", "created_at", "area_id")
    )
    for pk, created, aid in masters:
        feeder = areas[aid]["feeder_id"]
        start = created - dt.timedelta(minutes=rnd.randint(3, 20))
        hours = min(10.0, max(1.0, math.exp(rnd.gauss(math.log(3.0), 0.5))))
        end = start + dt.timedelta(hours=hours)
        if end >= now - dt.timedelta(hours=1) or not free(feeder, start, end):
            continue
        eta = start + dt.timedelta(hours=round(max(1.0, hours * rnd.uniform(0.6, 1.1))))
        plan(feeder, OutageKind.FAULT, start, end, cause=rnd.choice(FAULT_CAUSES), eta=eta, master=pk)
    faults = len(plans)

    # Planned and temporary maintenance over the year.
    feeders = sorted(by_feeder)
    for _ in range(max(12, len(feeders) // 4)):
        feeder = rnd.choice(feeders)
        day = (now - dt.timedelta(days=rnd.randint(3, 360))).date()
        start = dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz)
        end = start + dt.timedelta(hours=rnd.randint(4, 8))
        if not free(feeder, start, end):
            continue
        kind = OutageKind.TEMPORARY if rnd.random() < 0.2 else OutageKind.PLANNED
        late = rnd.random() < 0.12
        if kind == OutageKind.PLANNED:
            ahead = dt.timedelta(days=rnd.randint(2, 6)) if late else dt.timedelta(days=rnd.randint(8, 14))
        else:
            ahead = (
                dt.timedelta(hours=rnd.randint(6, 20)) if late else dt.timedelta(hours=rnd.randint(26, 72))
            )
        actual_end = end + dt.timedelta(minutes=rnd.randint(-40, 30))
        plan(feeder, kind, start, actual_end, cause=rnd.choice(PLANNED_CAUSES), announced=start - ahead)
        plans[-1]["planned_end"] = end

    plans.sort(key=lambda p: p["start"])
    with transaction.atomic():
        rows = []
        for p in plans:
            aids = by_feeder[p["feeder"]]
            audience = [c for aid in aids for c in customers_of[aid]]
            if p["kind"] == OutageKind.TEMPORARY:
                audience = [c for c in audience if c[2]]
            announced = p["announced"]
            rows.append(
                Outage(
                    outage_no=p["no"],
                    kind=p["kind"],
                    status=OutageStatus.RESTORED,
                    cause=p["cause"],
                    planned_start=p["start"] if announced else None,
                    planned_end=p.get("planned_end"),
                    started_at=p["start"],
                    restored_at=p["end"],
                    estimated_restoration=p["eta"],
                    # A fault is isolated about a third of the way to its restoration.
                    isolated_at=p["start"] + (p["end"] - p["start"]) * 0.3
                    if p["kind"] == OutageKind.FAULT
                    else None,
                    unit_path=common_path(areas[a]["station__path"] for a in aids),
                    version=3,
                    notice_sent_at=announced or p["start"] + dt.timedelta(minutes=rnd.randint(5, 15)),
                    notice_late=bool(announced and p["start"] - announced < NOTICE_LEAD[p["kind"]]),
                    notice_unreachable=sum(1 for c in audience if not c[1]),
                    master_order_id=p["master"],
                    created_at=announced or p["start"],
                    updated_at=p["end"],
                )
            )
        Outage.objects.bulk_create(rows, batch_size=1000)
        ids = dict(Outage.objects.values_list("outage_no", "pk"))
        area_rows, customer_rows = [], []
        n_customers = 0
        for p in plans:
            oid = ids[p["no"]]
            for aid in by_feeder[p["feeder"]]:
                area_rows.append(
                    OutageArea(outage_id=oid, area_id=aid, started_at=p["start"], restored_at=p["end"])
                )
                for cid, _phone, _imp in customers_of[aid]:
                    customer_rows.append(
                        OutageCustomer(
                            outage_id=oid,
                            customer_id=cid,
                            area_id=aid,
                            started_at=p["start"],
                            restored_at=p["end"],
                        )
                    )
                if len(customer_rows) >= BATCH:
                    OutageCustomer.objects.bulk_create(customer_rows)
                    n_customers += len(customer_rows)
                    customer_rows = []
        OutageArea.objects.bulk_create(area_rows, batch_size=BATCH)
        OutageCustomer.objects.bulk_create(customer_rows)
        n_customers += len(customer_rows)
    active = _seed_active_fault(rnd, now, by_feeder, areas)
    say(
        f"停电事件：{len(plans)} 起（故障 {faults} 起，计划/临时检修 {len(plans) - faults} 起，"
        f"通知不及时 {sum(1 for r in rows if r.notice_late)} 起，停电客户 {n_customers} 户次）"
        + (f"，当前停电 {active}" if active else "")
    )
    return {"outages": len(plans), "faults": faults, "customers": n_customers, "active": active}


def _seed_active_fault(rnd: random.Random, now: dt.datetime, by_feeder, areas) -> str:
    """One fault in progress in the first county, through the service (customers told)."""
    county = OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("code").first()
    if county is None:
        return ""
    dispatcher = (
        StaffProfile.objects.filter(
            role=Role.DISPATCHER, unit__path__startswith=county.path, user__is_active=True
        )
        .order_by("user__username")
        .select_related("user")
        .first()
    )
    feeders = [
        f for f, aids in sorted(by_feeder.items()) if areas[aids[0]]["station__path"].startswith(county.path)
    ]
    if dispatcher is None or not feeders:
        return ""
    feeder = rnd.choice(feeders)
    started = now - dt.timedelta(minutes=35)
    outage = outage_create(
        actor=dispatcher.user,
        kind=OutageKind.FAULT,
        areas=[areas[aid]["code"] for aid in by_feeder[feeder]],
        cause="10kV线路故障跳闸，抢修人员正在巡线",
        started_at=started,
        estimated_restoration=now + dt.timedelta(hours=2),
    )
    return outage.outage_no
