"""Fault isolation (故障隔离) on an outage: recorded by who may change outages, once the power
is off, within the outage (not before its start, not after its restoration, not in the
future), version-checked and audited; through the service, the API and the outage page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind
from gridcare.outages.models import Outage
from gridcare.outages.services import outage_create, outage_isolate, outage_restore

M = dt.timedelta(minutes=1)


@pytest.fixture
def dispatcher(world):
    return world.staff(Role.DISPATCHER, world.county_a)


@pytest.fixture
def fault(world, dispatcher):
    """A fault in progress since 90 minutes ago."""
    start = timezone.now().replace(second=0, microsecond=0) - 90 * M
    return outage_create(
        actor=dispatcher, kind=OutageKind.FAULT, areas=[world.area_a], cause="跳闸", started_at=start
    )


def test_isolation_is_recorded_versioned_and_audited(dispatcher, fault):
    at = fault.started_at + 40 * M
    outage = outage_isolate(actor=dispatcher, outage=fault, at=at, expected_version=fault.version)
    assert outage.isolated_at == at and outage.version == fault.version + 1
    assert Outage.objects.get(pk=fault.pk).isolated_at == at
    audit = AuditEvent.objects.get(action="outage.isolate", object_id=str(fault.pk))
    assert audit.changes == {"isolated_at": [None, at.isoformat()]}
    # A stale form is refused; a correction with the current version is kept, old time audited.
    with pytest.raises(ConflictError):
        outage_isolate(actor=dispatcher, outage=fault, at=at + M, expected_version=fault.version)
    outage = outage_isolate(actor=dispatcher, outage=fault, at=at + 5 * M, expected_version=outage.version)
    assert outage.isolated_at == at + 5 * M
    assert AuditEvent.objects.filter(action="outage.isolate").count() == 2


@pytest.mark.parametrize(
    "offset, code",
    [(-1, "before_start"), (24 * 60, "in_future")],  # minutes from the start (90 min ago)
)
def test_isolation_outside_the_outage_is_refused(dispatcher, fault, offset, code):
    with pytest.raises(ApplicationError) as exc:
        outage_isolate(actor=dispatcher, outage=fault, at=fault.started_at + offset * M)
    assert (exc.value.field, exc.value.code) == ("at", code)
    assert Outage.objects.get(pk=fault.pk).isolated_at is None


def test_restored_outage_takes_an_isolation_before_its_restoration_only(dispatcher, fault):
    restored = outage_restore(actor=dispatcher, outage=fault, at=fault.started_at + 60 * M)
    with pytest.raises(ApplicationError) as exc:
        outage_isolate(actor=dispatcher, outage=restored, at=fault.started_at + 61 * M)
    assert exc.value.code == "after_restoration"
    outage = outage_isolate(actor=dispatcher, outage=restored, at=fault.started_at + 30 * M)
    assert outage.isolated_at == fault.started_at + 30 * M


def test_announced_outage_and_other_roles_cannot_record_isolation(world, dispatcher):
    planned = outage_create(
        actor=dispatcher,
        kind=OutageKind.PLANNED,
        areas=[world.area_a],
        planned_start=timezone.now() + dt.timedelta(days=9),
        planned_end=timezone.now() + dt.timedelta(days=9, hours=4),
    )
    with pytest.raises(ApplicationError) as exc:
        outage_isolate(actor=dispatcher, outage=planned)
    assert exc.value.code == "invalid_transition" and exc.value.status == 409
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    with pytest.raises(PermissionDeniedError):
        outage_isolate(actor=agent, outage=planned)


def test_api_isolate_action(world, dispatcher, fault):
    client = APIClient()
    client.force_authenticate(dispatcher)
    url = f"/api/outages/{fault.outage_no}/isolate/"
    r = client.post(url, {"at": (fault.started_at - M).isoformat()}, format="json")
    assert r.status_code == 400 and r.json()["errors"].keys() == {"at"}
    r = client.post(
        url, {"at": (fault.started_at + 20 * M).isoformat(), "expected_version": 99}, format="json"
    )
    assert r.status_code == 409
    r = client.post(url, {"at": (fault.started_at + 20 * M).isoformat()}, format="json")
    assert r.status_code == 200, r.content
    assert dt.datetime.fromisoformat(r.json()["isolated_at"]) == fault.started_at + 20 * M
    assert r.json()["version"] == fault.version + 1
    agent = APIClient()
    agent.force_authenticate(world.staff(Role.HOTLINE_AGENT, world.county_a))
    assert agent.post(url, {}, format="json").status_code == 403
    assert agent.get(f"/api/outages/{fault.outage_no}/").json()["isolated_at"] == r.json()["isolated_at"]


def test_outage_page_form_records_isolation_for_who_may_change_outages(world, dispatcher, fault):
    client = Client()
    client.force_login(dispatcher)
    page = client.get(reverse("outages:detail", args=[fault.outage_no])).content.decode()
    assert reverse("outages:isolate", args=[fault.outage_no]) in page
    when = timezone.localtime(fault.started_at + 25 * M)
    response = client.post(
        reverse("outages:isolate", args=[fault.outage_no]),
        {"at": when.strftime("%Y-%m-%dT%H:%M"), "expected_version": fault.version},
    )
    assert response.status_code == 302
    assert Outage.objects.get(pk=fault.pk).isolated_at == fault.started_at + 25 * M
    page = client.get(reverse("outages:detail", args=[fault.outage_no])).content.decode()
    assert when.strftime("%Y-%m-%d %H:%M") in page
    # Someone who may only look sees the time, not the form.
    viewer = Client()
    viewer.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    page = viewer.get(reverse("outages:detail", args=[fault.outage_no])).content.decode()
    assert when.strftime("%Y-%m-%d %H:%M") in page
    assert reverse("outages:isolate", args=[fault.outage_no]) not in page


def test_repair_times_report_arrival_to_isolation(world):
    """Median and nearest-rank p90 of arrival → isolation, per group and in total; orders
    restored without an isolation time do not count for it."""
    from gridcare.outages.repair_times import repair_times
    from gridcare.workorders import services as svc
    from gridcare.workorders.tests.factories import at, make_order

    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    crew = world.staff(Role.REPAIR_CREW, world.team_a)
    supervisor = world.staff(Role.SUPERVISOR, world.county_a)
    t0 = at(2026, 3, 2, 9, 0)
    for day, isolated in enumerate([10, 30, 20, None]):
        start = t0 + dt.timedelta(days=day)
        order = make_order(agent, area=world.area_a, now=start)
        order = svc.work_order_dispatch(actor=dispatcher, order=order, unit=world.team_a, now=start)
        order = svc.work_order_start(actor=crew, order=order, at=start + 30 * M, now=start + 30 * M)
        svc.work_order_restore(
            actor=crew,
            order=order,
            fault_cause="line",
            at=start + 100 * M,
            isolated_at=None if isolated is None else start + (30 + isolated) * M,
            now=start + 100 * M,
        )
    data = repair_times(supervisor, month=dt.date(2026, 3, 1), now=at(2026, 4, 1, 9, 0))
    total = data["total"]
    assert (total["to_isolation_median"], total["to_isolation_p90"]) == (20.0, 30.0)
    (row,) = data["rows"]
    assert row["to_isolation_median"] == 20.0 and row["to_restoration_median"] == 70.0
    client = Client()
    client.force_login(supervisor)
    page = client.get(reverse("outages:repair-times") + "?month=2026-03").content.decode()
    assert "到达至隔离（中位数）" in page and "<td>20.0</td><td>30.0</td>" in page
