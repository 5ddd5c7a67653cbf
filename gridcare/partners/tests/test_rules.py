"""Rules of partner access: the status mapping, masking in what partners read, the service
mapping's validation on the settings pages, a disabled service, and the purge of old calls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.core.configuration import config_save, section
from gridcare.core.errors import ApplicationError
from gridcare.partners import services
from gridcare.partners.choices import open311_status
from gridcare.partners.models import PartnerCall, RateCounter, ServiceMapping
from gridcare.partners.selectors import masked
from gridcare.workorders.choices import Status

from .factories import admin_of, make_key, make_partner

pytestmark = pytest.mark.django_db


def test_status_mapping():
    assert {s: open311_status(s) for s in Status.values} == {
        "accepted": "open",
        "dispatched": "open",
        "in_progress": "open",
        "replied": "closed",
        "callback": "closed",
        "archived": "closed",
        "cancelled": "closed",
    }


def test_masking_of_numbers_in_texts():
    text = "我电话13912345678，座机025-84561234，身份证320102199001011234，表号12345"
    out = masked(text)
    assert "13912345678" not in out and "139****5678" in out
    assert "84561234" not in out and "320102199001011234" not in out
    assert "表号12345" in out


def test_phone_in_description_is_masked_for_partners(world):
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    _key, secret = make_key(admin, partner)
    data = {
        "api_key": secret,
        "service_code": "outage",
        "description": "停电了，回电13912345678",
        "address_string": "东山1号",
    }
    number = Client().post("/open311/v2/requests.json", data).json()[0]["service_request_id"]
    row = Client().get(f"/open311/v2/requests/{number}.json", {"api_key": secret}).json()[0]
    assert row["description"] == "停电了，回电139****5678"


def test_service_mapping_is_validated_on_the_settings_pages(world):
    admin = admin_of(world)
    sec = section("open311-services")
    base = {
        "service_code": "pv",
        "name": "光伏并网",
        "request_type": "service_application",
        "dimension": "business_handling",
    }
    with pytest.raises(ApplicationError):
        config_save(actor=admin, section=sec, instance=ServiceMapping(), data={**base, "subtype": ""})
    with pytest.raises(ApplicationError):
        config_save(
            actor=admin,
            section=sec,
            instance=ServiceMapping(),
            data={**base, "request_type": "complaint", "subtype": "pv_connection"},
        )
    row = config_save(
        actor=admin, section=sec, instance=ServiceMapping(), data={**base, "subtype": "pv_connection"}
    )
    assert row.pk and ServiceMapping.objects.filter(service_code="pv").exists()


def test_a_disabled_service_is_neither_listed_nor_accepted(world):
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    _key, secret = make_key(admin, partner)
    ServiceMapping.objects.filter(service_code="praise").update(active=False)
    codes = [s["service_code"] for s in Client().get("/open311/v2/services.json", {"api_key": secret}).json()]
    assert "praise" not in codes and "outage" in codes
    r = Client().post(
        "/open311/v2/requests.json",
        {"api_key": secret, "service_code": "praise", "description": "感谢", "address_string": "东山1号"},
    )
    assert r.status_code == 400


def test_old_calls_and_counters_are_purged(world):
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    key, _secret = make_key(admin, partner)
    now = timezone.now()
    old = services.call_record(
        key=key,
        prefix=key.prefix,
        method="GET",
        path="/x",
        status=200,
        ip=None,
        now=now - dt.timedelta(days=400),
    )
    fresh = services.call_record(
        key=key, prefix=key.prefix, method="GET", path="/x", status=200, ip=None, now=now
    )
    services.rate_take(key=key, now=now)
    services.rate_take(key=key, now=now - dt.timedelta(hours=3))  # a late straggler's old minute
    assert services.calls_purge(now=now) == {"calls": 1, "counters": 1}
    assert list(PartnerCall.objects.values_list("pk", flat=True)) == [fresh.pk] and old.pk != fresh.pk
    assert RateCounter.objects.count() == 1


def test_a_partners_service_account_is_nobody_in_staff_lists(world):
    """It takes the partner's orders, but no picker, roster, notification or inspected
    hotline team counts it as a person."""
    from gridcare.escalation.services.notifications import unit_staff
    from gridcare.inspections.models import InspectionSite
    from gridcare.inspections.services import sites_sync
    from gridcare.org.choices import Role
    from gridcare.org.selectors import staff_for

    admin = admin_of(world)
    partner = make_partner(admin, world.county_b)
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    assert partner.user.staff.service_account is True

    listed = set(staff_for(admin).values_list("user_id", flat=True))
    assert agent.pk in listed and partner.user_id not in listed
    roster = unit_staff([world.county_b.path], [Role.HOTLINE_AGENT])[world.county_b.path]
    assert partner.user_id not in roster[Role.HOTLINE_AGENT]
    sites_sync(actor=admin)
    hotline_units = set(InspectionSite.objects.filter(kind="hotline").values_list("unit_id", flat=True))
    assert world.county_a.pk in hotline_units and world.county_b.pk not in hotline_units
