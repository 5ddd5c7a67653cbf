"""The periodic report at scale: its figures are counted in the database (checked here against
a plain per-order count of the same orders), building it takes the same number of queries
whatever the number of orders, and the job page says which part is being computed."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gridcare.analytics.choices import ReportJobStatus, ReportJobStep
from gridcare.analytics.models import ReportJob
from gridcare.analytics.reports import build, parse_period
from gridcare.analytics.reports import services as report_services
from gridcare.analytics.reports.build import SECTIONS, build_report
from gridcare.analytics.reports.progress import TOTAL, jobs_progress, section_started
from gridcare.analytics.reports.services import report_job_request, report_job_run
from gridcare.core.calendar import local_tz
from gridcare.surveys.tests.factories import customers
from gridcare.workorders.choices import Channel, ClockKind, Dimension, RequestType
from gridcare.workorders.models import WorkOrder, WorkOrderClock

pytestmark = pytest.mark.django_db
OCTOBER = parse_period("monthly", "2026-10")
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
TEXTS = ["停电了请尽快处理", "电压低灯泡发暗", "电费怎么这么高", "营业厅态度很差", "咨询峰谷电价办理"]


def _month_of_orders(world, n: int, *, seed: int = 1) -> list[WorkOrder]:
    """``n`` orders spread over October 2026 (and a few just outside it) in both counties:
    every channel, type and dimension, repeat customers, merged children, urged orders, and
    each order's clocks met on time, late or still running past due."""
    rnd = random.Random(seed)
    people = customers(world.area_a, 6) + customers(world.area_b, 4)
    areas = [world.area_a, world.area_b]
    start = OCTOBER.since - dt.timedelta(days=2)
    span = (OCTOBER.until - start).total_seconds() + 2 * 86400
    rows = []
    per_type = Counter()
    for i in range(n):
        area = rnd.choice(areas)
        at = start + dt.timedelta(seconds=int(rnd.random() * span))
        request_type = rnd.choice(RequestType.values)
        per_type[request_type] += 1
        rows.append(
            WorkOrder(
                order_no=f"S{seed:02d}{i:07d}",
                channel=rnd.choice(Channel.values),
                request_type=request_type,
                dimension=rnd.choice(Dimension.values),
                # Each type's texts in turn: the same topics at any size.
                description=TEXTS[per_type[request_type] % len(TEXTS)],
                customer=rnd.choice(people) if rnd.random() < 0.7 else None,
                area=area if rnd.random() < 0.9 else None,
                feeder_id=area.feeder_id,
                area_class=area.area_class,
                unit_id=area.station_id,
                unit_path=area.station.path,
                accepted_unit_id=area.station_id,
                accepted_path=area.station.path,
                created_at=at,
                status="archived",
                closed_at=at + dt.timedelta(hours=3),
                urge_count=1 if rnd.random() < 0.1 else 0,
            )
        )
    orders = WorkOrder.objects.bulk_create(rows)
    masters = [o for o in orders if o.request_type in build.ISSUE_TYPES]
    for child in rnd.sample(orders, n // 10):
        master = rnd.choice(masters)
        if master.pk != child.pk:
            WorkOrder.objects.filter(pk=child.pk).update(master=master)
    clocks = []
    for o in orders:
        for kind in rnd.sample(ClockKind.values, 2):
            due = o.created_at + dt.timedelta(hours=rnd.choice([2, 24, 72]))
            met = rnd.choice([None, due - dt.timedelta(minutes=5), due + dt.timedelta(minutes=5)])
            clocks.append(
                WorkOrderClock(
                    order=o,
                    kind=kind,
                    basis="minutes",
                    amount=60,
                    started_at=o.created_at,
                    due_at=due,
                    met_at=met,
                )
            )
    WorkOrderClock.objects.bulk_create(clocks)
    return list(WorkOrder.objects.order_by("-created_at", "-id"))


def _in(period, orders):
    return [o for o in orders if period.since <= o.created_at < period.until]


def _naive(world, orders) -> dict:
    """The report's counted figures, computed order by order in Python."""
    mine = _in(OCTOBER, orders)
    counts = {f: Counter(getattr(o, f) for o in mine) for f in ("channel", "request_type", "dimension")}
    previous = _in(OCTOBER.previous(), orders)
    daily = Counter(timezone.localtime(o.created_at, local_tz()).date().isoformat() for o in mine)
    repeat = [o for o in mine if o.customer_id and o.request_type != RequestType.PRAISE]
    per_customer = Counter(o.customer_id for o in repeat)
    repeated = {c: n for c, n in per_customer.items() if n >= 2}
    top = sorted(repeated.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    dims = defaultdict(Counter)
    for o in repeat:  # newest first: the order Counter keeps for ties
        dims[o.customer_id][o.dimension] += 1
    stations = defaultdict(Counter)
    for o in mine:
        if o.area_id:
            st = o.area.station_id
            stations[st]["orders"] += 1
            stations[st]["complaints"] += o.request_type == RequestType.COMPLAINT
    now = timezone.now()
    due = on_time = 0
    for c in WorkOrderClock.objects.filter(due_at__gte=OCTOBER.since, due_at__lt=OCTOBER.until):
        if c.met_at is not None or c.due_at < now:
            due += 1
            on_time += c.met_at is not None and c.met_at <= c.due_at
    return {
        "total": len(mine),
        "previous": len(previous),
        "counts": counts,
        "daily": daily,
        "repeats": (len(repeated), sum(repeated.values()), sum(1 for o in repeat if o.urge_count > 0)),
        "top": [(n, [str(Dimension(d).label) for d, _ in dims[c].most_common(3)]) for c, n in top],
        "stations": {st: (c["orders"], c["complaints"]) for st, c in stations.items()},
        "compliance": (due, on_time),
        "issues": sum(1 for o in mine if o.request_type in build.ISSUE_TYPES and o.master_id is None),
        "consultations": sum(1 for o in mine if o.request_type == RequestType.CONSULTATION),
    }


def _figures(world, report: dict) -> dict:
    names = {world.station_a.name: world.station_a.pk, world.station_b.name: world.station_b.pk}
    return {
        "total": report["totals"]["count"],
        "previous": report["totals"]["previous"],
        "counts": {
            f: Counter({r["code"]: r["count"] for r in report[key] if r["count"]})
            for f, key in (
                ("channel", "by_channel"),
                ("request_type", "by_type"),
                ("dimension", "by_dimension"),
            )
        },
        "daily": Counter({d["date"]: d["count"] for d in report["daily"] if d["count"]}),
        "repeats": tuple(report["repeats"][k] for k in ("customers", "orders", "urged_orders")),
        "top": [(r["count"], r["dimensions"].split("、")) for r in report["repeats"]["top"]],
        "stations": {names[u["unit"]]: (u["orders"], u["complaints"]) for u in report["units"]},
        "compliance": (report["compliance"]["due"], report["compliance"]["on_time"]),
        "issues": report["top_issues"]["total"],
        "consultations": report["consultation"]["total"],
    }


@pytest.mark.parametrize("n", [40, 160])
def test_counted_figures_equal_a_per_order_count(world, n):
    orders = _month_of_orders(world, n, seed=n)
    report = build_report(OCTOBER)
    expected = _naive(world, orders)
    assert expected["total"] and expected["repeats"][0] and expected["compliance"][0], (
        "the fixture covers them"
    )
    assert _figures(world, report) == expected


def test_topic_texts_are_an_even_spread_picked_in_the_database(world, monkeypatch):
    """Beyond the cap, the clustered texts are every step-th order of the period by id — the same
    orders as reading every id and slicing, without reading them."""
    orders = _month_of_orders(world, 60)
    for i, o in enumerate(orders):
        o.description = f"{TEXTS[i % 5]}{o.pk}"
    WorkOrder.objects.bulk_update(orders, ["description"])
    qs = build.orders_in(OCTOBER)
    n = qs.count()
    monkeypatch.setattr(build, "MAX_TOPIC_TEXTS", 7)
    step = n // 7 + 1
    ids = sorted(o.pk for o in _in(OCTOBER, orders))[::step]
    expected = [o.description for o in WorkOrder.objects.filter(pk__in=ids)]
    with CaptureQueriesContext(connection) as ctx:
        texts = build._texts(qs, n)
    assert texts == expected and len(texts) == len(ids) <= 7
    assert len(ctx) == 1
    monkeypatch.setattr(build, "MAX_TOPIC_TEXTS", 4000)
    assert sorted(build._texts(qs, n)) == sorted(o.description for o in _in(OCTOBER, orders))


def _queries(world, n: int, seed: int) -> int:
    WorkOrderClock.objects.all().delete()
    WorkOrder.objects.all().delete()
    _month_of_orders(world, n, seed=seed)
    build_report(OCTOBER)  # warm the per-process caches (calendar, settings) of the first build
    with CaptureQueriesContext(connection) as ctx:
        report = build_report(OCTOBER)
    assert report["totals"]["count"] > 0
    return len(ctx)


def test_building_a_report_takes_as_many_queries_for_more_orders(world):
    small = _queries(world, 120, seed=3)
    large = _queries(world, 400, seed=4)
    assert small == large
    assert small < 200


def test_progress_names_each_section_in_order(world):
    _month_of_orders(world, 20)
    seen = []
    report = build_report(OCTOBER, progress=seen.append)
    assert seen == [key for key, _label, _fn in SECTIONS]
    assert list(report)[7:] == [
        "totals",
        "by_channel",
        "by_type",
        "by_dimension",
        "daily",
        "top_issues",
        "consultation",
        "repeats",
        "compliance",
        "satisfaction",
        "units",
        "hotspots",
        "inspections",
        "knowledge",
        "surveys",
    ]


def test_the_job_rows_say_which_part_is_running(world, client, settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    settings.TASKS = DUMMY_TASKS
    _month_of_orders(world, 20)
    manager = world.staff("manager", unit=world.city)
    job = report_job_request(actor=manager, period=OCTOBER, unit=manager.staff.unit)
    client.force_login(manager)
    seen = []
    real = build._units

    def units(period, scope_path):
        seen.append(client.get(reverse("analytics:report-jobs")).content.decode())
        return real(period, scope_path)

    monkeypatch.setattr(build, "_units", units)
    real_pdf = report_services.render_pdf

    def render_pdf(data):
        seen.append(client.get(reverse("analytics:report-jobs")).content.decode())
        return real_pdf(data)

    monkeypatch.setattr(report_services, "render_pdf", render_pdf)
    assert report_job_run(job_id=job.pk) == ReportJobStatus.DONE
    during_units, during_pdf = seen
    index = [k for k, _l, _f in SECTIONS].index("units")
    assert "计算指标：单位排名" in during_units and f"{index}/{TOTAL}" in during_units
    assert 'hx-trigger="every 3s"' in during_units, "the rows refresh themselves while it runs"
    assert "生成 PDF" in during_pdf and f"{len(SECTIONS) + 1}/{TOTAL}" in during_pdf
    done = client.get(reverse("analytics:report-jobs")).content.decode()
    assert 'data-job-status="done"' in done and "hx-trigger" not in done


def test_progress_of_queued_failed_and_unknown_sections(world, settings):
    settings.TASKS = DUMMY_TASKS
    manager = world.staff("manager", unit=world.city)
    job = report_job_request(actor=manager, period=OCTOBER, unit=manager.staff.unit)
    jobs_progress([job])
    assert (job.done_parts, job.part) == (0, "")
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJobStatus.BUILDING, step=ReportJobStep.FIGURES)
    job.refresh_from_db()
    jobs_progress([job])
    assert (job.done_parts, job.part) == (0, "计算指标"), "no section recorded yet"
    section_started(job.pk, "hotspots")
    jobs_progress([job])
    assert job.done_parts == [k for k, _l, _f in SECTIONS].index("hotspots") and "热点台区" in job.part
    section_started(job.pk, "gone")  # a section a newer version no longer has
    jobs_progress([job])
    assert job.part == "计算指标"
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJobStatus.FAILED)
    job.refresh_from_db()
    jobs_progress([job])
    assert job.done_parts == 0 and job.part == ""
