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


def test_api_report_with_notice_ref_joins_the_outage_master(world, fault):
    """The telephony system files the calls the lookup recognised with ``notice_ref``: the
    first becomes the outage's master, the next its child; a call without it stands alone."""
    from rest_framework.test import APIClient

    outage, a1, _a2, _dispatcher = fault
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    api = APIClient()
    api.force_authenticate(agent)
    _feeder, (elsewhere,) = feeder_with_areas(world.station_a, [1])
    first, second, other = CustomerFactory(area=a1), CustomerFactory(area=a1), CustomerFactory(area=elsewhere)

    def post(customer, ref=""):
        body = {
            "channel": "hotline",
            "request_type": "fault_repair",
            "dimension": "supply_reliability",
            "description": "家里没电了",
            "customer": customer.customer_no,
        }
        if ref:
            body["notice_ref"] = ref
        return api.post("/api/work-orders/", body, format="json")

    r1 = post(first, outage.outage_no)
    assert r1.status_code == 201, r1.content
    outage.refresh_from_db()
    assert outage.master_order.order_no == r1.json()["order_no"]
    r2 = post(second, outage.outage_no)
    assert r2.status_code == 201
    child = WorkOrder.objects.get(order_no=r2.json()["order_no"])
    assert child.master_id == outage.master_order_id
    assert r2.json()["master_no"] == r1.json()["order_no"]  # the answer is read after the merge
    r3 = post(other)
    assert r3.status_code == 201
    assert WorkOrder.objects.get(order_no=r3.json()["order_no"]).master_id is None
    too_long = post(first, "X" * 65)
    assert too_long.status_code == 400 and "notice_ref" in too_long.content.decode()


def test_a_recognised_call_queues_one_background_task(
    world, fault, settings, django_capture_on_commit_callbacks
):
    """A call joined to the outage's master at intake is announced once (its creation, run
    on the merged child), not three times (creation, the child's merge, the master's): in a
    storm the worker keeps up with the calls. The child's reactions still happen."""
    from django_tasks_db.models import DBTaskResult
    from rest_framework.test import APIClient

    from gridcare.escalation.models import SlaWatch

    outage, a1, _a2, _dispatcher = fault
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    api = APIClient()
    api.force_authenticate(agent)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    body = {
        "channel": "hotline",
        "request_type": "fault_repair",
        "dimension": "supply_reliability",
        "description": "家里没电了",
        "notice_ref": outage.outage_no,
    }
    first, second = CustomerFactory(area=a1), CustomerFactory(area=a1)
    assert (
        api.post("/api/work-orders/", {**body, "customer": first.customer_no}, format="json").status_code
        == 201
    )
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        res = api.post("/api/work-orders/", {**body, "customer": second.customer_no}, format="json")
    assert res.status_code == 201
    child = WorkOrder.objects.get(order_no=res.json()["order_no"])
    outage.refresh_from_db()
    assert child.master_id == outage.master_order_id is not None
    queued = list(DBTaskResult.objects.values_list("args_kwargs", flat=True))
    assert [q["args"][:2] for q in queued] == [[child.pk, "create"]]
    task = DBTaskResult.objects.get().task
    task.call(*queued[0]["args"], **queued[0]["kwargs"])
    assert SlaWatch.objects.filter(order_id=child.pk).exists()
