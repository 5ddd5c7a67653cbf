"""The demo's partner: one partner, a city-wide key, a month of Open311 requests; deterministic
and run once."""

from __future__ import annotations

import pytest

from gridcare.demo.partners import seed_partners
from gridcare.partners.models import ApiKey, Partner, PartnerCall, PartnerRequest
from gridcare.workorders.models import WorkOrder

from .factories import admin_of

pytestmark = pytest.mark.django_db


def test_seed_partners(world):
    admin_of(world)
    result = seed_partners(seed=7, size="small")
    assert result == {"partners": 1, "requests": 6}
    partner = Partner.objects.get()
    key = ApiKey.objects.get()
    assert partner.unit == world.city and list(key.units.all()) == [world.city]
    orders = WorkOrder.objects.filter(pk__in=PartnerRequest.objects.values("order"))
    assert orders.count() == 6 and set(orders.values_list("channel", flat=True)) == {"gov_hotline"}
    assert PartnerCall.objects.filter(key=key).count() == 12
    assert seed_partners(seed=7, size="small") == {"partners": 0, "requests": 0}
