"""Outage notices to customers through the outbox: lead times, audiences, fault estimates,
restoration per area, one message per customer per notice, customers without a phone counted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridcare.core.models import AuditEvent
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.escalation.models import Notification, OutboundMessage
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind
from gridcare.outages.models import Outage
from gridcare.outages.notices import outage_notices_send
from gridcare.outages.services import (
    outage_create,
    outage_restore,
    outage_start,
    outage_update_estimate,
)

from .factories import feeder_with_areas


@pytest.fixture
def dispatcher(world):
    return world.staff(Role.DISPATCHER, world.county_a)


@pytest.fixture
def supervisor(world):
    return world.staff(Role.SUPERVISOR, world.county_a)


def _sms(outage, notice=None):
    prefix = f"outage:{outage.pk}:" + (f"{notice}:" if notice else "")
    return OutboundMessage.objects.filter(key__startswith=prefix)


def _planned(dispatcher, areas, *, days_ahead, kind=OutageKind.PLANNED):
    start = timezone.now() + dt.timedelta(days=days_ahead)
    return outage_create(
        actor=dispatcher,
        kind=kind,
        areas=areas,
        cause="10kV线路检修",
        planned_start=start,
        planned_end=start + dt.timedelta(hours=6),
    )


def test_planned_notice_in_time_tells_every_customer(world, dispatcher, supervisor):
    _feeder, (a1, a2) = feeder_with_areas(world.station_a, [3, 2])
    outage = _planned(dispatcher, [a1, a2], days_ahead=8)
    outage.refresh_from_db()
    assert outage.notice_sent_at is not None and not outage.notice_late
    sms = _sms(outage, "announce")
    assert sms.count() == 5
    body = sms.first().body
    assert "10kV线路检修" in body and outage.outage_no in body and a1.name in body
    assert not Notification.objects.filter(recipient=supervisor).exists()
    assert not AuditEvent.objects.filter(action="outage.notice_late").exists()


def test_planned_notice_too_late_is_flagged_and_supervisors_told(world, dispatcher, supervisor):
    _feeder, (a1,) = feeder_with_areas(world.station_a, [2])
    outage = _planned(dispatcher, [a1], days_ahead=3)
    outage.refresh_from_db()
    assert outage.notice_late and outage.notice_sent_at is not None
    assert _sms(outage, "announce").count() == 2  # told anyway, late
    assert AuditEvent.objects.filter(action="outage.notice_late", object_id=str(outage.pk)).count() == 1
    note = Notification.objects.get(recipient=supervisor)
    assert outage.outage_no in note.message
    outage_notices_send(outage=outage)  # a rerun escalates nothing twice
    assert Notification.objects.filter(recipient=supervisor).count() == 1


def test_temporary_notice_only_to_important_customers_24h_ahead(world, dispatcher):
    _feeder, (a1,) = feeder_with_areas(world.station_a, [3])
    vip = CustomerFactory(area=a1, important=True)
    outage = _planned(dispatcher, [a1], days_ahead=2, kind=OutageKind.TEMPORARY)
    outage.refresh_from_db()
    assert not outage.notice_late  # 48 h ahead meets the 24 h of a temporary outage
    assert list(_sms(outage).values_list("recipient", flat=True)) == [vip.phone]
    assert "临时停电" in _sms(outage).get().body


def test_fault_notice_at_start_and_on_estimate_change(world, dispatcher):
    _feeder, (a1, a2) = feeder_with_areas(world.station_a, [2, 2])
    now = timezone.now()
    outage = outage_create(
        actor=dispatcher,
        kind=OutageKind.FAULT,
        areas=[a1, a2],
        cause="线路跳闸",
        started_at=now - dt.timedelta(minutes=10),
        estimated_restoration=now + dt.timedelta(hours=2),
    )
    assert _sms(outage, "fault").count() == 4
    eta = timezone.localtime(outage.estimated_restoration)
    assert f"{eta.month}月{eta.day}日 {eta:%H:%M}" in _sms(outage, "fault").first().body
    outage = outage_restore(actor=dispatcher, outage=outage, areas=[a2])
    later = now + dt.timedelta(hours=4)
    outage = outage_update_estimate(actor=dispatcher, outage=outage, estimated_restoration=later)
    eta_sms = OutboundMessage.objects.filter(key__startswith=f"outage:{outage.pk}:eta")
    assert eta_sms.count() == 2  # only the customers still out (area 1)
    assert f"{timezone.localtime(later):%H:%M}" in eta_sms.first().body
    # The same estimate again changes nothing and tells nobody twice.
    outage_update_estimate(actor=dispatcher, outage=outage, estimated_restoration=later)
    assert eta_sms.count() == 2


def test_restoration_notice_per_area(world, dispatcher):
    _feeder, (a1, a2) = feeder_with_areas(world.station_a, [3, 2])
    outage = outage_create(actor=dispatcher, kind=OutageKind.PLANNED, areas=[a1, a2], cause="检修")
    outage = outage_start(actor=dispatcher, outage=outage)
    assert not _sms(outage, "restored").exists()
    outage = outage_restore(actor=dispatcher, outage=outage, areas=[a1.code])
    assert _sms(outage, "restored").count() == 3
    assert all(
        a1.name in b and a2.name not in b for b in _sms(outage, "restored").values_list("body", flat=True)
    )
    outage_restore(actor=dispatcher, outage=outage, areas=[a2.code])
    assert _sms(outage, "restored").count() == 5


def test_notice_job_twice_notifies_nobody_twice_and_fills_gaps(world, dispatcher):
    _feeder, (a1, a2) = feeder_with_areas(world.station_a, [4, 3])
    now = timezone.now()
    outage = outage_create(
        actor=dispatcher, kind=OutageKind.FAULT, areas=[a1, a2], started_at=now - dt.timedelta(hours=1)
    )
    outage = outage_restore(actor=dispatcher, outage=outage, areas=[a1])
    before = _sms(outage).count()
    assert before == 7 + 4
    # A worker that crashed after queueing some: the job fills the gap, once.
    _sms(outage, "restored").filter(recipient__in=_sms(outage, "restored").values("recipient")[:2]).delete()
    assert outage_notices_send(outage=outage) == 2
    assert outage_notices_send(outage=outage) == 0
    assert _sms(outage).count() == before
    assert _sms(outage).values("key").distinct().count() == before


def test_customers_without_phone_are_counted_not_lost(world, dispatcher):
    _feeder, (a1,) = feeder_with_areas(world.station_a, [3])
    CustomerFactory(area=a1, phone="", phone2="")
    CustomerFactory(area=a1, phone="", phone2="025-12345678")  # the second number will do
    outage = _planned(dispatcher, [a1], days_ahead=10)
    outage.refresh_from_db()
    assert _sms(outage).count() == 4
    assert outage.notice_unreachable == 1


def test_ten_thousand_customers_are_queued_in_bulk(world, dispatcher, django_assert_max_num_queries):
    from gridcare.customers.models import Customer

    _feeder, (a1,) = feeder_with_areas(world.station_a, [1])
    template = Customer.objects.get(area=a1)
    rows = []
    for i in range(3000):
        template.pk = None
        template.customer_no = f"9{i:09d}"
        template.phone = f"138{i:08d}"
        rows.append(
            Customer(**{f.attname: getattr(template, f.attname) for f in Customer._meta.concrete_fields})
        )
    Customer.objects.bulk_create(rows)
    with django_assert_max_num_queries(60):  # per customer would be thousands
        outage = _planned(dispatcher, [a1], days_ahead=9)
    assert _sms(outage).count() == 3001
    assert Outage.objects.get(pk=outage.pk).notice_unreachable == 0


def test_the_periodic_job_fills_a_gap_and_queues_nothing_twice(world, dispatcher):
    from gridcare.outages.tasks import notices_reconcile_job

    _feeder, (a1,) = feeder_with_areas(world.station_a, [3])
    outage = outage_create(
        actor=dispatcher, kind=OutageKind.FAULT, areas=[a1], cause="线路故障", started_at=timezone.now()
    )
    sent = _sms(outage).count()
    assert sent == 3
    _sms(outage).first().delete()  # a lost row: the job puts it back
    assert notices_reconcile_job()["queued"] == 1
    assert _sms(outage).count() == sent
    assert notices_reconcile_job()["queued"] == 0  # and never twice
