"""Test data for hotspots and reports: areas, customers and orders written in bulk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gridcare.customers.models import Customer
from gridcare.grid.models import Feeder, Substation, TransformerArea
from gridcare.workorders.models import WorkOrder

SEQ = {"n": 0}


def make_areas(station, count: int, customers: list[int], *, area_class="urban", prefix="HA", capacity=400):
    sub, _ = Substation.objects.get_or_create(name=f"{prefix}变电站")
    feeders = [
        Feeder.objects.create(code=f"{prefix}F{i}", name=f"10kV{prefix}{i}线", substation=sub)
        for i in range(max(1, count // 10))
    ]
    areas = TransformerArea.objects.bulk_create(
        [
            TransformerArea(
                code=f"{prefix}{i:04d}",
                name=f"{prefix}{i}号台区",
                feeder=feeders[i % len(feeders)],
                station=station,
                capacity_kva=Decimal(capacity),
                area_class=area_class,
                latitude=Decimal("32.3") + Decimal(i % 20) / 100,
                longitude=Decimal("119.4") + Decimal(i // 20) / 100,
            )
            for i in range(count)
        ]
    )
    rows = []
    for area, n in zip(areas, customers, strict=True):
        for _ in range(n):
            SEQ["n"] += 1
            rows.append(
                Customer(
                    customer_no=f"9{SEQ['n']:09d}",
                    name="测试户",
                    address="测试地址",
                    area=area,
                    station=station,
                    category="residential",
                    tariff="居民生活用电",
                    voltage_kv=Decimal("0.22"),
                    capacity_kva=Decimal("8"),
                )
            )
    Customer.objects.bulk_create(rows, batch_size=5000)
    return areas


def make_orders(
    area, n: int, *, request_type="fault_repair", dimension="supply_reliability", start, end, text="停电了"
):
    span = (end - start).total_seconds()
    orders = []
    for i in range(n):
        SEQ["n"] += 1
        at = start + dt.timedelta(seconds=span * (i + 0.5) / max(n, 1))
        orders.append(
            WorkOrder(
                order_no=f"T{SEQ['n']:010d}",
                channel="hotline",
                request_type=request_type,
                dimension=dimension,
                description=f"{text}{i}",
                area=area,
                feeder_id=area.feeder_id,
                area_class=area.area_class,
                unit_id=area.station_id,
                unit_path=area.station.path,
                accepted_unit_id=area.station_id,
                accepted_path=area.station.path,
                created_at=at,
                status="archived",
                closed_at=at + dt.timedelta(hours=3),
                satisfied=True,
            )
        )
    return orders


def now():
    return timezone.now().replace(microsecond=0)
