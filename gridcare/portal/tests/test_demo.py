"""The demo's portal data, made through the portal's services; a rerun adds nothing; and
the periodic purge of spent counters and codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.demo.portal import PER_SIZE, REQUESTS, seed_portal
from gridcare.portal import services
from gridcare.portal.choices import ChangeStatus
from gridcare.portal.models import AnonymousReport, ContactChange, RateCounter, SignInCode
from gridcare.workorders.choices import Channel
from gridcare.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_seed_portal(world):
    for _i in range(15):
        CustomerFactory(area=world.area_a)
    result = seed_portal(seed=7, size="small")
    assert (
        result["changes"]
        == PER_SIZE["small"]
        == ContactChange.objects.filter(status=ChangeStatus.PENDING).count()
    )
    assert result["requests"] == len(REQUESTS)
    assert WorkOrder.objects.filter(channel=Channel.WEB, customer__isnull=False).count() == len(REQUESTS)
    report = AnonymousReport.objects.get()
    assert services.report_lookup(code=result["report"]) == report.order
    assert seed_portal(seed=7, size="small") == {"skipped": True}
    assert ContactChange.objects.count() == PER_SIZE["small"]


def test_counters_purge(customer):
    old = timezone.now() - dt.timedelta(days=2)
    services.code_request(customer_no=customer.customer_no, phone=customer.phone, now=old)
    services.code_request(customer_no=customer.customer_no, phone=customer.phone)
    assert RateCounter.objects.count() == 4  # per phone and per IP, in two windows
    result = services.counters_purge()
    assert result == {"counters": 2, "codes": 1}
    assert SignInCode.objects.count() == 1
