"""The known outage at first contact: the intake lookup shows it first for a caller in an
outage area (not for others), and the one-click report joins the outage's master order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind
from gridcare.outages.services import outage_create, outage_restore
from gridcare.workorders.models import WorkOrder

from .factories import feeder_with_areas

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def fault(world):
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    _feeder, (a1, a2) = feeder_with_areas(world.station_a, [1, 1])
    now = timezone.now()
    outage = outage_create(
        actor=dispatcher,
        kind=OutageKind.FAULT,
        areas=[a1],
        cause="10kV线路故障跳闸",
        started_at=now - dt.timedelta(minutes=20),
        estimated_restoration=now + dt.timedelta(hours=2),
    )
    return outage, a1, a2, dispatcher


def _lookup(user, q):
    return _client(user).get("/work-orders/intake/lookup/", {"q": q}).content.decode()


def test_lookup_shows_the_outage_first_for_a_caller_in_its_area(world, fault):
    outage, a1, a2, dispatcher = fault
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    inside = CustomerFactory(area=a1, phone="13900001111")
    outside = CustomerFactory(area=a2, phone="13900002222")
    html = _lookup(agent, inside.phone)
    assert outage.outage_no in html and "10kV线路故障跳闸" in html
    assert html.index(outage.outage_no) < html.index("以此客户受理")  # above everything
    assert "登记为此次停电的故障报修" in html
    assert outage.outage_no not in _lookup(agent, outside.phone)
    outage_restore(actor=dispatcher, outage=outage)
    assert outage.outage_no not in _lookup(agent, inside.phone)  # restored: nothing to say


def _report(client, customer, outage):
    return client.post(
        "/work-orders/intake/",
        {
            "notice_ref": outage.outage_no,
            "channel": "hotline",
            "request_type": "fault_repair",
            "dimension": "supply_reliability",
            "description": f"客户来电反映停电，属停电事件 {outage.outage_no}",
            "customer": customer.customer_no,
            "area": customer.area.code,
            "contact_name": customer.name,
            "address": customer.address,
        },
    )


def test_one_click_report_becomes_a_child_of_the_outage_master(world, fault):
    outage, a1, _a2, _dispatcher = fault
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    first, second = CustomerFactory(area=a1), CustomerFactory(area=a1)
    client = _client(agent)
    assert _report(client, first, outage).status_code == 302
    master = WorkOrder.objects.get(customer=first)
    outage.refresh_from_db()
    assert outage.master_order_id == master.pk and master.master_id is None  # the first is the master
    assert _report(client, second, outage).status_code == 302
    child = WorkOrder.objects.get(customer=second)
    assert child.master_id == master.pk
    master.refresh_from_db()
    assert master.children_count == 1
