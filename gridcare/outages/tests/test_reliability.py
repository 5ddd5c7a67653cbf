"""The figures agree with a hand calculation.

Station A: feeder F with area 1 (6 customers) and area 2 (4 customers): 10 customers.
March 2025: 31 days = 44,640 minutes.

* fault, area 1, 05 10:00-11:00: 6 customers x 60 min = 360 customer-minutes, 6 interruptions
* planned, feeder F, 10 08:00; area 2 back 09:30, area 1 back 10:00:
  4 x 90 + 6 x 120 = 1,080 customer-minutes, 10 interruptions
* fault, area 2, 20 12:00-12:02: a 2-minute blip, excluded (< 3 minutes)
* fault, area 2, 31 23:00 - April 1st 01:00: counted in March (it started then),
  60 of its 120 minutes in March: 4 x 60 = 240 customer-minutes, 4 interruptions

March: CI = 6 + 10 + 4 = 20, CM = 360 + 1,080 + 240 = 1,680
SAIFI = 20 / 10 = 2.0; SAIDI = 1,680 / 10 = 168 min; CAIDI = 168 / 2 = 84 min;
ASAI = 1 - 1,680 / (10 x 44,640).
"""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind
from gridcare.outages.reliability import reliability
from gridcare.outages.services import outage_create, outage_restore

from .factories import at, feeder_with_areas

REQUIRED = {
    "level",
    "code",
    "name",
    "customers",
    "interruptions",
    "customer_interruptions",
    "customer_minutes",
    "saifi",
    "saidi_minutes",
    "caidi_minutes",
    "asai",
    "planned_customer_interruptions",
    "planned_customer_minutes",
    "unplanned_customer_interruptions",
    "unplanned_customer_minutes",
}


@pytest.fixture
def history(world):
    d = world.staff(Role.DISPATCHER, world.county_a)
    feeder, (a1, a2) = feeder_with_areas(world.station_a, [6, 4])
    o1 = outage_create(actor=d, kind=OutageKind.FAULT, areas=[a1], cause="跳闸", started_at=at(5, 10))
    outage_restore(actor=d, outage=o1, at=at(5, 11))
    o2 = outage_create(actor=d, kind=OutageKind.PLANNED, feeders=[feeder], cause="检修", started_at=at(10, 8))
    outage_restore(actor=d, outage=o2, areas=[a2], at=at(10, 9, 30))
    outage_restore(actor=d, outage=o2, at=at(10, 10))
    blip = outage_create(actor=d, kind=OutageKind.FAULT, areas=[a2], cause="瞬时故障", started_at=at(20, 12))
    outage_restore(actor=d, outage=blip, at=at(20, 12, 2))
    o4 = outage_create(actor=d, kind=OutageKind.FAULT, areas=[a2], cause="跳闸", started_at=at(31, 23))
    outage_restore(actor=d, outage=o4, at=at(1, 1, month=4))
    return feeder, a1, a2


def by_code(rows):
    return {r.code: r for r in rows}


def test_station_figures_agree_with_a_hand_calculation(world, history):
    r = by_code(reliability(start=date(2025, 3, 1), end=date(2025, 3, 31), level="station"))[
        world.station_a.code
    ]
    assert r.customers == 10
    assert r.interruptions == 3
    assert r.customer_interruptions == 20
    assert r.customer_minutes == 1680
    assert r.planned_customer_interruptions == 10 and r.planned_customer_minutes == 1080
    assert r.unplanned_customer_interruptions == 10 and r.unplanned_customer_minutes == 600
    assert r.saifi == pytest.approx(2.0)
    assert r.saidi_minutes == pytest.approx(168.0)
    assert r.caidi_minutes == pytest.approx(84.0)
    assert r.asai == pytest.approx(1 - 1680 / (10 * 44640))


def test_every_level_rolls_up_the_same_customers(world, history):
    feeder, a1, a2 = history
    march = {"start": date(2025, 3, 1), "end": date(2025, 3, 31)}
    areas = by_code(reliability(level="area", **march))
    assert (areas[a1.code].customers, areas[a1.code].customer_interruptions) == (6, 12)
    assert areas[a1.code].customer_minutes == 360 + 720
    assert areas[a1.code].saidi_minutes == pytest.approx(180.0)
    assert (areas[a2.code].customer_interruptions, areas[a2.code].customer_minutes) == (8, 600)
    assert world.area_b.code not in areas  # no customers, no interruptions: not listed
    for level, code in (
        ("feeder", feeder.code),
        ("county", world.county_a.code),
        ("company", world.company.code),
    ):
        r = by_code(reliability(level=level, **march))[code]
        assert (r.customers, r.customer_interruptions, r.customer_minutes) == (10, 20, 1680), level


def test_interruptions_are_clipped_to_the_period(world, history):
    april = by_code(reliability(start=date(2025, 4, 1), end=date(2025, 4, 30), level="station"))
    r = april[world.station_a.code]
    # The outage of March 31st gives its April minutes but is counted in March.
    assert (r.customer_interruptions, r.customer_minutes) == (0, 240)
    assert r.caidi_minutes is None
    one_day = by_code(reliability(start=date(2025, 3, 10), end=date(2025, 3, 10), level="station"))
    assert one_day[world.station_a.code].saidi_minutes == pytest.approx(108.0)
    assert one_day[world.station_a.code].asai == pytest.approx(1 - 1080 / (10 * 1440))


def test_the_short_interruption_threshold_is_a_parameter(world, history):
    r = by_code(
        reliability(start=date(2025, 3, 1), end=date(2025, 3, 31), level="station", threshold_minutes=0)
    )[world.station_a.code]
    assert (r.customer_interruptions, r.customer_minutes, r.interruptions) == (24, 1688, 4)


def test_cli_json_has_the_required_keys(world, history):
    out = StringIO()
    call_command(
        "reliability", "--start", "2025-03-01", "--end", "2025-03-31", "--level", "station", stdout=out
    )
    rows = json.loads(out.getvalue())
    assert rows and all(REQUIRED <= set(r) for r in rows)
    row = next(r for r in rows if r["code"] == world.station_a.code)
    assert row["level"] == "station" and row["saifi"] == pytest.approx(2.0)


def test_cli_csv(world, history):
    out = StringIO()
    call_command(
        "reliability",
        "--start",
        "2025-03-01",
        "--end",
        "2025-03-31",
        "--level",
        "feeder",
        "--format",
        "csv",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("level,code,name,customers")
    assert any(line.startswith(f"feeder,{history[0].code},") for line in lines[1:])
