import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.core.audit import audit_events_for
from gridcare.core.errors import ApplicationError
from gridcare.org.choices import Role
from gridcare.outages.bursts import fault_bursts, outage_confirm_burst
from gridcare.outages.choices import OutageKind, OutageStatus
from gridcare.outages.models import Outage
from gridcare.outages.services import outage_create
from gridcare.workorders.models import WorkOrder
from gridcare.workorders.tests.factories import make_order

from .factories import feeder_with_areas


@pytest.fixture
def dispatcher(world):
    return world.staff(Role.DISPATCHER, world.county_a)


@pytest.fixture
def agent(world):
    return world.staff(Role.HOTLINE_AGENT, world.county_a)


def _reports(agent, areas, minutes_ago=(20, 10, 5), **kw):
    now = timezone.now()
    return [
        make_order(agent, area=areas[i % len(areas)], now=now - dt.timedelta(minutes=m), **kw)
        for i, m in enumerate(minutes_ago)
    ]


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_three_reports_on_one_feeder_suggest_an_outage(world, dispatcher, agent):
    feeder, areas = feeder_with_areas(world.station_a, [1, 1, 1])
    orders = _reports(agent, areas)
    [s] = fault_bursts(user=dispatcher)
    assert s.feeder_code == feeder.code
    assert s.report_count == 3 and s.area_count == 3
    assert [code for code, _name in s.areas] == sorted(a.code for a in areas)
    assert s.first_at == orders[0].created_at and s.last_at == orders[2].created_at
    assert s.master_order_id is None and s.earliest_order_no == orders[0].order_no


def test_two_reports_are_not_a_burst(world, dispatcher, agent):
    _feeder, areas = feeder_with_areas(world.station_a, [1, 1])
    _reports(agent, areas, minutes_ago=(20, 5))
    assert fault_bursts(user=dispatcher) == []


def test_reports_older_than_the_window_are_not_a_burst(world, dispatcher, agent):
    _feeder, areas = feeder_with_areas(world.station_a, [1, 1, 1])
    _reports(agent, areas, minutes_ago=(50, 40, 35))
    assert fault_bursts(user=dispatcher) == []
    assert len(fault_bursts(user=dispatcher, window_minutes=60)) == 1


def test_feeder_already_in_an_active_outage_is_not_suggested(world, dispatcher, agent):
    feeder, areas = feeder_with_areas(world.station_a, [1, 1, 1])
    _reports(agent, areas)
    outage_create(
        actor=dispatcher,
        kind=OutageKind.FAULT,
        areas=[areas[0]],
        started_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert fault_bursts(user=dispatcher) == []
    with pytest.raises(ApplicationError) as exc:
        outage_confirm_burst(actor=dispatcher, feeder=feeder.code)
    assert exc.value.code == "overlap"
    assert Outage.objects.count() == 1


def test_merged_reports_name_their_master(world, dispatcher, agent):
    _feeder, areas = feeder_with_areas(world.station_a, [1, 1, 1])
    first = make_order(agent, area=areas[0], now=timezone.now() - dt.timedelta(minutes=15))
    for a in areas[1:]:
        make_order(agent, area=a, auto_merge=True)
    [s] = fault_bursts(user=dispatcher)
    assert s.report_count == 3
    assert s.master_order_no == first.order_no


def test_confirm_creates_a_started_fault_outage_with_children(world, dispatcher, agent):
    feeder, areas = feeder_with_areas(world.station_a, [2, 1, 1])
    master = make_order(agent, area=areas[0], now=timezone.now() - dt.timedelta(minutes=20))
    child = make_order(agent, area=areas[1], now=timezone.now() - dt.timedelta(minutes=15), auto_merge=True)
    loose = _reports(agent, areas[1:], minutes_ago=(10, 5))
    assert WorkOrder.objects.get(pk=child.pk).master_id == master.pk

    outage = outage_confirm_burst(actor=dispatcher, feeder=feeder.code)

    assert outage.kind == OutageKind.FAULT and outage.status == OutageStatus.IN_PROGRESS
    assert outage.started_at == master.created_at
    assert outage.master_order_id == master.pk
    assert set(outage.areas.values_list("area_id", flat=True)) == {a.pk for a in areas}
    assert outage.customers.count() == 4
    for o in [child, *loose]:
        assert WorkOrder.objects.get(pk=o.pk).master_id == master.pk
    assert WorkOrder.objects.get(pk=master.pk).children_count == 3
    assert any(e.action == "outage.confirm_burst" for e in audit_events_for(outage))
    assert fault_bursts(user=dispatcher) == []


def test_confirm_view_and_panel(world, dispatcher, agent):
    feeder, areas = feeder_with_areas(world.station_a, [1, 1, 1])
    _reports(agent, areas)
    client = _page(dispatcher)
    html = client.get("/outages/").content.decode()
    assert "确认为故障停电" in html and feeder.code in html
    response = client.post("/outages/bursts/confirm/", {"feeder": feeder.code})
    outage = Outage.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/outages/{outage.outage_no}/"
    # Nothing left to confirm: a message, no second outage.
    response = client.post("/outages/bursts/confirm/", {"feeder": feeder.code})
    assert response.status_code == 302 and Outage.objects.count() == 1


def test_role_without_manage_sees_no_button_and_gets_403(world, agent):
    feeder, areas = feeder_with_areas(world.station_a, [1, 1, 1])
    _reports(agent, areas)
    client = _page(agent)
    response = client.get("/outages/")
    assert response.status_code == 200
    assert "确认为故障停电" not in response.content.decode()
    assert client.post("/outages/bursts/confirm/", {"feeder": feeder.code}).status_code == 403
    assert not Outage.objects.exists()
    with pytest.raises(ApplicationError):
        outage_confirm_burst(actor=agent, feeder=feeder.code)


def test_another_countys_dispatcher_sees_no_suggestion(world, dispatcher, agent):
    feeder, areas = feeder_with_areas(world.station_a, [1, 1, 1])
    _reports(agent, areas)
    other = world.staff(Role.DISPATCHER, world.county_b)
    assert fault_bursts(user=other) == []
    assert len(fault_bursts(user=dispatcher)) == 1
    html = _page(other).get("/outages/").content.decode()
    assert "确认为故障停电" not in html
    assert _page(other).post("/outages/bursts/confirm/", {"feeder": feeder.code}).status_code == 404
    assert not Outage.objects.exists()


def test_dispatchers_are_told_once_per_feeder_per_hour(world, dispatcher, agent):
    from gridcare.escalation.models import Notification
    from gridcare.outages.tasks import fault_bursts_notify_job

    feeder, areas = feeder_with_areas(world.station_a, [1, 1, 1])
    _reports(agent, areas)
    other = world.staff(Role.DISPATCHER, world.county_b)
    assert fault_bursts_notify_job()["notified"] == 1
    [note] = Notification.objects.filter(code="outage.fault_burst")
    assert note.recipient_id == dispatcher.pk and note.params["feeder"] == feeder.code
    assert not Notification.objects.filter(recipient=other).exists()
    assert fault_bursts_notify_job()["notified"] == 0
    later = timezone.now() + dt.timedelta(minutes=61)
    assert fault_bursts_notify_job(now=later)["notified"] == 0  # the reports left the window
