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

import csv
import datetime as dt
import json
import math
import statistics
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from gridcare.customers.models import Customer
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind, OutageStatus
from gridcare.outages.models import Outage, OutageCustomer, OutageSetting
from gridcare.outages.reliability import major_event_days, reliability, short_interruption_minutes
from gridcare.outages.services import outage_create, outage_restore

from .factories import TZ, at, feeder_with_areas

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


# ------------------------------------------------------------ the threshold setting


def _set_threshold(minutes: int) -> None:
    OutageSetting.objects.update_or_create(
        key=OutageSetting.SHORT_INTERRUPTION_MINUTES, defaults={"value": minutes}
    )


def test_the_threshold_is_read_from_the_setting(world, history):
    march = {"start": date(2025, 3, 1), "end": date(2025, 3, 31), "level": "station"}
    assert short_interruption_minutes() == 3  # seeded by the migration
    assert by_code(reliability(**march))[world.station_a.code].customer_interruptions == 20
    _set_threshold(0)  # the 2-minute blip now counts
    r = by_code(reliability(**march))[world.station_a.code]
    assert (r.customer_interruptions, r.customer_minutes, r.interruptions) == (24, 1688, 4)
    _set_threshold(61)  # the 60-minute fault of the 5th no longer counts
    r = by_code(reliability(**march))[world.station_a.code]
    assert (r.customer_interruptions, r.customer_minutes) == (14, 1320)
    # The parameter still wins over the setting; the CLI reads the setting by default.
    assert (
        by_code(reliability(threshold_minutes=3, **march))[world.station_a.code].customer_interruptions == 20
    )
    out = StringIO()
    call_command("reliability", "--start", "2025-03-01", "--end", "2025-03-31", stdout=out)
    row = next(r for r in json.loads(out.getvalue()) if r["code"] == world.station_a.code)
    assert row["customer_interruptions"] == 14


# ---------------------------------------------------------------------------- RS-3


def test_rs3_leaves_out_ordered_supply_restriction(world, history):
    """An ordered outage (有序用电), area 1, March 15th 14:00-16:00: 6 x 120 = 720
    customer-minutes. RS-1 counts them: CM = 1,680 + 720 = 2,400; RS-3 does not: 1,680."""
    _feeder, a1, _a2 = history
    d = world.staff(Role.DISPATCHER, world.county_a)
    o = outage_create(actor=d, kind=OutageKind.ORDERED, areas=[a1], cause="限电", started_at=at(15, 14))
    outage_restore(actor=d, outage=o, at=at(15, 16))
    r = by_code(reliability(start=date(2025, 3, 1), end=date(2025, 3, 31), level="station"))[
        world.station_a.code
    ]
    assert (r.customer_interruptions, r.customer_minutes) == (26, 2400)
    assert r.rs3_customer_minutes == 1680
    assert r.asai == pytest.approx(1 - 2400 / (10 * 44640))
    assert r.asai_rs3 == pytest.approx(1 - 1680 / (10 * 44640))
    assert r.asai_rs3 > r.asai
    out = StringIO()
    call_command("reliability", "--start", "2025-03-01", "--end", "2025-03-31", "--format", "csv", stdout=out)
    table = list(csv.DictReader(StringIO(out.getvalue())))
    row = next(t for t in table if t["code"] == world.station_a.code)
    assert float(row["rs3_customer_minutes"]) == 1680
    assert float(row["asai_rs3"]) == pytest.approx(1 - 1680 / (10 * 44640))


def test_rs3_equals_rs1_without_ordered_outages(world, history):
    r = by_code(reliability(start=date(2025, 3, 1), end=date(2025, 3, 31), level="station"))[
        world.station_a.code
    ]
    assert r.rs3_customer_minutes == r.customer_minutes == 1680
    assert r.asai_rs3 == r.asai


# --------------------------------------------------------------- major event days

# Four customers, the whole system. The period is March 2025; its five years of history
# start on 2020-03-01. (day, customers out, minutes) of each interruption of the history:
# daily SAIDI = customers x minutes / 4.
MED_HISTORY = [
    (date(2020, 3, 1), 4, 15),  # 15
    (date(2020, 8, 12), 2, 90),  # 45
    (date(2021, 1, 5), 4, 30),  # 30
    (date(2021, 6, 30), 1, 40),  # 10
    (date(2022, 2, 14), 4, 60),  # 60
    (date(2022, 9, 9), 2, 40),  # 20
    (date(2023, 4, 1), 4, 90),  # 90
    (date(2023, 11, 20), 3, 32),  # 24
    (date(2024, 7, 7), 4, 25),  # 25
    (date(2025, 2, 28), 2, 70),  # 35, the last day of the history
]
HUGE_DAY, NORMAL_DAY = date(2025, 3, 10), date(2025, 3, 20)
MARCH = {"start": date(2025, 3, 1), "end": date(2025, 3, 31)}


def _interrupt(area, day: date, customers: int, minutes: float, *, hour: int = 8, kind=OutageKind.FAULT):
    """One restored outage of ``customers`` of ``area`` starting ``day`` at ``hour``."""
    began = dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)
    ended = began + dt.timedelta(minutes=minutes)
    outage = Outage.objects.create(
        outage_no=f"MED-{day:%Y%m%d}-{hour:02d}-{Outage.objects.count()}",
        kind=kind,
        status=OutageStatus.RESTORED,
        started_at=began,
        restored_at=ended,
        unit_path=area.station.path,
    )
    OutageCustomer.objects.bulk_create(
        OutageCustomer(outage=outage, customer=c, area=area, started_at=began, restored_at=ended)
        for c in Customer.objects.filter(area=area).order_by("pk")[:customers]
    )


@pytest.fixture
def five_years(world):
    _feeder, (area,) = feeder_with_areas(world.station_a, [4])
    for day, n, minutes in MED_HISTORY:
        _interrupt(area, day, n, minutes)
    # Accrued to the day it began: 23:00 on 2024-12-31 for 120 minutes (2 x 120 / 4 = 60).
    _interrupt(area, date(2024, 12, 31), 2, 120, hour=23)
    # Local days: 01:00 on 2023-04-02 is still April 1st in UTC (4 x 20 / 4 = 20, a day of its own).
    _interrupt(area, date(2023, 4, 2), 4, 20, hour=1)
    # A 2-minute blip is no interruption: its day stays out of the fit.
    _interrupt(area, date(2022, 5, 5), 4, 2)
    # Before the five years: not in the fit.
    _interrupt(area, date(2019, 5, 5), 4, 600)
    # The period: a huge day (4 x 2,000 / 4 = 2,000) and a normal one (2 x 60 / 4 = 30).
    _interrupt(area, HUGE_DAY, 4, 2000)
    _interrupt(area, NORMAL_DAY, 2, 60)
    return area


def _hand_threshold():
    saidi = [n * minutes / 4 for _day, n, minutes in MED_HISTORY] + [2 * 120 / 4, 4 * 20 / 4]
    logs = [math.log(v) for v in saidi]
    alpha, beta = statistics.mean(logs), statistics.stdev(logs)
    return alpha, beta, math.exp(alpha + 2.5 * beta), len(saidi)


def test_major_event_days_agree_with_a_hand_calculation(world, five_years, django_assert_num_queries):
    alpha, beta, t_med, n = _hand_threshold()
    assert 30 < t_med < 2000  # the numbers make the test meaningful
    with django_assert_num_queries(4):  # setting, customers, earliest, the grouped days
        med = major_event_days(**MARCH)
    assert med.computed and med.reason == ""
    assert med.history_start == date(2020, 3, 1) and med.customers == 4
    assert med.fit_days == n == 12
    assert med.alpha == pytest.approx(alpha)
    assert med.beta == pytest.approx(beta)
    assert med.t_med_minutes == pytest.approx(t_med)
    assert med.days == [(HUGE_DAY, pytest.approx(2000.0))]  # the normal day is no MED


def test_figures_without_major_event_days(world, five_years):
    med = major_event_days(**MARCH)
    company = by_code(reliability(level="company", major_events=med, **MARCH))[world.company.code]
    # March: 4 + 2 = 6 customer interruptions, 8,000 + 120 = 8,120 customer-minutes.
    assert (company.saifi, company.saidi_minutes) == (pytest.approx(1.5), pytest.approx(2030.0))
    assert company.med_days == 1 and company.t_med_minutes == pytest.approx(med.t_med_minutes)
    assert company.saifi_excl_med == pytest.approx(0.5)
    assert company.saidi_minutes_excl_med == pytest.approx(30.0)
    # Without a computed result the figures say so.
    plain = by_code(reliability(level="company", **MARCH))[world.company.code]
    assert (plain.med_days, plain.saifi_excl_med, plain.saidi_minutes_excl_med) == (None, None, None)
    with pytest.raises(ValueError):
        reliability(level="company", major_events=med, start=date(2025, 3, 1), end=date(2025, 3, 30))


def test_cli_rows_carry_the_major_event_day_fields(world, five_years):
    out = StringIO()
    call_command(
        "reliability", "--start", "2025-03-01", "--end", "2025-03-31", "--level", "company", stdout=out
    )
    rows = json.loads(out.getvalue())
    assert isinstance(rows, list) and all(REQUIRED <= set(r) for r in rows)
    row = next(r for r in rows if r["code"] == world.company.code)
    assert row["med_days"] == 1
    assert row["t_med_minutes"] == pytest.approx(_hand_threshold()[2])
    assert row["saidi_minutes_excl_med"] == pytest.approx(30.0)
    assert row["saifi_excl_med"] == pytest.approx(0.5)


def test_under_five_years_of_history_is_not_computed(world):
    _feeder, (area,) = feeder_with_areas(world.station_a, [4])
    # One day short: the history starts on 2020-03-02, the method needs 2020-03-01.
    _interrupt(area, date(2020, 3, 2), 4, 60)
    _interrupt(area, date(2022, 3, 2), 4, 30)
    _interrupt(area, HUGE_DAY, 4, 2000)
    med = major_event_days(**MARCH)
    assert not med.computed and med.reason == "history"
    assert (med.history_days, med.history_days_needed) == (1825, 1826)
    assert med.t_med_minutes is None and med.days == []
    row = by_code(reliability(level="company", major_events=med, **MARCH))[world.company.code]
    assert row.med_days is None and row.saidi_minutes_excl_med is None
    OutageCustomer.objects.all().delete()
    nothing = major_event_days(**MARCH)
    assert (nothing.computed, nothing.reason, nothing.history_days) == (False, "history", 0)


def test_too_few_days_to_fit_is_not_computed(world):
    _feeder, (area,) = feeder_with_areas(world.station_a, [4])
    # Exactly five years (the earliest interruption on the first day of the history), but
    # only one day with interruptions: no standard deviation.
    _interrupt(area, date(2020, 3, 1), 4, 60)
    med = major_event_days(**MARCH)
    assert (med.computed, med.reason, med.fit_days) == (False, "sample", 1)
    assert med.history_days == med.history_days_needed == 1826


# ----------------------------------------------------------------------------- page


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(user, url):
    return _client(user).get(url)


MARCH_PAGE = "/outages/reliability/?start=2025-03-01&end=2025-03-31&level=station"


def test_the_page_shows_rs3_and_the_major_event_days(world, five_years, django_assert_max_num_queries):
    client = _client(world.staff(Role.SUPERVISOR, world.company))
    with django_assert_max_num_queries(20):  # the five years read in one grouped query
        r = client.get(MARCH_PAGE)
    assert r.status_code == 200
    html = r.content.decode()
    assert "ASAI（RS-3）" in html and "短于 3 分钟" in html
    assert 'id="major-event-days"' in html
    t_med = _hand_threshold()[2]
    assert f"{t_med:.2f}" in html
    assert "2025-03-10" in html and "2000.00" in html  # the MED and its daily SAIDI
    assert "2025-03-20" not in html  # a normal day
    company = r.context["company_rows"]
    assert [c.code for c in company] == [world.company.code]
    assert company[0].saidi_minutes_excl_med == pytest.approx(30.0)
    assert "30.00" in html


def test_the_page_reads_the_threshold_setting(world, five_years):
    _set_threshold(10)
    html = _get(world.staff(Role.SUPERVISOR, world.company), MARCH_PAGE).content.decode()
    assert "短于 10 分钟" in html


def test_the_page_says_when_history_is_short(world):
    _feeder, (area,) = feeder_with_areas(world.station_a, [4])
    _interrupt(area, date(2020, 3, 2), 4, 60)
    html = _get(world.staff(Role.SUPERVISOR, world.company), MARCH_PAGE).content.decode()
    assert 'id="major-event-days"' in html
    assert "目前只有 1825 天" in html and "1826 天" in html


def test_the_major_event_days_need_the_whole_system_in_view(world, five_years):
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    r = _get(dispatcher, MARCH_PAGE)
    html = r.content.decode()
    assert r.status_code == 200 and "ASAI（RS-3）" in html
    assert world.station_a.code in html  # its own rows
    assert 'id="major-event-days"' not in html and r.context["med"] is None
