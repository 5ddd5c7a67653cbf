"""Crew times against commitments (抢修时效): hand-computed compliance and times, grouping by
crew member, the month window, scoping, the permission, and a constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gridcare.org.choices import Role
from gridcare.outages.repair_times import p90, repair_times
from gridcare.workorders import services as svc
from gridcare.workorders.tests.factories import at, make_order

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)
NOW = at(2026, 4, 1, 9, 0)  # the month is over: every clock still open is past due
M = dt.timedelta(minutes=1)


@pytest.fixture
def people(world):
    class P:
        agent = world.staff(Role.HOTLINE_AGENT, world.city)
        dispatcher = world.staff(Role.DISPATCHER, world.county_a)
        crew1 = world.staff(Role.REPAIR_CREW, world.team_a, username="crew1")
        crew2 = world.staff(Role.REPAIR_CREW, world.team_a, username="crew2")
        supervisor = world.staff(Role.SUPERVISOR, world.county_a)
        dispatcher_b = world.staff(Role.DISPATCHER, world.county_b)

    return P


def repair(people, world, *, t0, handler, depart=None, arrive=None, restore=None):
    """An urban fault order accepted at ``t0`` (arrival 45 min; restoration 3 h after
    arrival), dispatched to the crew, then departed / arrived / restored ``n`` minutes after t0."""
    order = make_order(people.agent, area=world.area_a, now=t0)
    order = svc.work_order_dispatch(
        actor=people.dispatcher, order=order, unit=world.team_a, handler=handler, now=t0
    )
    crew = handler or people.crew1
    if depart is not None:
        order = svc.work_order_depart(actor=crew, order=order, at=t0 + depart * M, now=t0 + depart * M)
    if arrive is not None:
        order = svc.work_order_start(actor=crew, order=order, at=t0 + arrive * M, now=t0 + arrive * M)
    if restore is not None:
        order = svc.work_order_restore(
            actor=crew, order=order, fault_cause="fuse", at=t0 + restore * M, now=t0 + restore * M
        )
    return order


@pytest.fixture
def month(world, people):
    day = dt.timedelta(days=1)
    t0 = at(2026, 3, 2, 9, 0)
    # on time both ways: travel 25, arrival 30, restoration 120 after arrival
    repair(people, world, t0=t0, handler=people.crew1, depart=5, arrive=30, restore=150)
    # late both ways: travel 50, arrival 60 (> 45), restoration 240 (> 180)
    repair(people, world, t0=t0 + day, handler=people.crew1, depart=10, arrive=60, restore=300)
    # the other crew member, on time: travel 20, arrival 40, restoration 60
    repair(people, world, t0=t0 + 2 * day, handler=people.crew2, depart=20, arrive=40, restore=100)
    # still open (no one on site; both clocks past due at NOW), no handler named
    repair(people, world, t0=t0 + 3 * day, handler=None)
    # February: outside the month
    repair(people, world, t0=at(2026, 2, 27, 9, 0), handler=people.crew1, depart=5, arrive=30)
    # Another county's order in March: not the supervisor's
    other = make_order(people.agent, area=world.area_b, now=t0)
    svc.work_order_dispatch(actor=people.dispatcher_b, order=other, unit=world.station_b, now=t0)


def test_totals_hand_computed(month, people):
    total = repair_times(people.supervisor, month=MARCH, now=NOW)["total"]
    assert total["orders"] == 4
    assert (total["arrival_on_time"], total["arrival_late"], total["arrival_open"]) == (2, 1, 1)
    assert total["arrival_rate"] == 50.0  # 2 on time / (2 met + 1 late + 1 open past due)
    assert total["restoration_on_time"] == 2 and total["restoration_due"] == 4
    assert total["restoration_rate"] == 50.0
    assert total["to_arrival_median"] == 40.0 and total["to_arrival_p90"] == 60.0  # 30, 40, 60
    assert total["to_restoration_median"] == 120.0 and total["to_restoration_p90"] == 240.0  # 60, 120, 240
    assert total["travel_median"] == 25.0  # 20, 25, 50


def test_grouped_by_crew_member(month, people):
    rows = {
        r["key"]: r for r in repair_times(people.supervisor, month=MARCH, group="handler", now=NOW)["rows"]
    }
    one, two, nobody = rows[people.crew1.pk], rows[people.crew2.pk], rows[None]
    assert one["orders"] == 2 and one["arrival_rate"] == 50.0 and one["restoration_rate"] == 50.0
    assert one["to_arrival_median"] == 45.0 and one["to_arrival_p90"] == 60.0
    assert one["travel_median"] == 37.5
    assert two["orders"] == 1 and two["arrival_rate"] == 100.0 and two["to_restoration_median"] == 60.0
    assert nobody["orders"] == 1 and nobody["arrival_open"] == 1 and nobody["arrival_rate"] == 0.0
    assert nobody["to_arrival_median"] is None
    assert str(nobody["label"]) == "未指定处理人"


def test_grouped_by_unit_and_area_class(month, people, world):
    by_unit = repair_times(people.supervisor, month=MARCH, group="unit", now=NOW)["rows"]
    assert [(r["key"], r["orders"]) for r in by_unit] == [(world.team_a.pk, 4)]
    by_class = repair_times(people.supervisor, month=MARCH, group="area_class", now=NOW)["rows"]
    assert [(r["key"], r["orders"]) for r in by_class] == [("urban", 4)]


def test_scoped_to_the_users_units(month, people, world):
    county_b = world.staff(Role.SUPERVISOR, world.county_b)
    assert repair_times(county_b, month=MARCH, now=NOW)["total"]["orders"] == 1
    city = world.staff(Role.SUPERVISOR, world.city)
    assert repair_times(city, month=MARCH, now=NOW)["total"]["orders"] == 5


def test_nearest_rank_p90():
    assert p90([]) is None
    assert p90([7]) == 7
    assert p90(list(range(1, 11))) == 9
    assert p90(list(range(1, 12))) == 10


def test_page_renders_and_needs_outages_view(month, people, world):
    client = Client()
    client.force_login(people.supervisor)
    resp = client.get("/outages/repair-times/", {"month": "2026-03", "group": "handler"})
    assert resp.status_code == 200
    assert resp.context["data"]["total"]["orders"] == 4
    assert client.get("/outages/repair-times/").status_code == 200
    bad = client.get("/outages/repair-times/", {"month": "2026/3"})
    assert bad.status_code == 200 and bad.context["data"] is None
    planner = Client()
    planner.force_login(world.staff(Role.PLANNER, world.county_a))
    assert planner.get("/outages/repair-times/").status_code == 403


def test_query_count_does_not_grow_with_orders(world, people, django_assert_num_queries):
    client = Client()
    client.force_login(people.supervisor)
    t0 = at(2026, 3, 2, 9, 0)
    repair(people, world, t0=t0, handler=people.crew1, depart=5, arrive=30, restore=150)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert (
                client.get("/outages/repair-times/", {"month": "2026-03", "group": "handler"}).status_code
                == 200
            )
        return len(ctx.captured_queries)

    few = count()
    for i in range(1, 6):
        repair(people, world, t0=t0 + dt.timedelta(hours=i), handler=people.crew2, depart=5, arrive=30)
    assert count() == few
    with django_assert_num_queries(2):
        repair_times(people.supervisor, month=MARCH, group="handler", now=NOW)
