"""Key-account pages: lists (scope, query count), the customer's key-account page and its
panel on the customer page, inspection recording, plans with their document, the
supervisor's report, and the manager's worklist sections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gridcare.core.worklist import worklist_sections
from gridcare.customers.models import Customer
from gridcare.keyaccounts import services
from gridcare.keyaccounts.models import EmergencyPlan, SafetyInspection
from gridcare.org.choices import Role

from .factories import PDF_BYTES, key_customer, package

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _overdue_customer(actor, area, name):
    today = timezone.localdate()
    c = key_customer(area, name=name)
    services.subscription_start(
        actor=actor, customer=c, package=package(), start_date=today - dt.timedelta(days=200)
    )
    return c


@pytest.fixture
def manager(world):
    return world.staff(Role.CUSTOMER_MANAGER, world.county_a)


def test_inspection_lists_and_report_are_scoped(world, manager, django_assert_max_num_queries):
    admin = world.staff(Role.ADMIN, world.company)
    mine = [_overdue_customer(manager, world.area_a, f"江宁化工{i}") for i in range(4)]
    theirs = _overdue_customer(admin, world.area_b, "六合钢铁")
    client = _page(manager)
    with django_assert_max_num_queries(12):
        html = client.get("/key-accounts/").content.decode()
    assert all(c.name in html for c in mine) and theirs.name not in html
    assert mine[0].name in client.get("/key-accounts/?overdue=1").content.decode()
    assert client.get("/key-accounts/report/").status_code == 403  # customer managers: no report
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    html = _page(sup).get("/key-accounts/report/").content.decode()
    assert world.station_a.name in html and world.station_b.name not in html
    inspection = SafetyInspection.objects.get(customer=theirs)
    assert client.get(f"/key-accounts/inspections/{inspection.pk}/").status_code == 404
    assert _page(world.staff(Role.HOTLINE_AGENT, world.county_a)).get("/key-accounts/").status_code == 403


def test_customer_page_panel_and_recording(world, manager):
    c = _overdue_customer(manager, world.area_a, "东山医院")
    client = _page(manager)
    html = client.get(f"/customers/{c.customer_no}/").content.decode()
    assert "keyaccount-panel" in html and f"/key-accounts/customers/{c.customer_no}/" in html
    html = client.get(f"/key-accounts/customers/{c.customer_no}/").content.decode()
    assert "增值服务包" in html and "/plans/new/" in html
    # A dispatcher sees the page but no forms.
    html = (
        _page(world.staff(Role.DISPATCHER, world.county_a))
        .get(f"/key-accounts/customers/{c.customer_no}/")
        .content.decode()
    )
    assert "/subscribe/" not in html and "/plans/new/" not in html
    inspection = SafetyInspection.objects.get(customer=c)
    r = client.post(
        f"/key-accounts/inspections/{inspection.pk}/record/",
        {
            "done_on": timezone.localdate().isoformat(),
            "notes": "检查完毕",
            "finding_0": "电缆沟积水",
            "severity_0": "major",
            "needs_work_0": "1",
            "expected_version": inspection.version,
        },
    )
    assert r.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "done"
    html = client.get(f"/key-accounts/inspections/{inspection.pk}/").content.decode()
    assert "电缆沟积水" in html and "/rectification/" in html
    # A residential customer shows no panel.
    small = Customer.objects.exclude(pk=c.pk).first() or key_customer(
        world.area_a, voltage_kv=0.22, important=False
    )
    html = client.get(f"/customers/{small.customer_no}/").content.decode()
    assert "keyaccount-panel" not in html


def test_plan_upload_on_the_page_and_document_served(world, manager):
    c = key_customer(world.area_a, important=True, name="市急救中心")
    client = _page(manager)
    review = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    bad = client.post(
        f"/key-accounts/customers/{c.customer_no}/plans/new/",
        {
            "title": "应急预案",
            "review_date": review,
            "document": SimpleUploadedFile("p.pdf", b"MZ executable"),
        },
    )
    assert bad.status_code == 200 and "不支持的文件类型" in bad.content.decode()
    r = client.post(
        f"/key-accounts/customers/{c.customer_no}/plans/new/",
        {
            "title": "应急预案",
            "review_date": review,
            "document": SimpleUploadedFile("预案.pdf", PDF_BYTES),
            "contact_name_0": "李主任",
            "contact_phone_0": "13800001234",
            "backup_power": "柴油发电机一台",
            "backup_capacity_kw": "400",
        },
    )
    assert r.status_code == 302
    plan = EmergencyPlan.objects.get(customer=c)
    doc = client.get(f"/key-accounts/plans/{plan.pk}/document/")
    assert doc.status_code == 200 and doc["Content-Type"] == "application/pdf"
    assert "attachment" in doc["Content-Disposition"]
    html = client.get("/key-accounts/plans/").content.decode()
    assert "市急救中心" in html and 'data-plan-state="expiring"' in html
    # Phones of the customer's contacts are masked for roles that may not reveal them.
    html = (
        _page(world.staff(Role.QUALITY_INSPECTOR, world.county_a))
        .get(f"/key-accounts/plans/{plan.pk}/")
        .content.decode()
    )
    assert "13800001234" not in html
    assert "13800001234" in client.get(f"/key-accounts/plans/{plan.pk}/").content.decode()


def test_worklist_sections_are_the_managers_customers(world, manager, django_assert_max_num_queries):
    c = _overdue_customer(manager, world.area_a, "东山水厂")
    other = _overdue_customer(manager, world.area_a, "别人的客户")
    services.plan_create(
        actor=manager,
        customer=c,
        title="预案",
        review_date=timezone.localdate() + dt.timedelta(days=5),
        document_content=PDF_BYTES,
    )
    customers = Customer.objects.filter(pk=c.pk)
    from gridcare.keyaccounts.worklist import inspections_section, plans_section

    with django_assert_max_num_queries(6):  # the settings read, then one list per section
        inspections_section(manager, manager, customers)
        plans_section(manager, manager, customers)
    sections = {s["key"]: s for s in worklist_sections(manager, manager, customers)}
    insp = sections["keyaccounts_inspections"]
    assert insp["count"] == 1 and insp["context"]["rows"][0].customer == c
    assert other not in [r.customer for r in insp["context"]["rows"]]
    assert sections["keyaccounts_plans"]["count"] == 1
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    assert not any(s["key"].startswith("keyaccounts") for s in worklist_sections(agent, manager, customers))
