"""Outage evidence of hotspots and the planning feed: frequent-outage customers per asset and
the interruption figures of the window, on the page, in the CLI and in the planning feed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridcare.analytics.hotspots import compute_hotspots
from gridcare.analytics.outage_evidence import OUTAGE_FIELDS, window_days
from gridcare.analytics.planning import FREQUENT_OUTAGES, HOTSPOT, planning_feed
from gridcare.customers.models import Customer
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind, OutageStatus
from gridcare.outages.models import Outage, OutageCustomer, OutageSetting
from gridcare.workorders.models import WorkOrder

from .insight_data import make_areas, make_orders, now

_numbers = itertools.count(1)

HOT, FREQUENT, RARE, EXACTLY_N = 0, 5, 6, 7  # indexes of the areas the tests look at


def outage(area, customers, *, start, minutes=60):
    """One restored outage of ``area`` that cut ``customers`` for ``minutes``."""
    restored = start + dt.timedelta(minutes=minutes)
    event = Outage.objects.create(
        outage_no=f"OE{next(_numbers):06d}",
        kind=OutageKind.FAULT,
        status=OutageStatus.RESTORED,
        started_at=start,
        restored_at=restored,
        unit_path=area.station.path,
    )
    OutageCustomer.objects.bulk_create(
        OutageCustomer(outage=event, customer=c, area=area, started_at=start, restored_at=restored)
        for c in customers
    )


@pytest.fixture
def grid(world):
    """40 areas with four quarters of fault history, area HOT triples now (a hotspot); planted
    outages in the last two months: HOT's first three customers and FREQUENT's first two are
    out four times (frequent: more than 3), RARE's customers twice, EXACTLY_N's three times."""
    cache.clear()
    rng = np.random.default_rng(11)
    sizes = [int(s) for s in rng.integers(150, 300, 40)]
    areas = make_areas(world.station_a, 40, sizes, prefix="OE")
    end = now()
    orders = []
    for w in range(5):
        start, stop = end - dt.timedelta(days=90 * (w + 1)), end - dt.timedelta(days=90 * w)
        for i, area in enumerate(areas):
            lam = sizes[i] * 0.05 * (3.5 if (i == HOT and w == 0) else 1.0)
            orders += make_orders(area, int(rng.poisson(lam)), start=start, end=stop)
    WorkOrder.objects.bulk_create(orders, batch_size=2000)

    def first(i, n):
        return list(Customer.objects.filter(area=areas[i]).order_by("pk")[:n])

    for days in (5, 15, 25, 35):
        outage(areas[HOT], first(HOT, 3), start=end - dt.timedelta(days=days))
        outage(areas[FREQUENT], first(FREQUENT, 2), start=end - dt.timedelta(days=days))
    for days in (10, 20):
        outage(areas[RARE], first(RARE, 5), start=end - dt.timedelta(days=days), minutes=30)
    for days in (10, 20, 30):
        outage(areas[EXACTLY_N], first(EXACTLY_N, 1), start=end - dt.timedelta(days=days))
    return areas, end


def _set(key, value):
    OutageSetting.objects.update_or_create(key=key, defaults={"value": value})


def _run(end, **kw):
    return compute_hotspots(level="area", days=90, as_of=end + dt.timedelta(seconds=1), **kw)


def _frequent_items(feed):
    return {r["code"]: r for r in feed if FREQUENT_OUTAGES in r["reasons"]}


def test_hotspot_carries_its_outage_evidence(grid):
    areas, end = grid
    run = _run(end)
    hot = [h for h in run.hotspots if h["code"] == areas[HOT].code]
    assert hot, "the planted hotspot should be found"
    for h in hot:
        assert h["frequent_customers"] == 3
        assert h["interruptions"] == 4  # four outages
        assert h["customer_interruptions"] == 12  # three customers each
        assert h["customer_minutes"] == 720.0
    ev = run.outage_evidence
    assert ev[areas[FREQUENT].pk]["frequent_customers"] == 2
    assert ev[areas[RARE].pk] == {
        "frequent_customers": 0,
        "interruptions": 2,
        "customer_interruptions": 10,
        "customer_minutes": 300.0,
    }
    assert ev[areas[EXACTLY_N].pk]["frequent_customers"] == 0  # "more than N": exactly N is not
    assert ev[areas[EXACTLY_N].pk]["interruptions"] == 3
    assert run.outage_window.min_count == 3 and run.outage_window.months == 2


def test_planning_feed_merges_frequent_outages_with_hotspots(grid):
    areas, end = grid
    run = _run(end)
    feed = planning_feed(run)
    frequent = _frequent_items(feed)
    # The hotspot that also has frequent-outage customers: one item, both reasons.
    hot = frequent[areas[HOT].code]
    assert hot["reasons"] == [HOTSPOT, FREQUENT_OUTAGES]
    assert hot["count"] is not None and hot["q_value"] is not None
    assert "频繁停电" in hot["reasons_label"] and "频繁停电户 3 户" in hot["reason"]
    # An area with frequent-outage customers and no hotspot: an item of its own.
    own = frequent[areas[FREQUENT].code]
    assert own["reasons"] == [FREQUENT_OUTAGES]
    assert own["frequent_customers"] == 2 and own["interruptions"] == 4
    assert own["customer_interruptions"] == 8 and own["customer_minutes"] == 480.0
    assert own["action"] and own["dimension"] == "supply_reliability" and own["count"] is None
    assert own["rank"] is None and feed.index(own) >= len(run.hotspots)  # after the hotspots
    # Only non-frequent interruptions: not listed for that reason.
    assert areas[RARE].code not in frequent and areas[EXACTLY_N].code not in frequent
    assert set(frequent) == {areas[HOT].code, areas[FREQUENT].code}
    # One frequent-outage item per asset, and no asset twice for it.
    assert sum(1 for r in feed if FREQUENT_OUTAGES in r["reasons"]) == 2
    # The hotspot items keep their fields and gain the evidence.
    for r in feed:
        for key in ("rank", "code", "dimension_label", "action", "reason", *OUTAGE_FIELDS):
            assert key in r


def test_the_settings_change_the_evidence_and_the_feed(grid):
    areas, end = grid
    _set(OutageSetting.FREQUENT_MIN_COUNT, 1)  # more than one interruption
    run = _run(end)
    assert run.outage_evidence[areas[RARE].pk]["frequent_customers"] == 5
    assert run.outage_evidence[areas[EXACTLY_N].pk]["frequent_customers"] == 1
    assert {areas[RARE].code, areas[EXACTLY_N].code} <= set(_frequent_items(planning_feed(run)))
    _set(OutageSetting.FREQUENT_MIN_COUNT, 3)
    _set(OutageSetting.FREQUENT_MONTHS, 1)  # the last month: only three of the four outages
    run = _run(end)
    assert run.outage_evidence[areas[HOT].pk]["frequent_customers"] == 0
    assert _frequent_items(planning_feed(run)) == {}
    # The caller's own rule wins over the settings.
    assert (
        _run(end, frequent_min_count=3, frequent_months=2).outage_evidence[areas[HOT].pk][
            "frequent_customers"
        ]
        == 3
    )


def test_a_run_of_another_dimension_lists_no_frequent_items(grid):
    _areas, end = grid
    assert _frequent_items(planning_feed(_run(end, dimension="billing_payment"))) == {}


def test_window_days():
    tz = dt.timezone(dt.timedelta(hours=8))
    since = dt.datetime(2026, 8, 3, 0, 0, tzinfo=tz)
    assert window_days(since, dt.datetime(2026, 11, 1, 0, 0, tzinfo=tz)) == (
        dt.date(2026, 8, 3),
        dt.date(2026, 10, 31),
    )
    assert window_days(since, dt.datetime(2026, 11, 1, 9, 30, tzinfo=tz))[1] == dt.date(2026, 11, 1)


def test_cli_json_csv_and_xlsx_carry_the_evidence(grid, capsys, tmp_path):
    areas, end = grid
    as_of = (end + dt.timedelta(minutes=1)).astimezone().strftime("%Y-%m-%d %H:%M:%S%z")
    call_command("hotspots", "--format", "json", "--as-of", as_of)
    items = json.loads(capsys.readouterr().out)
    hot = next(i for i in items if i["code"] == areas[HOT].code)
    assert hot["frequent_customers"] == 3 and hot["customer_minutes"] == 720.0
    assert "asset_id" not in hot and "q_value" in hot
    call_command("hotspots", "--format", "csv", "--as-of", as_of)
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    header = rows[0]
    assert header[:3] == ["rank", "level", "code"] and header[-4:] == list(OUTAGE_FIELDS)
    hot_row = next(r for r in rows[1:] if r[2] == areas[HOT].code)
    assert hot_row[header.index("frequent_customers")] == "3"
    target = tmp_path / "plan.xlsx"
    call_command("hotspots", "--format", "xlsx", "--output", str(target), "--as-of", as_of)
    from openpyxl import load_workbook

    sheet = load_workbook(target)["规划输入"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    head = values[0]
    assert head[:3] == ["排名", "层级", "资产编码"] and head[-5] == "列入原因"
    by_code = {}
    for row in values[1:]:
        by_code.setdefault(row[2], []).append(row)
    (own,) = by_code[areas[FREQUENT].code]
    assert own[head.index("列入原因")] == "频繁停电" and own[head.index("频繁停电户")] == 2
    assert any("频繁停电" in r[head.index("列入原因")] for r in by_code[areas[HOT].code])
    assert areas[RARE].code not in by_code


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_hotspot_page_shows_the_evidence_with_pinned_queries(grid, world, django_assert_max_num_queries):
    areas, _end = grid
    planner = _client(world.staff(Role.PLANNER, world.county_a))
    url = "/analytics/hotspots/?level=area&days=90"
    planner.get("/")  # warm the session

    def page():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = planner.get(url)
        assert response.status_code == 200
        return response.content.decode(), len(ctx.captured_queries)

    html, queries = page()
    assert 'id="frequent-assets"' in html and areas[FREQUENT].code in html
    assert "频繁停电户" in html and areas[RARE].code not in html.split('id="frequent-assets"')[1]
    assert "近 2 个月停电超过 3 次的客户" in html  # the rule in force, from the settings
    assert "/outages/frequent/" not in html  # planners may not open it: no link
    # More frequent-outage assets: the same queries (nothing per row or per asset).
    for i in range(10, 16):
        customers = list(Customer.objects.filter(area=areas[i]).order_by("pk")[:2])
        for days in (3, 6, 9, 12):
            outage(areas[i], customers, start=_end - dt.timedelta(days=days))
    html, more = page()
    assert more == queries and areas[15].code in html
    assert queries <= 24  # the whole run on a cache miss (22 when written)
    with django_assert_max_num_queries(5):  # the cached run: session, user, the rule's two settings
        planner.get(url)
    supervisor = _client(world.staff(Role.SUPERVISOR, world.county_a))
    assert "/outages/frequent/" in supervisor.get(url).content.decode()


def test_hotspot_csv_export_keeps_its_columns_and_adds_the_evidence(grid, world):
    areas, _end = grid
    planner = _client(world.staff(Role.PLANNER, world.county_a))
    response = planner.get("/analytics/hotspots/export.csv?level=area&days=90")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["rank", "level", "code"]
    assert header[-5:] == ["action", *OUTAGE_FIELDS]
    hot = next(r for r in rows[1:] if r[2] == areas[HOT].code)
    assert hot[header.index("frequent_customers")] == "3"
    planning = planner.get("/analytics/hotspots/export.planning?level=area&days=90")
    assert planning.status_code == 200 and planning.content[:2] == b"PK"
