"""The managers' home: the KPIs they are judged on, with the trend against last month.

That the figures are the report's own is cross-checked on the demo in
``gridcare/tests/test_figures.py``; here: who sees the widget, its periods, trends and cost.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from gridcare.analytics.home import kpi_widget
from gridcare.analytics.selectors import kpi_periods, manager_kpis


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_periods_are_this_month_so_far_and_the_same_days_of_last_month():
    current, previous = kpi_periods(dt.date(2026, 3, 31))
    assert (current.start, current.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (previous.start, previous.end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))  # clipped
    current, previous = kpi_periods(dt.date(2026, 1, 12))
    assert (previous.start, previous.end, previous.label) == (
        dt.date(2025, 12, 1),
        dt.date(2025, 12, 12),
        "2025-12",
    )
    assert current.until == dt.datetime.combine(dt.date(2026, 1, 13), dt.time(), tzinfo=current.since.tzinfo)


@pytest.mark.parametrize(
    "role, shown",
    [("manager", True), ("supervisor", True), ("admin", True), ("hotline_agent", False), ("planner", False)],
)
def test_who_sees_the_kpis(world, role, shown):
    user = world.staff(role, unit=world.city)
    assert (kpi_widget(_request(user)) is not None) is shown


def test_trends_say_which_way_is_better(world, monkeypatch):
    from gridcare.analytics import selectors

    figures = iter(
        [
            {"compliance": 90.0, "satisfaction": 95.0, "repeats": 4, "escalations": 2},
            {"compliance": 92.5, "satisfaction": None, "repeats": 3, "escalations": 2},
        ]
    )

    def fake(user, period, path):
        f = next(figures)
        return {**f, "compliance_due": 10, "compliance_overdue": 1, "surveyed": 0}

    monkeypatch.setattr(selectors, "_kpi_figures", fake)
    current, previous = kpi_periods(dt.date(2026, 11, 20))
    kpis = {k["key"]: k for k in manager_kpis(world.staff("manager", unit=world.city), current, previous)}
    assert (kpis["compliance"]["delta"], kpis["compliance"]["trend"], kpis["compliance"]["good"]) == (
        -2.5,
        "down",
        False,
    )
    assert (kpis["satisfaction"]["delta"], kpis["satisfaction"]["trend"]) == (None, None)
    assert (kpis["repeats"]["delta"], kpis["repeats"]["good"]) == (1, False)
    assert (kpis["escalations"]["trend"], kpis["escalations"]["good"]) == ("flat", None)


def test_the_widget_costs_a_few_aggregate_queries(world, django_assert_num_queries):
    manager = world.staff("manager", unit=world.city)
    request = _request(manager)
    kpi_widget(request)  # the user's staff profile and role are read once per request
    # Per period: compliance, satisfaction, repeats, escalations — one aggregate each.
    with django_assert_num_queries(8):
        widget = kpi_widget(request)
    assert [k["key"] for k in widget["context"]["kpis"]] == [
        "compliance",
        "satisfaction",
        "repeats",
        "escalations",
    ]


def test_the_home_page_shows_the_kpis(world, client):
    client.force_login(world.staff("manager", unit=world.city))
    page = client.get("/").content.decode()
    assert 'data-kpi="compliance"' in page and "上月同期" in page
    client.force_login(world.staff("hotline_agent"))
    assert 'data-kpi="compliance"' not in client.get("/").content.decode()
