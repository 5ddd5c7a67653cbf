"""Outage events: an outbox row per matching subscription, written in the outage action's
own transaction (a rolled-back action writes none), scoped by units, carrying the public
facts of the outage and no customer."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.outages import services as outages
from gridcare.outages.choices import OutageKind
from gridcare.outages.tests.factories import at
from gridcare.webhooks import services
from gridcare.webhooks.choices import EventType
from gridcare.webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db

OUTAGE_ALL = [
    EventType.OUTAGE_ANNOUNCED,
    EventType.OUTAGE_STARTED,
    EventType.OUTAGE_ESTIMATE_UPDATED,
    EventType.OUTAGE_RESTORED,
    EventType.OUTAGE_CANCELLED,
]


def _sub(admin, *, units=(), events=OUTAGE_ALL, name="合作方"):
    return services.subscription_create(
        actor=admin, name=name, url="http://127.0.0.1:9/hook", events=list(events), units=list(units)
    )


def _bodies(sub) -> list[dict]:
    return [json.loads(e.body) for e in WebhookEvent.objects.filter(subscription=sub).order_by("id")]


def test_an_outage_life_is_pushed_to_matching_subscriptions(world, admin, allow_local):
    CustomerFactory.create_batch(3, area=world.area_a, name="张三", phone="13800001111")
    manager = world.staff(Role.ADMIN, world.company)
    mine = _sub(admin, units=[world.county_a], name="江宁")
    other = _sub(admin, units=[world.county_b], name="六合")
    only_restored = _sub(admin, events=[EventType.OUTAGE_RESTORED], name="只要恢复")
    orders_only = _sub(admin, events=[EventType.ORDER_CREATED], name="只要工单")

    outage = outages.outage_create(
        actor=manager, kind=OutageKind.FAULT, areas=[world.area_a], cause="10kV线路故障", started_at=at(3, 9)
    )
    outage = outages.outage_update_estimate(actor=manager, outage=outage, estimated_restoration=at(3, 12))
    outages.outage_restore(actor=manager, outage=outage, at=at(3, 11, 30))

    got = _bodies(mine)
    assert [b["type"] for b in got] == [
        "outage.announced",
        "outage.started",
        "outage.estimate_updated",
        "outage.restored",
    ]
    last = got[-1]["data"]
    assert last["outage_no"] == outage.outage_no
    assert last["status"] == "restored"
    assert last["areas"] == [world.area_a.code]
    assert last["restored_areas"] == [world.area_a.code]
    assert last["customers_affected"] == 3
    assert dt.datetime.fromisoformat(last["estimated_restoration"]) == at(3, 12)
    raw = " ".join(e.body for e in WebhookEvent.objects.all())
    assert "13800001111" not in raw and "\\u5f20\\u4e09" not in raw  # no phone, no name
    assert _bodies(other) == []
    assert [b["type"] for b in _bodies(only_restored)] == ["outage.restored"]
    assert _bodies(orders_only) == []
    assert set(WebhookEvent.objects.values_list("outage_no", flat=True)) == {outage.outage_no}


def test_a_rolled_back_outage_action_writes_no_event(world, admin, allow_local):
    manager = world.staff(Role.ADMIN, world.company)
    sub = _sub(admin)
    with pytest.raises(RuntimeError), transaction.atomic():
        outages.outage_create(
            actor=manager,
            kind=OutageKind.PLANNED,
            areas=[world.area_a],
            planned_start=at(10, 8),
            planned_end=at(10, 17),
        )
        assert WebhookEvent.objects.filter(subscription=sub).count() == 1  # written in the same transaction
        raise RuntimeError("the caller's transaction fails afterwards")
    assert WebhookEvent.objects.count() == 0

    planned = outages.outage_create(
        actor=manager,
        kind=OutageKind.PLANNED,
        areas=[world.area_a],
        planned_start=at(10, 8),
        planned_end=at(10, 17),
    )
    outages.outage_cancel(actor=manager, outage=planned, reason="天气原因")
    assert [b["type"] for b in _bodies(sub)] == ["outage.announced", "outage.cancelled"]


def test_a_failing_outbox_does_not_break_the_outage(world, admin, allow_local, monkeypatch):
    manager = world.staff(Role.ADMIN, world.company)
    _sub(admin)

    def boom(**kwargs):
        raise ValueError("outbox down")

    monkeypatch.setattr(services, "outbox_write_for_outage", boom)
    outage = outages.outage_create(
        actor=manager, kind=OutageKind.FAULT, areas=[world.area_a], started_at=at(3, 9)
    )
    assert outage.pk and outage.status == "in_progress"
    assert WebhookEvent.objects.count() == 0
