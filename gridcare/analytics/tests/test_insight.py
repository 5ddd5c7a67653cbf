"""Work-order import, periodic reports, pages and API of service intelligence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gridcare.analytics.models import PublishedReport
from gridcare.analytics.reports import parse_period, report_publish, reports_publish_due
from gridcare.core.tabular import ImportFailed
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.workorders.importers import import_work_orders
from gridcare.workorders.models import WorkOrder, WorkOrderEvent

from .insight_data import make_orders

HEADER = "order_no,created_at,channel,request_type,dimension,customer_no,area_code,text,status,closed_at,satisfaction\n"


@pytest.fixture
def customer(world):
    return CustomerFactory(customer_no="3100000001", area=world.area_a)


def test_import_creates_orders_with_units_and_events(world, customer):
    csv = HEADER + (
        "H001,2026-10-01 08:30,hotline,fault_repair,supply_reliability,3100000001,,家里停电了,archived,"
        "2026-10-01 11:00,basically_satisfied\n"
        "H002,2026/10/02 09:00,counter,complaint,service_attitude,,TA-B1,营业员态度差,accepted,,\n"
    )
    report = import_work_orders(source=csv.encode(), name="h.csv")
    assert report.ok and report.created == 2
    a = WorkOrder.objects.get(order_no="H001")
    assert a.area == world.area_a and a.unit == world.area_a.station and a.satisfied is True
    assert a.closed_at and a.unit_path == world.station_a.path
    b = WorkOrder.objects.get(order_no="H002")
    assert b.unit == world.station_b and b.customer is None
    ev = WorkOrderEvent.objects.filter(order=a).order_by("at")
    assert [e.action for e in ev] == ["create", "archive"]
    assert ev[0].data["satisfaction"] == "basically_satisfied"


def test_import_reports_every_bad_row_and_writes_nothing(world, customer):
    csv = HEADER + (
        "H1,2026-10-01 08:30,fax,fault_repair,supply_reliability,3100000001,,停电,archived,2026-10-01 09:00,\n"
        "H1,2026-10-01 08:30,hotline,nonsense,supply_reliability,3100000001,,停电,archived,2026-10-01 09:00,\n"
        "H3,yesterday,hotline,fault_repair,bogus,999,,停电,archived,2026-10-01 09:00,ok\n"
        "H4,2026-10-02 08:30,hotline,fault_repair,supply_reliability,,XX,停电,archived,2026-10-01 09:00,\n"
        "H5,2026-10-02 08:30,hotline,fault_repair,supply_reliability,,TA-A1,  ,archived,,\n"
    )
    with pytest.raises(ImportFailed) as exc:
        import_work_orders(source=csv.encode(), name="bad.csv")
    errs = {(e.row, e.column) for e in exc.value.report.errors}
    assert {(2, "channel"), (3, "order_no"), (3, "request_type"), (4, "created_at"), (4, "dimension")} <= errs
    assert {(4, "customer_no"), (4, "satisfaction"), (5, "area_code"), (6, "text"), (6, "closed_at")} <= errs
    assert not WorkOrder.objects.exists()


def test_import_classifies_missing_labels_and_reimport_updates(world, customer):
    csv = HEADER + "H9,2026-10-01 08:30,app,,,3100000001,,我家突然停电了，邻居家也没电，快来修,accepted,,\n"
    import_work_orders(source=csv.encode(), name="c.csv")
    order = WorkOrder.objects.get(order_no="H9")
    assert order.request_type and order.dimension
    ev = WorkOrderEvent.objects.get(order=order)
    assert ev.data["classified"]["version"]
    csv2 = HEADER + (
        "H9,2026-10-01 08:30,app,complaint,service_attitude,3100000001,,我家突然停电了,archived,"
        "2026-10-02 08:00,unsatisfied\n"
    )
    report = import_work_orders(source=csv2.encode(), name="c2.csv")
    assert report.updated == 1 and report.created == 0
    order.refresh_from_db()
    assert order.status == "archived" and order.satisfied is False and order.request_type == "complaint"


def test_import_never_overwrites_live_orders(world, customer):
    WorkOrder.objects.bulk_create(
        make_orders(
            world.area_a,
            1,
            start=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
            end=dt.datetime(2026, 10, 2, tzinfo=dt.UTC),
        )
    )
    live = WorkOrder.objects.get()
    csv = (
        HEADER + f"{live.order_no},2026-10-01 08:30,app,complaint,service_attitude,,TA-A1,态度差,accepted,,\n"
    )
    with pytest.raises(ImportFailed):
        import_work_orders(source=csv.encode(), name="x.csv")


def test_periods():
    p = parse_period("monthly", "2026-10")
    assert (p.start, p.end, p.previous().label, p.last_year().label) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
        "2026-09",
        "2025-10",
    )
    w = parse_period("weekly", "2026-W44")
    assert w.start.isoweekday() == 1 and w.days == 7 and w.previous().label == "2026-W43"


@pytest.fixture
def october(world, customer, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 10, 30, tzinfo=dt.UTC)
    orders = make_orders(world.area_a, 30, start=start, end=end)
    orders += make_orders(
        world.area_a,
        12,
        request_type="consultation",
        dimension="billing_payment",
        start=start,
        end=end,
        text="电费怎么交，能不能用微信缴纳电费",
    )
    orders += make_orders(
        world.area_b,
        8,
        request_type="complaint",
        dimension="service_attitude",
        start=start,
        end=end,
        text="营业厅工作人员态度很差",
    )
    for o in orders[:10]:
        o.customer = customer
    WorkOrder.objects.bulk_create(orders)
    return parse_period("monthly", "2026-10")


def test_report_publish_writes_files_and_is_idempotent(october, settings):
    report = report_publish(period=october)
    assert report.data["totals"]["count"] == 50
    assert report.data["repeats"]["customers"] == 1
    assert {r["code"] for r in report.data["by_type"]} == {"fault_repair", "consultation", "complaint"}
    assert report.data["consultation"]["topics"]
    assert (settings.DATA_DIR / report.pdf_file).read_bytes()[:4] == b"%PDF"
    assert (settings.DATA_DIR / report.xlsx_file).read_bytes()[:2] == b"PK"
    again = report_publish(period=october, replace=False)
    assert again.pk == report.pk and again.generated_at == report.generated_at


def test_scheduled_job_publishes_last_periods_once(october):
    done = reports_publish_due(today=dt.date(2026, 11, 3))
    assert done == ["weekly 2026-W44", "monthly 2026-10"]
    assert reports_publish_due(today=dt.date(2026, 11, 3)) == []
    assert PublishedReport.objects.count() == 2


def test_pages_and_permissions(october, client, world, django_capture_on_commit_callbacks):
    report = report_publish(period=october)
    manager = world.staff("manager", unit=world.city)
    client.force_login(manager)
    for name, args in (
        ("analytics:hotspots", ()),
        ("analytics:reports", ()),
        ("analytics:consultation", ()),
        ("analytics:report-detail", (report.pk,)),
    ):
        resp = client.get(reverse(name, args=args))
        assert resp.status_code == 200, name
    assert b"<svg" in client.get(reverse("analytics:report-detail", args=[report.pk])).content
    assert client.get(reverse("analytics:report-file", args=[report.pk, "pdf"])).status_code == 200
    resp = client.get(reverse("analytics:hotspots-export", args=["planning"]))
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    with django_capture_on_commit_callbacks(execute=True):  # the job's task runs (immediate backend)
        resp = client.post(reverse("analytics:report-publish"), {"kind": "weekly", "period": "2026-W44"})
    assert resp.status_code == 302
    assert PublishedReport.objects.filter(kind="weekly", scope_path=world.city.path).exists()
    client.force_login(world.staff("hotline_agent"))
    assert client.get(reverse("analytics:hotspots")).status_code == 403
    assert client.get("/api/hotspots/").status_code == 403


def test_api(october, client, world):
    report = report_publish(period=october)
    client.force_login(world.staff("planner", unit=world.county_a))
    resp = client.get("/api/hotspots/?level=area&days=90")
    assert resp.status_code == 200 and isinstance(resp.json(), list)
    data = client.get("/api/analysis-reports/").json()
    assert data["results"][0]["period"] == "2026-10"
    detail = client.get(f"/api/analysis-reports/{report.pk}/").json()
    assert detail["data"]["totals"]["count"] == 50
