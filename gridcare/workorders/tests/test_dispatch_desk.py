"""The dispatch desk: the handler picked from the chosen unit's people with their open load,
the unit list starting at the order's own station, and a queue that refreshes itself."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gridcare.org.choices import Role, UnitKind
from gridcare.org.tests.factories import OrgUnitFactory, StaffFactory, UserFactory
from gridcare.workorders import services
from gridcare.workorders.models import WorkOrder
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _person(unit, role=Role.REPAIR_CREW, *, name, username, active=True):
    return StaffFactory(
        user=UserFactory(username=username, is_active=active), unit=unit, role=role, display_name=name
    ).user


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def test_handler_list_is_the_units_people_with_their_open_load(world, people):
    wang = _person(world.team_a, name="王师傅", username="wang")
    li = _person(world.team_a, name="李师傅", username="li")
    _person(world.team_a, name="离职", username="gone", active=False)
    _person(world.team_a, Role.PLANNER, name="计划员", username="plan")  # takes no orders
    _person(world.station_b, name="外县", username="far")  # another county
    for _ in range(2):
        order = make_order(people.agent, area=world.area_a)
        services.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a, handler=wang)
    done = make_order(people.agent, area=world.area_a)
    services.work_order_dispatch(actor=people.dispatcher, order=done, unit=world.team_a, handler=li)
    services.work_order_start(actor=li, order=done)
    services.work_order_reply(actor=li, order=done, reply="已修复")  # no longer open: no load
    order = make_order(people.agent, area=world.area_a)
    url = f"/work-orders/{order.order_no}/handlers/?unit={world.team_a.code}"
    c = _client(people.dispatcher)
    response = c.get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert set(_options(html, "handler")) == {"", "wang", "li", people.crew.username}
    assert "王师傅（在办 2 张）" in html and "李师傅（在办 0 张）" in html
    # The station's list includes its teams; the query count does not grow with the people.
    with CaptureQueriesContext(connection) as few:
        c.get(f"/work-orders/{order.order_no}/handlers/?unit={world.station_a.code}")
    for i in range(6):
        _person(world.team_a, name=f"新人{i}", username=f"new{i}")
    with CaptureQueriesContext(connection) as many:
        html = c.get(f"/work-orders/{order.order_no}/handlers/?unit={world.station_a.code}").content.decode()
    assert "new5" in html and len(many.captured_queries) == len(few.captured_queries)


def test_handler_list_answers_bad_input_and_strangers(world, people):
    order = make_order(people.agent, area=world.area_a)
    c = _client(people.dispatcher)
    bad = c.get(f"/work-orders/{order.order_no}/handlers/?unit=NOPE")
    assert bad.status_code == 400 and "目标单位" in bad.content.decode()
    # Without a unit: the order's own unit.
    assert _options(c.get(f"/work-orders/{order.order_no}/handlers/").content.decode(), "handler")
    assert _client(people.crew).get(f"/work-orders/{order.order_no}/handlers/").status_code == 403
    assert _client(people.dispatcher_b).get(f"/work-orders/{order.order_no}/handlers/").status_code == 404
    # A unit beyond the dispatcher's reach (a transfer target): its people are not shown.
    html = c.get(f"/work-orders/{order.order_no}/handlers/?unit={world.station_b.code}").content.decode()
    assert _options(html, "handler") == [""] and "由接收单位安排" in html


def test_unit_lists_start_at_the_orders_own_station(world, people):
    # Another station of county A, sorting before station A by its path.
    early = OrgUnitFactory(code="NJ0100", name="甲供电所", kind=UnitKind.STATION, parent=world.county_a)
    OrgUnitFactory(code="NJ010001", name="甲抢修班", kind=UnitKind.TEAM, parent=early)
    order = make_order(people.agent, area=world.area_a)
    assert order.unit == world.station_a
    page = _client(people.dispatcher).get(f"/work-orders/{order.order_no}/").content.decode()
    forms = re.findall(r'<form method="post" action="/work-orders/[^/]+/act/(\w+)/".*?</form>', page, re.S)
    assert "dispatch" in forms
    dispatch = re.search(r'action="/work-orders/[^/]+/act/dispatch/".*?</form>', page, re.S).group(0)
    assert _options(dispatch, "unit") == ["NJ0101", "NJ010101", "NJ0100", "NJ010001"]
    assert f'hx-get="/work-orders/{order.order_no}/handlers/"' in dispatch
    assert 'id="handlers-dispatch"' in dispatch
    # The order at the crew: a transfer lists its station first, then the dispatcher's own
    # units, then the rest of the company (never the current unit).
    services.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a)
    page = _client(people.dispatcher).get(f"/work-orders/{order.order_no}/").content.decode()
    transfer = re.search(r'action="/work-orders/[^/]+/act/transfer/".*?</form>', page, re.S).group(0)
    assert _options(transfer, "unit") == ["NJ0101", "NJ0100", "NJ010001", "NJ0201"]


def test_dispatch_posts_the_handler_picked(world, people):
    order = make_order(people.agent, area=world.area_a)
    c = _client(people.dispatcher)
    response = c.post(
        f"/work-orders/{order.order_no}/act/dispatch/",
        {"unit": world.team_a.code, "handler": people.crew.username, "expected_version": order.version},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "dispatched" and order.handler == people.crew
    # A handler who is not of the unit picked is refused by the service, on the page.
    other = make_order(people.agent, area=world.area_a)
    c.post(
        f"/work-orders/{other.order_no}/act/dispatch/",
        {"unit": world.station_a.code, "handler": people.dispatcher_b.username},
        follow=True,
    )
    assert WorkOrder.objects.get(pk=other.pk).handler is None


def test_queue_refreshes_its_rows_by_itself(world, people):
    c = _client(people.dispatcher)
    page = c.get("/work-orders/queue/").content.decode()
    rows = re.search(r'<div id="order-results"([^>]*)>', page).group(1)
    assert 'hx-trigger="every 30s"' in rows and 'hx-get="/work-orders/queue/"' in rows
    order = make_order(people.agent, area=world.area_a)  # arrives while the page is open
    fragment = c.get("/work-orders/queue/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="order-table"' in fragment and order.order_no in fragment
    # The crew's own queue too: an order dispatched to them appears without a reload.
    crew = _client(people.crew)
    assert 'hx-trigger="every 30s"' in crew.get("/work-orders/mine/").content.decode()
    services.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a, handler=people.crew)
    fragment = crew.get("/work-orders/mine/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and order.order_no in fragment
    # Lists nobody waits on do not poll.
    assert "every 30s" not in c.get("/work-orders/").content.decode()
