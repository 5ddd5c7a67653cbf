"""Outage facts on the customer page and the transformer-area page (core's detail panels)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridcare.core.panels import panels_for
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind
from gridcare.outages.services import outage_create, outage_restore

from .test_frequent import interruption


@pytest.fixture
def dispatcher(world):
    return world.staff(Role.DISPATCHER, world.county_a)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _fault(actor, areas, hours=1):
    return outage_create(
        actor=actor,
        kind=OutageKind.FAULT,
        areas=areas,
        cause="跳闸",
        started_at=timezone.now() - dt.timedelta(hours=hours),
    )


def test_customer_page_shows_the_current_outage(world, dispatcher):
    customer = CustomerFactory(area=world.area_a)
    outage = _fault(dispatcher, [world.area_a])
    html = _client(dispatcher).get(f"/customers/{customer.customer_no}/").content.decode()
    assert "停电情况" in html and "正在停电" in html
    assert f"/outages/{outage.outage_no}/" in html
    (panel,) = panels_for("customer", dispatcher, customer)
    assert panel["context"]["current"]["outage"] == outage
    assert panel["context"]["count"] == 1 and 59 <= panel["context"]["minutes"] <= 61


def test_no_panel_for_roles_without_outages_view(world, dispatcher):
    customer = CustomerFactory(area=world.area_a)
    outage = _fault(dispatcher, [world.area_a])
    planner = world.staff(Role.PLANNER, world.county_a)
    html = _client(planner).get(f"/customers/{customer.customer_no}/").content.decode()
    assert outage.outage_no not in html and "停电情况" not in html
    html = _client(planner).get(f"/grid/areas/{world.area_a.code}/").content.decode()
    assert outage.outage_no not in html and "台区停电情况" not in html
    assert panels_for("customer", planner, customer) == []


def test_history_counts_and_restored_outage(world, dispatcher):
    customer = CustomerFactory(area=world.area_a)
    outage = _fault(dispatcher, [world.area_a], hours=2)
    outage_restore(actor=dispatcher, outage=outage)
    interruption(customer, start=timezone.now() - dt.timedelta(days=400))  # outside 12 months
    interruption(customer, start=timezone.now() - dt.timedelta(days=30), minutes=2)  # short
    (panel,) = panels_for("customer", dispatcher, customer)
    ctx = panel["context"]
    assert ctx["current"] is None and ctx["count"] == 1
    assert [r["outage"] for r in ctx["rows"]] == [outage]
    html = _client(dispatcher).get(f"/grid/areas/{world.area_a.code}/").content.decode()
    assert "台区停电情况" in html and outage.outage_no in html and "正在停电" not in html


def test_another_countys_outage_is_not_shown(world):
    other = world.staff(Role.DISPATCHER, world.county_b)
    customer = CustomerFactory(area=world.area_b)
    outage = _fault(other, [world.area_b])
    county_a = world.staff(Role.DISPATCHER, world.county_a)
    # out of scope: the page itself is 404, and the panel reads no outage of the other county
    assert _client(county_a).get(f"/customers/{customer.customer_no}/").status_code == 404
    (panel,) = panels_for("customer", county_a, customer)
    assert panel["context"]["current"] is None and panel["context"]["count"] == 0
    assert outage.outage_no in _client(other).get(f"/customers/{customer.customer_no}/").content.decode()


@pytest.mark.parametrize("url", ["customer", "area"])
def test_query_count_is_constant(world, dispatcher, url):
    customer = CustomerFactory(area=world.area_a)
    client = _client(dispatcher)
    path = f"/customers/{customer.customer_no}/" if url == "customer" else f"/grid/areas/{world.area_a.code}/"

    def count():
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    def restored(hours):
        o = _fault(dispatcher, [world.area_a], hours=hours)
        outage_restore(actor=dispatcher, outage=o, at=o.started_at + dt.timedelta(minutes=30))

    restored(40)  # oldest first: an outage's areas may not overlap another's
    one = count()
    for hours in (30, 20, 10, 3):
        restored(hours)
    _fault(dispatcher, [world.area_a], hours=1)
    assert count() == one
    kind = "customer" if url == "customer" else "transformer_area"
    obj = customer if url == "customer" else world.area_a
    with CaptureQueriesContext(connection) as ctx:
        (panel,) = panels_for(kind, dispatcher, obj)
    assert len(ctx.captured_queries) == 2  # the reliability threshold setting, the rows
    assert panel["context"]["count"] == 6 and panel["context"]["current"] is not None
