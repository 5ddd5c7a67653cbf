"""Figures agree: on the seeded demo, the same figure computed by the report, the ranking,
the dashboard, the home tiles, the lists, the API and a raw query is the same number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _last_month():
    from gridcare.analytics.reports.periods import last_complete

    return last_complete("month", timezone.localdate())


def test_satisfaction_rate_is_one_figure(demo_db):
    from gridcare.analytics.reports.build import build_report
    from gridcare.escalation.choices import SATISFIED_RESULTS, CallbackKind, CallbackResult, CallbackStatus
    from gridcare.escalation.models import CallbackTask
    from gridcare.escalation.selectors import learning_dashboard

    period = _last_month()
    report = build_report(period, scope_path="", scope_name="")
    dashboard = learning_dashboard(demo_db.users["admin"], since=period.since, until=period.until)
    raw = CallbackTask.objects.filter(
        kind=CallbackKind.ORDER,
        status=CallbackStatus.DONE,
        done_at__gte=period.since,
        done_at__lt=period.until,
    )
    surveyed = raw.exclude(result=CallbackResult.UNREACHABLE).count()
    satisfied = raw.filter(result__in=list(SATISFIED_RESULTS)).count()
    unsatisfied = raw.filter(result=CallbackResult.UNSATISFIED).count()
    assert surveyed > 50 and unsatisfied > 0, "the demo month must have callbacks, some unsatisfied"
    expected = {
        "surveyed": surveyed,
        "satisfied": satisfied,
        "unsatisfied": unsatisfied,
        "rate": round(100.0 * satisfied / surveyed, 1),
    }
    assert report["satisfaction"] == expected
    assert dashboard["satisfaction"] == expected
    # The ranking's per-station figures add up to the callbacks of orders located on the grid.
    ranked = {r["unit"]: r for r in report["units"]}
    located = raw.exclude(result=CallbackResult.UNREACHABLE).filter(order__area__isnull=False)
    by_station = {}
    for name, result in located.values_list("order__area__station__name", "result"):
        n, s = by_station.get(name, (0, 0))
        by_station[name] = (n + 1, s + (result in SATISFIED_RESULTS))
    for name, (n, s) in by_station.items():
        assert ranked[name]["satisfaction_rate"] == round(100.0 * s / n, 1), name
    # The published report (files and stored figures) says the same.
    published = demo_db.samples["report"]
    assert published.data["satisfaction"] == expected


def test_overdue_orders_are_one_figure(demo_db):
    """The supervisor's home tile, the list behind its link, the API filter and the
    dispatcher's widget count overdue orders the same way."""
    from gridcare.escalation.home import supervision_widget
    from gridcare.workorders.home import dispatch_widget
    from gridcare.workorders.models import WorkOrder

    now = timezone.now()
    supervisor = demo_db.users["supervisor"]
    request = RequestFactory().get("/")
    request.user = supervisor
    tile = supervision_widget(request)["context"]["counts"]["overdue_orders"]
    page = Client()
    page.force_login(supervisor)
    listed = page.get("/work-orders/?overdue=true").context["paginator"].count
    api = APIClient()
    api.force_authenticate(supervisor)
    via_api = api.get("/api/work-orders/?overdue=true").json()["count"]
    raw = (
        WorkOrder.objects.filter(due_at__lt=now)
        .filter(
            Q(unit_path__startswith=supervisor.staff.unit.path)
            | Q(accepted_path__startswith=supervisor.staff.unit.path)
        )
        .count()
    )
    assert tile == listed == via_api == raw > 0
    # The callback tile counts callbacks, under its own name (it used to overwrite this one).
    assert "callbacks_overdue" in supervision_widget(request)["context"]["counts"]

    dispatcher = demo_db.users["dispatcher"]
    request.user = dispatcher
    counts = dispatch_widget(request)["context"]["counts"]
    page.force_login(dispatcher)
    assert counts["total"] == page.get("/work-orders/queue/").context["paginator"].count
    assert counts["open_overdue"] == page.get("/work-orders/?overdue=true").context["paginator"].count


def test_callback_deadline_is_one_figure(demo_db):
    """Every pending callback task is due exactly when its order's callback clock is."""
    from gridcare.escalation.choices import CallbackKind, CallbackStatus
    from gridcare.escalation.models import CallbackTask
    from gridcare.workorders.choices import ClockKind
    from gridcare.workorders.models import WorkOrderClock

    pending = list(
        CallbackTask.objects.filter(kind=CallbackKind.ORDER, status=CallbackStatus.PENDING).select_related(
            "order"
        )
    )
    assert pending, "the demo must have callbacks waiting"
    clocks = {  # the current cycle's callback clock (an order under callback has met it)
        c.order_id: c.due_at
        for c in WorkOrderClock.objects.filter(
            kind=ClockKind.CALLBACK, order_id__in=[t.order_id for t in pending]
        ).order_by("started_at")
    }
    mismatched = [
        (t.order.order_no, t.due_at, clocks.get(t.order_id))
        for t in pending
        if clocks.get(t.order_id) != t.due_at
    ]
    assert not mismatched, mismatched[:5]
    # And the order page shows that deadline.
    task = pending[0]
    page = Client()
    page.force_login(demo_db.users["admin"])
    body = page.get(f"/work-orders/{task.order.order_no}/").content.decode()
    assert timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M") in body


def test_dashboard_export_matches_the_page(demo_db):
    """The recovery dashboard's Excel export carries the page's figures."""
    import io

    from openpyxl import load_workbook

    from gridcare.escalation.selectors import learning_dashboard

    admin = demo_db.users["admin"]
    today = timezone.localdate()
    since = today - dt.timedelta(days=90)
    page = Client()
    page.force_login(admin)
    response = page.get(f"/escalation/dashboard/?since={since}&until={today}&format=xlsx")
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    by_cause = {row[0]: row[1] for row in wb["失误原因"].iter_rows(min_row=2, values_only=True)}
    tz = timezone.get_current_timezone()
    data = learning_dashboard(
        admin,
        since=dt.datetime.combine(since, dt.time(0), tzinfo=tz),
        until=dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=tz),
    )
    assert sum(by_cause.values()) == data["failures_total"] == sum(r["n"] for r in data["by_cause"]) > 0


def test_manager_kpis_are_the_reports_figures(demo_db):
    """The manager's home shows, for a period and the one before it, the monthly report's
    time-limit compliance, satisfaction and repeated requests and the dashboard's escalations."""
    from gridcare.analytics.home import kpi_widget
    from gridcare.analytics.reports.build import build_report
    from gridcare.analytics.reports.periods import last_complete
    from gridcare.escalation.models import Escalation
    from gridcare.escalation.selectors import learning_dashboard

    manager = demo_db.users["manager"]
    unit = manager.staff.unit  # the city company: its reports cover its path
    month = last_complete("monthly", timezone.localdate())  # a whole month: the published report's
    request = RequestFactory().get("/")
    request.user = manager
    ctx = kpi_widget(request, today=month.end)["context"]
    assert (ctx["current"].start, ctx["current"].end) == (month.start, month.end)
    kpis = {k["key"]: k for k in ctx["kpis"]}
    for period, side in ((ctx["current"], "value"), (ctx["previous"], "previous")):
        report = build_report(period, scope_path=unit.path, scope_name=unit.name)
        dashboard = learning_dashboard(manager, since=period.since, until=period.until)
        assert kpis["compliance"][side] == report["compliance"]["rate"] is not None
        assert kpis["satisfaction"][side] == report["satisfaction"]["rate"] is not None
        assert kpis["repeats"][side] == report["repeats"]["customers"]
        raw = Escalation.objects.filter(
            at__gte=period.since, at__lt=period.until, to_path__startswith=unit.path
        ).count()
        assert kpis["escalations"][side] == sum(r["n"] for r in dashboard["escalations_by_level"]) == raw
        if side == "value":
            assert kpis["compliance"]["detail"] == {
                "due": report["compliance"]["due"],
                "overdue": report["compliance"]["overdue"],
            }
            assert kpis["satisfaction"]["detail"]["surveyed"] == report["satisfaction"]["surveyed"] > 0
    assert kpis["repeats"]["value"] > 0 and kpis["escalations"]["value"] + kpis["escalations"]["previous"] > 0


def test_recovery_dashboard_pages_its_units(demo_db, monkeypatch):
    """The per-unit table is one row per unit, paged; the pages together are the figures'
    every unit, each once, with the time-limit and repeat columns of the same unit."""
    from gridcare.escalation import views

    per_page = 4  # the small demo has about ten units with orders; a city has a hundred and more
    monkeypatch.setattr(views, "DASHBOARD_UNITS_PER_PAGE", per_page)
    page = Client()
    page.force_login(demo_db.users["admin"])
    first = page.get("/escalation/dashboard/")
    data, paginator = first.context["d"], first.context["paginator"]
    assert paginator.count == len(data["compliance"]) > 2 * per_page
    assert 'class="pager"' in first.content.decode()
    rows = []
    for n in range(1, paginator.num_pages + 1):
        response = page.get(f"/escalation/dashboard/?page={n}")
        assert len(response.context["page_obj"]) <= per_page
        rows += list(response.context["page_obj"])
    assert [r["unit"] for r in rows] == [r["unit"] for r in data["compliance"]]
    per_unit = {r["unit"]: r for r in data["per_unit"]}
    for r in rows:
        assert (r["urges"], r["repeats"]) == (per_unit[r["unit"]]["urges"], per_unit[r["unit"]]["repeats"])
