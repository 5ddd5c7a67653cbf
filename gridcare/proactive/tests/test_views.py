"""Pages and API of proactive care: who sees what, scoping, the campaign journey through the
page, the demand CRUD through the API, the customer panel, the worklist section, the
planning export's demand sheet, and pinned query counts on the lists."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gridcare.core.worklist import worklist_sections
from gridcare.customers.models import Customer
from gridcare.org.choices import Role
from gridcare.proactive import services
from gridcare.proactive.choices import CampaignStatus
from gridcare.proactive.models import Campaign, PotentialDemand

from .factories import make_meter


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_pages_by_role(world, meters, manager):
    planner = world.staff(Role.PLANNER)
    agent = world.staff(Role.HOTLINE_AGENT)
    assert client_for(manager).get("/proactive/").status_code == 200
    assert client_for(planner).get("/proactive/").status_code == 403
    assert client_for(planner).get("/proactive/demand/").status_code == 200
    assert client_for(agent).get("/proactive/demand/").status_code == 403
    assert client_for(agent).get("/api/meter-facts/").status_code == 403


def test_list_page_is_scoped_filtered_and_offers_a_campaign(
    world, meters, manager, django_assert_max_num_queries
):
    c = client_for(manager)
    c.get("/proactive/")  # warm the session and caches
    for i in range(30):
        cust = Customer.objects.create(
            customer_no=f"34{i:08d}",
            name=f"户{i}",
            address="东山新村",
            area=world.area_a,
            station=world.station_a,
            category="residential",
            tariff="居民",
            voltage_kv=0.22,
            capacity_kva=8,
        )
        make_meter(cust, f"X{i}", years=10)
    with django_assert_max_num_queries(14):
        html = c.get("/proactive/?care_list=rotation").content.decode()
    assert "MA1" in html and "MB1" not in html and "MA2" not in html
    assert 'action="/proactive/campaigns/new/"' in html
    html = c.get(f"/proactive/?care_list=any&area={world.area_b.code}").content.decode()
    assert "MB1" not in html and "台区不存在或不在您的权限范围内" in html
    crew_html = (
        client_for(world.staff(Role.REPAIR_CREW, unit=world.team_a)).get("/proactive/").content.decode()
    )
    assert 'action="/proactive/campaigns/new/"' not in crew_html


def test_the_campaign_journey_through_the_pages(world, meters, manager):
    c = client_for(manager)
    r = c.post(
        "/proactive/campaigns/new/",
        {
            "name": "东山换表",
            "kind": "field_task",
            "care_list": "any",
            "station": world.station_a.code,
            "area": "",
        },
    )
    campaign = Campaign.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/proactive/campaigns/{campaign.pk}/"
    html = c.get(r["Location"]).content.decode()
    assert "待发起" in html and "3200000001" in html and "启动：派发现场任务" in html
    c.post(f"/proactive/campaigns/{campaign.pk}/launch/", {"expected_version": campaign.version})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE
    html = c.get(f"/proactive/campaigns/{campaign.pk}/").content.decode()
    assert f'action="/proactive/campaigns/{campaign.pk}/record/"' in html
    c.post(
        f"/proactive/campaigns/{campaign.pk}/record/",
        {"customer_no": "3200000001", "outcome": "done", "note": ""},
    )
    c.post(
        f"/proactive/campaigns/{campaign.pk}/record/",
        {"customer_no": "3200000002", "outcome": "done", "note": ""},
    )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE
    html = c.get("/proactive/campaigns/").content.decode()
    assert "东山换表" in html and "2/2" in html
    # another county's manager: not found
    other = client_for(world.staff(Role.CUSTOMER_MANAGER, unit=world.county_b))
    assert other.get(f"/proactive/campaigns/{campaign.pk}/").status_code == 404


def test_campaign_api(world, meters, manager):
    api = api_for(manager)
    r = api.post(
        "/api/care-campaigns/",
        {"name": "API", "kind": "notice", "care_list": "rotation", "station": world.station_a.code},
        format="json",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["progress"]["total"] == 1
    r = api.post(f"/api/care-campaigns/{pk}/launch/", {"expected_version": 99}, format="json")
    assert r.status_code == 409
    r = api.post(f"/api/care-campaigns/{pk}/launch/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert r.json()["progress"]["by_status"] == {"notified": 1}
    assert api.get(f"/api/care-campaigns/{pk}/targets/").json()["results"][0]["customer_no"] == "3200000001"
    assert (
        api.post(
            "/api/care-campaigns/",
            {"name": "x", "kind": "notice", "station": world.station_b.code},
            format="json",
        ).status_code
        == 400
    )
    assert (
        api_for(world.staff(Role.CUSTOMER_MANAGER, unit=world.county_b))
        .get(f"/api/care-campaigns/{pk}/")
        .status_code
        == 404
    )
    assert (
        api_for(world.staff(Role.REPAIR_CREW)).post("/api/care-campaigns/", {}, format="json").status_code
        == 403
    )
    rows = api.get("/api/meter-facts/?care_list=old_box").json()["results"]
    assert [r["meter_no"] for r in rows] == ["MA2"]


def test_demand_api_crud(world, manager):
    api = api_for(world.staff(Role.PLANNER))
    day = (timezone.localdate() + dt.timedelta(days=100)).isoformat()
    body = {
        "title": "园区",
        "source": "park",
        "station": world.station_a.code,
        "area": world.area_a.code,
        "location": "东山",
        "expected_kw": "800",
        "expected_date": day,
    }
    r = api.post("/api/potential-demands/", body, format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert (
        api.post("/api/potential-demands/", {**body, "expected_kw": "-1"}, format="json").status_code == 400
    )
    assert (
        api.post(
            "/api/potential-demands/", {**body, "expected_date": "9999-01-01"}, format="json"
        ).status_code
        == 400
    )
    r = api.patch(
        f"/api/potential-demands/{pk}/", {"status": "confirmed", "expected_version": 1}, format="json"
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    assert (
        api.patch(
            f"/api/potential-demands/{pk}/", {"status": "expected", "expected_version": 1}, format="json"
        ).status_code
        == 409
    )
    assert api.delete(f"/api/potential-demands/{pk}/").status_code == 400  # needs the version
    assert api.delete(f"/api/potential-demands/{pk}/?expected_version=2").status_code == 204
    assert not PotentialDemand.objects.exists()
    assert api_for(world.staff(Role.HOTLINE_AGENT)).get("/api/potential-demands/").status_code == 403


def test_demand_pages(world, manager):
    c = client_for(manager)
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    r = c.post(
        "/proactive/demand/new/",
        {
            "title": "充电站",
            "source": "manager_visit",
            "station": world.station_a.code,
            "area": "",
            "location": "东山",
            "expected_kw": "500",
            "expected_date": day,
            "status": "expected",
            "note": "",
        },
    )
    d = PotentialDemand.objects.get()
    assert r.status_code == 302
    html = c.get(f"/proactive/demand/{d.pk}/").content.decode()
    assert "充电站" in html and f"/proactive/demand/{d.pk}/edit/" in html
    planner_html = client_for(world.staff(Role.SUPERVISOR)).get(f"/proactive/demand/{d.pk}/").content.decode()
    assert f"/proactive/demand/{d.pk}/edit/" not in planner_html  # supervisors read, do not edit
    c.post(f"/proactive/demand/{d.pk}/delete/", {})
    assert PotentialDemand.objects.exists()  # no version: refused
    c.post(f"/proactive/demand/{d.pk}/delete/", {"expected_version": d.version})
    assert not PotentialDemand.objects.exists()


def test_planning_export_has_the_demand_sheet(world, admin):
    from openpyxl import load_workbook

    services.demand_create(
        actor=admin,
        data={
            "source": "government",
            "title": "安置小区",
            "station": world.station_a,
            "location": "东山",
            "expected_kw": 2400,
            "expected_date": timezone.localdate() + dt.timedelta(days=300),
        },
    )
    r = client_for(world.staff(Role.PLANNER)).get("/analytics/hotspots/export.planning")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    rows = list(book["潜在用电需求"].iter_rows(values_only=True))
    assert rows[0][3] == "项目名称" and rows[1][3] == "安置小区"


def test_customer_panel_and_worklist_section(world, meters, manager):
    html = client_for(manager).get("/customers/3200000001/").content.decode()
    assert "电能表与表箱" in html and "MA1" in html and "到期轮换" in html
    agent_html = client_for(world.staff(Role.HOTLINE_AGENT)).get("/customers/3200000001/").content.decode()
    assert "电能表与表箱" not in agent_html
    customers = Customer.objects.filter(pk__in=[c.pk for c in meters["customers"][:3]])
    section = next(
        s for s in worklist_sections(manager, manager, customers) if s["key"] == "proactive_meters"
    )
    assert (
        section["count"] == 2 and section["context"]["rotation"] == 1 and section["context"]["old_box"] == 1
    )


@pytest.mark.parametrize("url", ["/api/meter-facts/", "/api/care-campaigns/", "/api/potential-demands/"])
def test_api_lists_have_a_fixed_query_count(world, meters, manager, url, django_assert_max_num_queries):
    api = api_for(manager)
    api.get(url)
    with django_assert_max_num_queries(10):
        assert api.get(url).status_code == 200
