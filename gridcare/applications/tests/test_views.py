"""Application pages: the list (scope, filters, query count), the new-application form
(customer, new applicant, work order, errors as messages), the detail page offering only
usable actions per role, the actions, my processes and the supervisor's view, the report
page and its Excel file, the plans page."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from gridcare.applications import services
from gridcare.applications.choices import ApplicationStatus as S
from gridcare.applications.models import Application
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role

from .factories import accept, at, complete

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_list_scope_filters_and_query_count(world, django_assert_max_num_queries):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    other = world.staff(Role.COUNTER_CLERK, world.county_b)
    mine = accept(clerk, unit=world.station_a, applicant_name="李建华")
    accept(clerk, unit=world.station_a, applicant_name="赵卫东", now=at(2026, 1, 5))
    theirs = accept(other, unit=world.station_b, applicant_name="别县申请人")
    for _ in range(6):
        accept(clerk, unit=world.station_a)
    client = _page(clerk)
    with django_assert_max_num_queries(14):
        html = client.get("/applications/").content.decode()
    assert "李建华" in html and "赵卫东" in html and "别县申请人" not in html
    html = client.get("/applications/?stalled=1").content.decode()
    assert "赵卫东" in html and "李建华" not in html
    assert client.get(f"/applications/{theirs.pk}/").status_code == 404
    assert client.post(f"/applications/{theirs.pk}/pause/", {"reason": "x"}).status_code == 404
    assert client.get(f"/applications/?q={mine.number}").status_code == 200


def test_new_application_from_a_customer_and_errors_name_the_problem(world):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    customer = CustomerFactory(area=world.area_a, category="residential")
    client = _page(clerk)
    html = client.get(f"/applications/new/?customer={customer.customer_no}").content.decode()
    assert customer.name in html
    r = client.post(
        "/applications/new/", {"customer": customer.customer_no, "kind": "name_change", "channel": "counter"}
    )
    assert r.status_code == 302
    app = Application.objects.get(customer=customer)
    assert app.plan_name == "居民更名过户" and app.accepted_by == clerk
    r = client.post(
        "/applications/new/",
        {"customer": customer.customer_no, "kind": "meter_test", "channel": "counter"},
        follow=True,
    )
    assert "没有启用的流程方案" in r.content.decode()
    r = client.post(
        "/applications/new/",
        {
            "kind": "new_connection",
            "channel": "counter",
            "category": "residential",
            "applicant_name": "新户",
            "applicant_phone": "13900001111",
            "applicant_address": "竹山路1号",
        },
        follow=True,
    )
    assert "请选择办理单位" in r.content.decode()
    r = client.post(
        "/applications/new/",
        {
            "kind": "new_connection",
            "channel": "counter",
            "category": "residential",
            "applicant_name": "新户",
            "applicant_phone": "13900001111",
            "applicant_address": "竹山路1号",
            "unit": world.station_a.code,
        },
    )
    assert r.status_code == 302 and Application.objects.filter(applicant_name="新户").exists()
    assert _page(world.staff(Role.DISPATCHER, world.county_a)).get("/applications/new/").status_code == 403


def test_new_application_from_a_work_order(world):
    from gridcare.workorders.tests.factories import make_order

    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    customer = CustomerFactory(area=world.area_a, category="residential")
    order = make_order(
        agent,
        customer=customer,
        request_type="service_application",
        subtype="ev_charger",
        dimension="business_handling",
        description="想在小区车位装充电桩",
        contact_name="钱立群",
        contact_phone="13951000000",
    )
    client = _page(agent)
    # The order's page offers to continue it as a staged application (a dispatcher, who may
    # not accept applications, sees no such link).
    order_page = client.get(f"/work-orders/{order.order_no}/").content.decode()
    assert f"/applications/new/?order={order.pk}" in order_page
    dispatcher = _page(world.staff(Role.DISPATCHER, world.county_a))
    assert (
        "/applications/new/?order=" not in dispatcher.get(f"/work-orders/{order.order_no}/").content.decode()
    )
    html = client.get(f"/applications/new/?order={order.pk}").content.decode()
    assert order.order_no in html
    r = client.post("/applications/new/", {"order": order.pk})
    assert r.status_code == 302
    app = Application.objects.get(work_order=order)
    # Continued: the order's page now names the application instead of offering the link.
    order_page = client.get(f"/work-orders/{order.order_no}/").content.decode()
    assert app.number in order_page and "/applications/new/?order=" not in order_page
    assert app.number in dispatcher.get(f"/work-orders/{order.order_no}/").content.decode()
    other = make_order(agent, area=world.area_a)  # a fault report: no card, no query for it
    assert "order-application" not in client.get(f"/work-orders/{other.order_no}/").content.decode()
    assert app.kind == "ev_charger" and app.channel == "hotline" and app.home_visit_due_at is not None
    r = client.post("/applications/new/", {"order": order.pk}, follow=True)
    assert "该工单已转为业务申请" in r.content.decode()


def test_detail_offers_only_usable_actions_and_acts(world):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    crew = world.staff(Role.REPAIR_CREW, world.station_a)
    inspector = world.staff(Role.QUALITY_INSPECTOR, world.county_a)
    app = accept(clerk, unit=world.station_a)
    html = _page(clerk).get(f"/applications/{app.pk}/").content.decode()
    assert f"/applications/{app.pk}/stage/" in html and "/pause/" in html and "/terminate/" in html
    assert "/follow-up/" not in html
    # The first stage is the clerk's: a crew member may not complete it, and sees no button.
    crew_html = _page(crew).get(f"/applications/{app.pk}/").content.decode()
    assert "/stage/" not in crew_html and "/home-visit/" not in crew_html
    insp_html = _page(inspector).get(f"/applications/{app.pk}/").content.decode()
    assert "/pause/" not in insp_html and "/stage/" not in insp_html
    assert _page(inspector).post(f"/applications/{app.pk}/pause/", {"reason": "x"}).status_code == 403
    # Out of order from the page: a message, nothing changes.
    r = _page(clerk).post(
        f"/applications/{app.pk}/stage/", {"stage": "2", "expected_version": app.version}, follow=True
    )
    assert "只能办理当前环节" in r.content.decode()
    # Documents: a file checked by content.
    png = _png()
    r = _page(clerk).post(
        f"/applications/{app.pk}/document/", {"name": "申请人有效身份证明", "file": _upload(png, "id.png")}
    )
    assert r.status_code == 302
    doc = app.documents.get()
    assert _page(clerk).get(f"/applications/{app.pk}/documents/{doc.token}/")["Content-Type"] == "image/png"
    r = _page(clerk).post(
        f"/applications/{app.pk}/document/",
        {"name": "用电地址物业权属证明", "file": _upload(b"#!/bin/sh", "x.pdf")},
        follow=True,
    )
    assert "不支持的文件类型" in r.content.decode()
    _page(clerk).post(f"/applications/{app.pk}/document/", {"name": "用电地址物业权属证明"})
    app.refresh_from_db()
    r = _page(clerk).post(f"/applications/{app.pk}/stage/", {"stage": "1", "expected_version": app.version})
    app.refresh_from_db()
    assert app.current_stage.seq == 2
    _page(clerk).post(
        f"/applications/{app.pk}/pause/", {"reason": "客户补充资料", "expected_version": app.version}
    )
    app.refresh_from_db()
    assert app.status == S.WAITING_CUSTOMER
    _page(clerk).post(f"/applications/{app.pk}/resume/", {"expected_version": app.version})
    _page(clerk).post(f"/applications/{app.pk}/terminate/", {"reason": "客户撤回"})
    app.refresh_from_db()
    assert app.status == S.TERMINATED
    html = _page(clerk).get(f"/applications/{app.pk}/").content.decode()
    assert "/follow-up/" in html and "客户撤回" in html
    _page(clerk).post(
        f"/applications/{app.pk}/follow-up/", {"reason": "客户改用临时用电", "reply": "已电话确认"}
    )
    assert not app.follow_ups.filter(answered_at__isnull=True).exists()


def test_home_visit_from_the_page(world):
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    app = accept(agent, unit=world.station_a, channel="app")
    client = _page(agent)
    assert "/home-visit/" in client.get(f"/applications/{app.pk}/").content.decode()
    r = client.post(
        f"/applications/{app.pk}/home-visit/", {"date": "nonsense", "window": "morning"}, follow=True
    )
    assert "日期格式无效" in r.content.decode()
    import datetime as dt

    day = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    client.post(f"/applications/{app.pk}/home-visit/", {"date": day, "window": "afternoon"})
    app.refresh_from_db()
    assert app.home_visit_window == "afternoon" and app.home_visit_date.isoformat() == day


def test_mine_keeps_unanswered_ones_and_the_supervisor_sees_them(world, django_assert_max_num_queries):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    done = accept(clerk, unit=world.station_a, applicant_name="已办结的")
    for _ in range(3):
        complete(world.staff(Role.ADMIN, world.company), done)
    stalled = accept(clerk, unit=world.station_a, applicant_name="停滞的", now=at(2026, 1, 5))
    ended = accept(clerk, unit=world.station_a, applicant_name="终止的")
    services.application_terminate(actor=clerk, application=ended, reason="客户撤回")
    for _ in range(5):
        accept(clerk, unit=world.station_a)
    client = _page(clerk)
    with django_assert_max_num_queries(12):
        html = client.get("/applications/mine/").content.decode()
    assert "停滞的" in html and "终止的" in html and "已办结的" not in html
    assert html.index("停滞的") < html.index("13905190001") if "13905190001" in html else True
    assert 'data-flag="awaiting"' in html
    home = client.get("/").content.decode()
    assert "我受理的流程" in home
    sup_client = _page(sup)
    with django_assert_max_num_queries(10):
        html = sup_client.get("/applications/clerks/").content.decode()
    assert f"?clerk={clerk.pk}" in html
    html = sup_client.get(f"/applications/clerks/?clerk={clerk.pk}").content.decode()
    assert "停滞的" in html and "终止的" in html
    assert _page(clerk).get("/applications/clerks/").status_code == 403
    assert stalled.pk


def test_report_page_and_excel(world):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    accept(clerk, unit=world.station_a, now=at(2026, 10, 12))
    r = _page(sup).get("/applications/report/?month=2026-10&by=unit")
    assert r.status_code == 200 and world.station_a.name in r.content.decode()
    r = _page(sup).get("/applications/report.xlsx?month=2026-10&by=clerk")
    assert r.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "受理人" and rows[1][1] == 1 and rows[-1][0] == "合计"
    assert _page(sup).get("/applications/report/?month=garbage&by=nothing").status_code == 200
    assert _page(clerk).get("/applications/report/").status_code == 403


def test_plans_page(world):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    admin = world.staff(Role.ADMIN, world.company)
    html = _page(clerk).get("/applications/plans/").content.decode()
    assert "高压双电源新装" in html and "设计审查" in html and "/settings/" not in html
    assert "/settings/application-plans/" in _page(admin).get("/applications/plans/").content.decode()


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 30)).save(buf, "PNG")
    return buf.getvalue()


def _upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_reports_page_links_the_process_report(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    planner = world.staff(Role.PLANNER, world.county_a)
    assert "/applications/report/" in _page(sup).get("/analytics/reports/").content.decode()
    assert "/applications/report/" not in _page(planner).get("/analytics/reports/").content.decode()


def test_new_application_from_a_hall_ticket(world):
    """``?ticket=`` prefills the customer and the counter channel and records the hall
    (the hall app's ``ticket_for_application``); skipped while the hall app is absent."""
    hall_factories = pytest.importorskip("gridcare.hall.tests.factories")
    hall_services = pytest.importorskip("gridcare.hall.services")
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    customer = CustomerFactory(area=world.area_a, category="residential")
    hall = hall_factories.make_hall(world.county_a)
    ticket = hall_services.ticket_take(actor=clerk, hall=hall, service_type="business", customer=customer)
    client = _page(clerk)
    html = client.get(f"/applications/new/?ticket={ticket.pk}").content.decode()
    assert customer.customer_no in html and 'value="counter" selected' in html
    r = client.post("/applications/new/", {"ticket": ticket.pk, "kind": "tou_tariff", "channel": "counter"})
    assert r.status_code == 302
    app = Application.objects.get(customer=customer)
    assert app.hall == hall and app.ticket == ticket and app.channel == "counter"
    # Another county's clerk cannot use the ticket.
    other = world.staff(Role.COUNTER_CLERK, world.county_b)
    html = _page(other).get(f"/applications/new/?ticket={ticket.pk}").content.decode()
    assert customer.customer_no not in html


def test_report_page_query_count_does_not_grow(world, django_assert_max_num_queries):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    for i in range(6):
        clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
        app = accept(clerk, unit=world.station_a, now=at(2026, 10, 12 + i % 3))
        complete(clerk, app, now=at(2026, 10, 15))
    client = _page(sup)
    with django_assert_max_num_queries(16):
        r = client.get("/applications/report/?month=2026-10&by=clerk")
    assert r.content.decode().count("<tr>") >= 6
