import pytest

from gridcare.core.models import AuditEvent
from gridcare.org.choices import Role


@pytest.mark.django_db
def test_login_required(client):
    resp = client.get("/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_home_renders_for_every_role(world, client, role):
    client.force_login(world.staff(role, world.city))
    resp = client.get("/")
    assert resp.status_code == 200
    assert "客户" in resp.content.decode()


def test_english_is_available(world, client):
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    resp = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert 'lang="en"' in resp.content.decode()


def test_audit_page_is_for_admins_and_supervisors(world, client):
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    assert client.get("/audit/").status_code == 403
    AuditEvent.objects.create(
        action="customer.update",
        object_type="customers.customer",
        object_id="1",
        unit_path=world.station_a.path,
        changes={"name": ["甲", "乙"]},
    )
    AuditEvent.objects.create(
        action="customer.update",
        object_type="customers.customer",
        object_id="2",
        unit_path=world.station_b.path,
    )
    client.force_login(world.staff(Role.SUPERVISOR, world.county_a))
    body = client.get("/audit/", {"action": "customer."}).content.decode()
    # One row (the other unit's event is out of scope); the filter lists the code once more.
    assert "甲" in body and body.count('<code class="muted">customer.update</code>') == 1


def test_admin_import_page_reports_rows(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridcare.customers.importers import COLUMNS
    from gridcare.customers.models import Customer

    client.force_login(world.staff(Role.ADMIN, world.company))
    bad = ",".join(COLUMNS) + "\n3100000001,张三,13912345678,某路1号,NOPE,residential,居民,0.22,8,0,0\n"
    resp = client.post("/import/", {"kind": "customers", "file": SimpleUploadedFile("c.csv", bad.encode())})
    body = resp.content.decode()
    assert "import-errors" in body and "NOPE" in body and "area_code" in body
    assert Customer.objects.count() == 0
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    assert client.get("/import/").status_code == 403


def test_grid_pages(world, client):
    from gridcare.customers.tests.factories import CustomerFactory

    CustomerFactory(area=world.area_a, name="赵六")
    client.force_login(world.staff(Role.DISPATCHER, world.county_a))
    assert world.station_a.name in client.get("/grid/").content.decode()
    assert world.station_b.name not in client.get("/grid/").content.decode()
    assert world.area_a.feeder.code in client.get(f"/grid/stations/{world.station_a.code}/").content.decode()
    assert world.area_a.code in client.get(f"/grid/feeders/{world.area_a.feeder.code}/").content.decode()
    assert "赵六" in client.get(f"/grid/areas/{world.area_a.code}/").content.decode()
    assert client.get(f"/grid/areas/{world.area_b.code}/").status_code == 404


def test_healthz_answers_without_sign_in(client, db):
    res = client.get("/healthz")
    assert res.status_code == 200 and res.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in res["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_healthz_reports_an_unreachable_database(client, db, monkeypatch):
    from django.db import OperationalError

    from gridcare.core import views

    class Broken:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", Broken())
    res = client.get("/healthz")
    assert res.status_code == 503 and res.json() == {"status": "error", "database": "OperationalError"}


def test_audit_log_finds_an_order_by_its_number(world, client):
    from gridcare.workorders.tests.factories import make_order

    order = make_order(world.staff(Role.HOTLINE_AGENT, world.county_a), area=world.area_a)
    client.force_login(world.staff(Role.SUPERVISOR, world.county_a))
    body = client.get("/audit/", {"object_id": order.order_no}).content.decode()
    assert '<code class="muted">work_order.create</code>' in body
    by_id = client.get("/audit/", {"object_id": str(order.pk)}).content.decode()
    assert '<code class="muted">work_order.create</code>' in by_id
    assert "暂无记录" in client.get("/audit/", {"object_id": "GD-NONE"}).content.decode()
