"""Pages and API of data quality: dashboard and worklist by role and scope, bulk assign,
run now for admins, one finding's actions, the customer panel, the manager's worklist
section, and pinned query counts."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gridcare.core.worklist import worklist_sections
from gridcare.customers.models import Customer
from gridcare.dataquality import services
from gridcare.dataquality.models import CheckRun, Finding
from gridcare.org.choices import Role

from .conftest import clean_customer


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def found(world, clean):
    for i in range(12):
        clean_customer(world, f"37000000{i:02d}", phone="")
    clean_customer(world, "3700000099", phone="", area=world.area_b)
    services.data_quality_run()
    return Finding.objects.all()


def test_dashboard_by_role(world, found, supervisor, admin, django_assert_max_num_queries):
    c = client_for(supervisor)
    c.get("/data-quality/")
    with django_assert_max_num_queries(12):
        html = c.get("/data-quality/").content.decode()
    assert world.station_a.name in html and world.station_b.name not in html
    assert 'action="/data-quality/run/"' not in html
    assert 'action="/data-quality/run/"' in client_for(admin).get("/data-quality/").content.decode()
    assert client_for(world.staff(Role.HOTLINE_AGENT)).get("/data-quality/").status_code == 403
    assert client_for(supervisor).post("/data-quality/run/").status_code == 403
    r = client_for(admin).post("/data-quality/run/")
    assert r.status_code == 302 and CheckRun.objects.count() == 2


def test_worklist_filters_paginates_and_bulk_assigns(
    world, found, supervisor, manager, django_assert_max_num_queries
):
    c = client_for(supervisor)
    c.get("/data-quality/findings/")
    with django_assert_max_num_queries(14):
        html = c.get("/data-quality/findings/?code=no_reachable_phone&status=active").content.decode()
    assert html.count('name="id"') == 12 and "3700000099" not in html
    ids = [f.pk for f in found if f.station_id == world.station_a.pk][:5]
    r = c.post(
        "/data-quality/findings/assign/",
        {"id": ids, "assignee": manager.pk, "next": "/data-quality/findings/?mine=none"},
    )
    assert r.status_code == 302 and r["Location"] == "/data-quality/findings/?mine=none"
    assert Finding.objects.filter(assignee=manager, status="assigned").count() == 5
    mine = client_for(manager).get("/data-quality/findings/?mine=me").content.decode()
    assert mine.count("/data-quality/findings/") >= 5 and 'name="id"' not in mine  # managers do not assign


def test_finding_page_actions(world, found, manager):
    f = found.filter(station=world.station_a).first()
    c = client_for(manager)
    html = c.get(f"/data-quality/findings/{f.pk}/").content.decode()
    assert "无有效联系电话" in html and f"/data-quality/findings/{f.pk}/resolve/" in html
    assert f"/data-quality/findings/{f.pk}/assign/" not in html
    c.post(f"/data-quality/findings/{f.pk}/resolve/", {"note": "已补录", "expected_version": f.version})
    f.refresh_from_db()
    assert f.status == "resolved"
    other = client_for(world.staff(Role.CUSTOMER_MANAGER, unit=world.county_b))
    assert other.get(f"/data-quality/findings/{f.pk}/").status_code == 404


def test_api(world, found, supervisor, manager, admin, django_assert_max_num_queries):
    api = api_for(supervisor)
    api.get("/api/data-quality-findings/")
    with django_assert_max_num_queries(10):
        r = api.get("/api/data-quality-findings/?active=true&code=no_reachable_phone")
    assert r.json()["count"] == 12 and "联系电话" in r.json()["results"][0]["text"]
    f = found.filter(station=world.station_a).first()
    r = api.post(f"/api/data-quality-findings/{f.pk}/assign/", {"assignee": manager.pk}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    r = api_for(manager).post(
        f"/api/data-quality-findings/{f.pk}/dismiss/", {"note": "空号已确认"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert (
        api_for(manager).post(f"/api/data-quality-findings/{f.pk}/resolve/", {}, format="json").status_code
        == 409
    )
    ids = list(found.values_list("pk", flat=True))
    r = api.post(
        "/api/data-quality-findings/bulk-assign/", {"ids": ids, "assignee": manager.pk}, format="json"
    )
    assert r.json() == {"assigned": 11, "skipped": 2}
    b = found.get(station=world.station_b)
    assert api.get(f"/api/data-quality-findings/{b.pk}/").status_code == 404
    assert api.post("/api/data-quality-runs/").status_code == 403
    assert api_for(admin).post("/api/data-quality-runs/").status_code == 201
    assert api.get("/api/data-quality-runs/").json()["count"] == 2


def test_customer_panel_and_worklist_section(world, found, manager):
    customer = found.filter(station=world.station_a).first().customer
    html = client_for(manager).get(f"/customers/{customer.customer_no}/").content.decode()
    assert "数据质量问题" in html and "都不是有效的手机或固定电话号码" in html
    assert (
        "数据质量问题"
        not in client_for(world.staff(Role.HOTLINE_AGENT))
        .get(f"/customers/{customer.customer_no}/")
        .content.decode()
    )
    customers = Customer.objects.filter(station=world.station_a)
    section = next(
        s for s in worklist_sections(manager, manager, customers) if s["key"] == "dataquality_findings"
    )
    assert section["count"] == 12 and len(section["context"]["rows"]) == 12


def test_a_finding_put_on_the_rectification_list(world, found, supervisor):
    """A systemic finding becomes a rectification item owed by its station (once), linked
    both ways; only who may open items sees the button; who cannot read findings cannot."""
    from gridcare.rectification.models import RectificationItem
    from gridcare.rectification.sources import source_link

    f = found.filter(station=world.station_a).first()
    c = client_for(supervisor)
    page = c.get(f"/data-quality/findings/{f.pk}/").content.decode()
    assert "列入整改" in page
    r = c.post(f"/data-quality/findings/{f.pk}/rectify/")
    assert r.status_code == 302
    item = RectificationItem.objects.get(source_kind="data_quality")
    assert item.unit_id == world.station_a.pk and item.source_ref == str(f.pk)
    assert source_link("data_quality", item.source_ref) == f"/data-quality/findings/{f.pk}/"
    c.post(f"/data-quality/findings/{f.pk}/rectify/")
    assert RectificationItem.objects.filter(source_kind="data_quality").count() == 1
    assert item.number in c.get(f"/data-quality/findings/{f.pk}/").content.decode()
    clerk = client_for(world.staff(Role.COUNTER_CLERK, world.station_a))
    other = found.filter(station=world.station_a).exclude(pk=f.pk).first()
    assert (
        f"/data-quality/findings/{other.pk}/rectify/"
        in c.get(f"/data-quality/findings/{other.pk}/").content.decode()
    )
    assert "/rectify/" not in clerk.get(f"/data-quality/findings/{other.pk}/").content.decode()
    assert clerk.post(f"/data-quality/findings/{other.pk}/rectify/").status_code == 403
    dispatcher = client_for(
        world.staff(Role.DISPATCHER, world.county_a)
    )  # opens items, does not read findings
    assert dispatcher.post(f"/data-quality/findings/{other.pk}/rectify/").status_code == 403
