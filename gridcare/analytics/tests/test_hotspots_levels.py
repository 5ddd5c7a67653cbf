"""Hotspots planted at transformer-area, feeder and station level are found; decoys are not.

A small company on the database: eight supply stations in two counties, four feeders each,
six areas per feeder (30–60 customers), two dimensions with a year of history. Planted for
the last 90 days: one area at 6× (supply reliability), one feeder at 4× (supply safety, on
every one of its areas), one station at 2.5× (supply reliability, on every area). Decoys: a
huge area (ten times the customers) at the normal rate, an area and a feeder whose bursts
ended months ago. (bench/hotspots.py measures recall against an oracle at scale.)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from gridcare.analytics.hotspots import compute_hotspots
from gridcare.customers.models import Customer
from gridcare.grid.models import Feeder, Substation, TransformerArea
from gridcare.org.choices import UnitKind
from gridcare.org.tests.factories import OrgUnitFactory
from gridcare.workorders.models import WorkOrder

from .insight_data import SEQ, make_orders, now

RATES = {"supply_reliability": 0.05, "supply_safety": 0.02}  # per customer per 90 days


def _company(world, rng):
    sub = Substation.objects.create(name="测试变电站")
    stations, feeders, areas, customers = [], [], [], []
    for s in range(8):
        county = world.county_a if s < 4 else world.county_b
        station = OrgUnitFactory(
            code=f"{county.code}9{s}",
            name=f"测试{s}供电所",
            kind=UnitKind.STATION,
            parent=county,
            area_class="urban",
        )
        stations.append(station)
        for f in range(4):
            feeder = Feeder.objects.create(code=f"LF{s}{f}", name=f"10kV测试{s}{f}线", substation=sub)
            feeders.append(feeder)
            for a in range(6):
                areas.append(
                    TransformerArea(
                        code=f"LA{s}{f}{a}",
                        name=f"测试{s}{f}{a}台区",
                        feeder=feeder,
                        station=station,
                        capacity_kva=Decimal(400),
                        area_class="urban",
                    )
                )
    areas = TransformerArea.objects.bulk_create(areas)
    sizes = [int(x) for x in rng.integers(30, 60, len(areas))]
    sizes[1] *= 10  # the huge area
    for area, n in zip(areas, sizes, strict=True):
        for _ in range(n):
            SEQ["n"] += 1
            customers.append(
                Customer(
                    customer_no=f"8{SEQ['n']:09d}",
                    name="测试户",
                    address="测试地址",
                    area=area,
                    station=area.station,
                    category="residential",
                    tariff="居民生活用电",
                    voltage_kv=Decimal("0.22"),
                    capacity_kva=Decimal("8"),
                )
            )
    Customer.objects.bulk_create(customers, batch_size=5000)
    return stations, feeders, areas, sizes


@pytest.fixture
def planted(world):
    rng = np.random.default_rng(11)
    stations, feeders, areas, sizes = _company(world, rng)
    end = now()
    planted_area, huge, burst_area = areas[7], areas[1], areas[30]
    planted_feeder, burst_feeder = feeders[9], feeders[20]
    planted_station = stations[5]
    orders = []
    for w in range(5):  # w = 0: the last 90 days; 1–4: the year before
        start, stop = end - dt.timedelta(days=90 * (w + 1)), end - dt.timedelta(days=90 * w)
        for area, n in zip(areas, sizes, strict=True):
            for dim, rate in RATES.items():
                mult = 1.0
                if w == 0 and area.pk == planted_area.pk and dim == "supply_reliability":
                    mult = 6.0
                if w == 0 and area.feeder_id == planted_feeder.pk and dim == "supply_safety":
                    mult = 4.0
                if w == 0 and area.station_id == planted_station.pk and dim == "supply_reliability":
                    mult = 2.5
                if w == 2 and area.pk == burst_area.pk and dim == "supply_reliability":
                    mult = 6.0
                if w == 2 and area.feeder_id == burst_feeder.pk and dim == "supply_safety":
                    mult = 4.0
                count = int(rng.poisson(n * rate * mult))
                orders += make_orders(area, count, dimension=dim, start=start, end=stop)
    WorkOrder.objects.bulk_create(orders, batch_size=5000)
    as_of = end + dt.timedelta(seconds=1)
    return {
        "as_of": as_of,
        "area": planted_area,
        "huge": huge,
        "burst_area": burst_area,
        "feeder": planted_feeder,
        "burst_feeder": burst_feeder,
        "station": planted_station,
        "station_areas": {a.pk for a in areas if a.station_id == planted_station.pk},
        "feeder_areas": {a.pk for a in areas if a.feeder_id == planted_feeder.pk},
    }


def _found(level, as_of):
    run = compute_hotspots(level=level, days=90, as_of=as_of, samples=0)
    return run, {(h["asset_id"], h["dimension"]) for h in run.hotspots}


def test_planted_hotspots_are_found_at_every_level_and_decoys_are_not(planted):
    as_of = planted["as_of"]
    run, found = _found("area", as_of)
    assert (planted["area"].pk, "supply_reliability") in found
    assert not {(planted["huge"].pk, d) for d in RATES} & found
    assert not {(planted["burst_area"].pk, d) for d in RATES} & found
    # Nothing is found outside what was planted (the planted feeder's and station's areas
    # are truly raised too).
    raised = planted["station_areas"] | planted["feeder_areas"] | {planted["area"].pk}
    assert {pk for pk, _d in found} <= raised
    assert run.tested >= 2 * 190

    _run, found = _found("feeder", as_of)
    assert (planted["feeder"].pk, "supply_safety") in found
    assert not {(planted["burst_feeder"].pk, d) for d in RATES} & found

    _run, found = _found("station", as_of)
    assert (planted["station"].pk, "supply_reliability") in found
    feeder_station = TransformerArea.objects.filter(feeder=planted["feeder"]).values_list(
        "station_id", flat=True
    )[0]
    assert {pk for pk, _d in found} <= {planted["station"].pk, feeder_station}


def test_a_quiet_company_has_no_hotspot_and_says_how_much_it_tested(planted):
    """A year back, before anything was planted, nothing is a hotspot, yet every asset
    and dimension was tested (the page explains an empty list with that count)."""
    run = compute_hotspots(level="area", days=90, as_of=planted["as_of"] - dt.timedelta(days=95), samples=0)
    assert run.hotspots == []
    assert run.tested >= 2 * 190
