"""Segments, value and what they earn: the rules (pure), the bulk recompute (idempotent,
movement remembered, snapshot sizes), the treatments' union, the green channel at intake
(priority, green-channel time limits, the manager told), the telephony lookup and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gridcare.care.choices import Segment, ValueTier
from gridcare.care.models import CustomerProfile, SegmentSnapshot, Treatment
from gridcare.care.segments import (
    Quintiles,
    SegmentRules,
    payment_score,
    segments_of,
    service_score,
    value_of,
)
from gridcare.care.selectors import care_terms, treatment_terms
from gridcare.care.services import customer_profiles_recompute
from gridcare.customers.services import service_grid_save
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.workorders.choices import ClockKind, Priority

from .factories import make_bill, months_back

RULES = SegmentRules(
    key_capacity_kva=315,
    weights={"consumption": 30, "revenue": 30, "payment": 25, "service": 15},
    tier_high=70,
    tier_medium=40,
    months=12,
)


def seg(**kw):
    base = {
        "category": "residential",
        "capacity_kva": 8,
        "important": False,
        "sensitive": False,
        "area_class": "urban",
    }
    return segments_of(**{**base, **kw}, rules=RULES)


def test_segment_rules():
    assert seg() == [Segment.RESIDENTIAL]
    assert seg(area_class="rural") == [Segment.RURAL]
    assert seg(category="lv_non_residential", capacity_kva=100) == [Segment.SME]
    assert seg(category="lv_non_residential", capacity_kva=315) == [Segment.KEY]  # the capacity line
    assert seg(category="hv_single", capacity_kva=100) == [
        Segment.KEY
    ]  # high voltage is large whatever the size
    assert seg(category="hv_dual", important=True, sensitive=True) == [
        Segment.IMPORTANT,
        Segment.KEY,
        Segment.SENSITIVE,
    ]


def test_value_scores_and_tiers():
    q = Quintiles(range(100))
    assert q.score(0) == 1 and q.score(99) == 5 and q.score(50) == 3
    assert payment_score(0, 0) == 3 and payment_score(12, 12) == 5 and payment_score(12, 11) == 4
    assert payment_score(12, 5) == 1
    assert service_score(0, 0) == 5 and service_score(1, 1) == 3 and service_score(5, 0) == 1
    top, tier, features = value_of(
        kwh=99, amount=99, bills=12, on_time=12, orders=0, complaints=0, consumption=q, revenue=q, rules=RULES
    )
    assert top == 100 and tier == ValueTier.HIGH and features["scores"]["payment"] == 5
    low, tier, _ = value_of(
        kwh=0, amount=0, bills=12, on_time=0, orders=6, complaints=2, consumption=q, revenue=q, rules=RULES
    )
    assert low == 0 and tier == ValueTier.LOW


@pytest.fixture
def customers(world):
    today = timezone.localdate()
    small = CustomerFactory(area=world.area_a)
    big = CustomerFactory(
        area=world.area_a,
        category="hv_single",
        voltage_kv=Decimal("10"),
        capacity_kva=Decimal("800"),
        important=True,
    )
    for n in range(1, 13):
        period, due = months_back(today, n)
        make_bill(small, period, due=due, paid=due + dt.timedelta(days=5), amount="90.00")
        make_bill(big, period, due=due, paid=due - dt.timedelta(days=3), amount="90000.00")
    return small, big


def test_recompute_is_idempotent_and_remembers_movement(world, customers):
    small, big = customers
    first = customer_profiles_recompute()
    assert first["created"] == 2
    p_small, p_big = (CustomerProfile.objects.get(customer=c) for c in (small, big))
    assert p_big.segment == Segment.IMPORTANT and Segment.KEY in p_big.segments
    assert p_big.value_score > p_small.value_score
    assert p_small.features["on_time"] == 0 and p_small.features["bills"] == 12
    again = customer_profiles_recompute()
    assert again["changed"] == 0 and again["moved"] == 0
    month = timezone.localdate().strftime("%Y-%m")
    assert SegmentSnapshot.objects.filter(month=month).values_list("customers", flat=True).count() >= 1
    # the household becomes important: it moves, the move is remembered and counted
    small.important = True
    small.save()
    moved = customer_profiles_recompute()
    assert moved["moved"] == 1
    p_small.refresh_from_db()
    assert p_small.segment == Segment.IMPORTANT and p_small.previous_segment == Segment.RESIDENTIAL
    snap = SegmentSnapshot.objects.get(
        month=month, segment=Segment.IMPORTANT, value_tier=p_small.value_tier, station=world.station_a
    )
    assert snap.moved_in >= 1
    total = sum(SegmentSnapshot.objects.filter(month=month).values_list("customers", flat=True))
    assert total == 2


def test_treatments_union_and_defaults(world, customers):
    small, big = customers
    terms = treatment_terms([Segment.IMPORTANT, Segment.KEY], "A")
    assert terms["green_channel"] and terms["one_to_one"] and terms["queue_priority"] == 1
    assert (
        treatment_terms([Segment.RESIDENTIAL], "A")["queue_priority"] == 2
    )  # high credit: priority answering
    low = treatment_terms([Segment.RESIDENTIAL], "C")
    assert low["narrow_scope"] and not low["green_channel"] and low["queue_priority"] == 3
    t = Treatment.objects.get(target="grade_C")
    t.active = False
    t.save()  # as the settings page saves it: the per-process cache follows
    assert not treatment_terms([Segment.RESIDENTIAL], "C")["narrow_scope"]
    assert care_terms(big)["green_channel"] and not care_terms(small)["green_channel"]


def test_a_vip_order_gets_the_green_channel(world, customers):
    from gridcare.escalation.models import Notification
    from gridcare.workorders.services import work_order_create

    small, big = customers
    sup = world.staff(Role.SUPERVISOR, unit=world.county_a)
    manager = world.staff(Role.CUSTOMER_MANAGER, unit=world.station_a, username="cm")
    service_grid_save(
        actor=sup,
        code="G1",
        name="网格",
        station=world.station_a,
        manager=manager,
        area_ids=[world.area_a.pk],
    )
    agent = world.staff(Role.HOTLINE_AGENT, unit=world.county_a)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        vip = work_order_create(
            actor=agent,
            channel="hotline",
            request_type="fault_repair",
            dimension="supply_reliability",
            description="厂区全部停电",
            customer=big,
        )
        plain = work_order_create(
            actor=agent,
            channel="hotline",
            request_type="fault_repair",
            dimension="supply_reliability",
            description="家里没电了",
            customer=small,
        )
    assert vip.green_channel and vip.priority == Priority.URGENT
    assert not plain.green_channel and plain.priority == Priority.NORMAL
    arrival = {o.pk: o.clocks.get(kind=ClockKind.ARRIVAL) for o in (vip, plain)}
    assert arrival[vip.pk].amount == 30 and arrival[plain.pk].amount == 45  # urban: green 30 min vs 45
    told = Notification.objects.filter(recipient=manager, order=vip)
    assert told.count() == 1 and told.first().kind == "green_channel"
    assert not Notification.objects.filter(recipient=manager, order=plain, kind="green_channel").exists()


def test_the_telephony_lookup_answers_the_queue_priority(world, customers):
    small, big = customers
    agent = world.staff(Role.HOTLINE_AGENT, unit=world.county_a)
    api = APIClient()
    api.force_authenticate(agent)
    body = api.get("/api/care/caller/", {"customer_no": big.customer_no}).json()
    assert body["customer_found"] and body["queue_priority"] == 1 and body["green_channel"]
    body = api.get("/api/care/caller/", {"phone": small.phone}).json()
    assert body["customer_found"] and body["queue_priority"] == 3 and body["segments"] == ["residential"]
    assert api.get("/api/care/caller/", {}).status_code == 400
    other = world.staff(Role.HOTLINE_AGENT, unit=world.county_b)
    api.force_authenticate(other)
    assert api.get("/api/care/caller/", {"customer_no": big.customer_no}).json()["customer_found"] is False
    planner = world.staff(Role.PLANNER, unit=world.county_a)
    api.force_authenticate(planner)
    assert api.get("/api/care/caller/", {"customer_no": big.customer_no}).status_code == 403


def test_intake_customer_page_and_segments_page(world, customers):
    small, big = customers
    customer_profiles_recompute()
    agent = world.staff(Role.HOTLINE_AGENT, unit=world.county_a)
    client = Client()
    client.force_login(agent)
    html = client.get("/work-orders/intake/lookup/", {"q": big.customer_no}).content.decode()
    assert 'data-green-channel="1"' in html and "重要客户" in html
    html = client.get(f"/customers/{big.customer_no}/").content.decode()
    assert "客户细分与价值" in html and "价值分" in html and "电费贡献" in html
    assert client.get("/care/segments/").status_code == 403  # agents do not see the company's segments
    planner = world.staff(Role.PLANNER, unit=world.county_a)
    client.force_login(planner)
    html = client.get("/care/segments/").content.decode()
    assert "各细分客户数" in html and "重要客户" in html


def test_a_bill_not_yet_due_does_not_count_against_payment(world):
    today = timezone.localdate()
    c = CustomerFactory(area=world.area_a)
    for n in range(2, 13):
        period, due = months_back(today, n)
        make_bill(c, period, due=due, paid=due - dt.timedelta(days=1))
    period, _due = months_back(today, 1)
    make_bill(c, period, due=today + dt.timedelta(days=5))  # issued, unpaid, not yet due
    customer_profiles_recompute()
    f = CustomerProfile.objects.get(customer=c).features
    assert f["bills"] == 11 and f["on_time"] == 11 and f["scores"]["payment"] == 5
    assert f["kwh_pct"] <= 99
