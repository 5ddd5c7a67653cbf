"""Home-page widgets per role: the right content, a bounded number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridcare.escalation import services as esc
from gridcare.org.choices import Role
from gridcare.workorders import services as svc

from .factories import make_order

pytestmark = pytest.mark.django_db

# The KPI widget of managers and supervisors: this month and last, one query per figure
# pair (compliance, satisfaction, repeats, escalations) plus the scope's lookups.
KPI_QUERIES = 6


def _home(client, user, max_queries):
    client.force_login(user)
    client.get("/")  # warm caches (session, calendar)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get("/")
    assert resp.status_code == 200
    assert len(ctx.captured_queries) <= max_queries, "\n".join(q["sql"][:150] for q in ctx.captured_queries)
    return resp.content.decode()


def test_agent_sees_own_open_orders_with_remaining_time(world, client):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    past = timezone.now() - dt.timedelta(hours=3)
    overdue = make_order(agent, area=world.area_a, now=past)
    for i in range(5):
        make_order(agent, area=world.area_a, description=f"家里停电了{i}")
    other = make_order(world.staff(Role.HOTLINE_AGENT, world.city), area=world.area_a)
    html = _home(client, agent, 10)
    assert "我受理的在途工单" in html and overdue.order_no in html and other.order_no not in html
    assert "在途 6 张，其中超时 1 张" in html and "剩余" in html and "超时" in html


def test_dispatcher_sees_queue_counts(world, client):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    make_order(agent, area=world.area_a, now=timezone.now() - dt.timedelta(hours=2))
    make_order(agent, area=world.area_a)
    make_order(agent, area=world.area_b)  # another county
    html = _home(client, dispatcher, 10)
    assert "待派单 2 张，其中超时 1 张" in html


def test_crew_sees_assigned_orders(world, client):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    crew = world.staff(Role.REPAIR_CREW, world.team_a)
    order = make_order(agent, area=world.area_a)
    svc.work_order_dispatch(actor=dispatcher, order=order, unit=world.team_a, handler=crew)
    html = _home(client, crew, 10)
    assert "我的工单" in html and order.order_no in html


def test_supervisor_sees_escalations_overdue_and_callbacks(world, client):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    supervisor = world.staff(Role.SUPERVISOR, world.county_a)
    old = timezone.now() - dt.timedelta(hours=5)
    order = make_order(agent, area=world.area_a, now=old)
    esc.sla_watch_refresh(order=order)
    esc.sla_sweep()
    # + 1: the sites not inspected this quarter (inspections' widget, one grouped query)
    html = _home(client, supervisor, 12 + KPI_QUERIES)
    assert "督办概况" in html and order.order_no in html
    assert "在途升级督办" in html and "今日应回访" in html


@pytest.mark.parametrize("role", [r for r in Role.values])
def test_home_renders_for_every_role_with_widgets(world, client, role):
    from gridcare.core.authz import has_perm

    user = world.staff(role, world.county_a)
    kpis = KPI_QUERIES if has_perm(user, "analytics.view_kpis") else 0
    inspections = 1 if has_perm(user, "inspections.view") else 0  # the sites owed an inspection
    _home(client, user, 11 + kpis + inspections)
