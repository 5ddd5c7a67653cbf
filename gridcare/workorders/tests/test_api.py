import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.workorders.models import IdempotencyKey, WorkOrder

from .factories import make_order

pytestmark = pytest.mark.django_db

URL = "/api/work-orders/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def agent(world):
    return world.staff(Role.HOTLINE_AGENT, world.city)


@pytest.fixture
def dispatcher(world):
    return world.staff(Role.DISPATCHER, world.county_a)


def body(world, **kw):
    data = {
        "channel": "hotline",
        "request_type": "fault_repair",
        "dimension": "supply_reliability",
        "description": "整栋楼停电了，电梯也停了",
        "area": world.area_a.code,
    }
    data.update(kw)
    return data


def test_create_returns_201_with_order_number_clocks_and_timeline(world, agent):
    customer = CustomerFactory(area=world.area_a)
    res = client_for(agent).post(URL, body(world, customer=customer.customer_no, area=""), format="json")
    assert res.status_code == 201, res.json()
    data = res.json()
    assert data["order_no"].startswith("GD") and data["status"] == "accepted"
    assert data["customer"] == customer.customer_no and data["unit"] == world.station_a.code
    assert {c["kind"] for c in data["clocks"]} == {"arrival", "restoration"}
    assert data["events"][0]["action"] == "create"
    # The actions the *caller* may take: an agent answers or cancels, a dispatcher dispatches.
    assert data["allowed_actions"] == ["reply", "cancel", "priority", "urge"] and data["version"] == 1
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    detail = client_for(dispatcher).get(f"{URL}{data['order_no']}/").json()
    assert detail["allowed_actions"] == ["dispatch", "reply", "cancel", "pause", "merge", "priority", "urge"]


@pytest.mark.parametrize(
    "override, field",
    [
        ({"customer": "0000000000"}, "customer"),
        ({"area": "NOPE"}, "area"),
        ({"description": ""}, "description"),
        ({"request_type": "complaint", "subtype": "meter_test"}, "subtype"),
        ({"request_type": "nonsense"}, "request_type"),
    ],
)
def test_create_bad_input_is_400_naming_the_field(world, agent, override, field):
    res = client_for(agent).post(URL, body(world, **override), format="json")
    assert res.status_code == 400
    assert field in res.json()["errors"]


def test_idempotency_key(world, agent):
    client = client_for(agent)
    first = client.post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    again = client.post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == 201 and again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["order_no"] == again.json()["order_no"]
    assert WorkOrder.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    changed = client.post(
        URL, body(world, description="另一件事"), format="json", HTTP_IDEMPOTENCY_KEY="abc-123"
    )
    assert changed.status_code == 422
    assert (
        changed.json()["code"] == "idempotency_key_reused" and "idempotency_key" in changed.json()["errors"]
    )
    # Keys are per user: another user's identical key is a different request.
    other = world.staff(Role.HOTLINE_AGENT, world.city)
    assert (
        client_for(other).post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="abc-123").status_code
        == 201
    )


def test_lifecycle_over_the_api(world, agent, dispatcher):
    crew = world.staff(Role.REPAIR_CREW, world.team_a)
    order_no = client_for(agent).post(URL, body(world), format="json").json()["order_no"]
    d = client_for(dispatcher)
    res = d.post(
        f"{URL}{order_no}/dispatch/",
        {"unit": world.team_a.code, "handler": crew.username, "expected_version": 1},
        format="json",
    )
    assert res.status_code == 200, res.json()
    assert res.json()["status"] == "dispatched" and res.json()["handler"] == crew.username
    # A second dispatcher acting on what they saw before: conflict, nothing overwritten.
    stale = d.post(
        f"{URL}{order_no}/dispatch/", {"unit": world.station_a.code, "expected_version": 1}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    c = client_for(crew)
    assert c.post(f"{URL}{order_no}/start/", {}, format="json").status_code == 200
    pk = WorkOrder.objects.get(order_no=order_no).pk
    assert c.post(f"{URL}{pk}/pause/", {"reason": "等待客户开门"}, format="json").status_code == 200
    assert c.post(f"{URL}{pk}/resume/", {}, format="json").status_code == 200
    assert c.post(f"{URL}{order_no}/reply/", {"reply": ""}, format="json").status_code == 400
    assert c.post(f"{URL}{order_no}/reply/", {"reply": "已恢复送电"}, format="json").status_code == 200
    a = client_for(agent)
    early = a.post(f"{URL}{order_no}/archive/", {"satisfied": True}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "callback_required"
    assert a.post(f"{URL}{order_no}/callback/", {"note": "满意"}, format="json").status_code == 200
    res = a.post(f"{URL}{order_no}/archive/", {"satisfied": True}, format="json")
    assert res.status_code == 200 and res.json()["status"] == "archived"
    actions = [e["action"] for e in res.json()["events"]]
    assert actions == ["create", "dispatch", "start", "pause", "resume", "reply", "callback", "archive"]


def test_actions_return_transfer_cancel_reopen_merge_detach_urge(world, agent, dispatcher):
    supervisor = world.staff(Role.SUPERVISOR, world.city)
    a = client_for(agent)
    first = a.post(URL, body(world), format="json").json()["order_no"]
    auto = a.post(URL, body(world), format="json").json()
    assert auto["master"] == WorkOrder.objects.get(order_no=first).pk  # same area within the window
    second = make_order(agent, area=world.area_a).order_no
    d = client_for(dispatcher)
    assert d.post(f"{URL}{first}/dispatch/", {"unit": world.team_a.code}, format="json").status_code == 200
    res = d.post(f"{URL}{second}/merge/", {"master": first}, format="json")
    assert res.status_code == 200 and res.json()["master_no"] == first
    assert d.post(f"{URL}{second}/detach/", {}, format="json").json()["master_no"] is None
    res = d.post(f"{URL}{first}/return/", {"reason": ""}, format="json")
    assert res.status_code == 400 and "reason" in res.json()["errors"]
    assert (
        d.post(f"{URL}{first}/return/", {"reason": "非本班组"}, format="json").json()["status"] == "accepted"
    )
    s = client_for(supervisor)
    res = s.post(
        f"{URL}{first}/transfer/", {"unit": world.station_b.code, "reason": "属六合区"}, format="json"
    )
    assert res.status_code == 409  # accepted orders are dispatched, not transferred
    assert s.post(f"{URL}{first}/dispatch/", {"unit": world.station_a.code}, format="json").status_code == 200
    res = s.post(
        f"{URL}{first}/transfer/", {"unit": world.station_b.code, "reason": "属六合区"}, format="json"
    )
    assert res.status_code == 200 and res.json()["unit"] == world.station_b.code
    assert a.post(f"{URL}{second}/urge/", {"note": "客户催促"}, format="json").json()["urge_count"] == 1
    assert (
        a.post(f"{URL}{second}/cancel/", {"reason": "客户撤回"}, format="json").json()["status"]
        == "cancelled"
    )
    assert s.post(f"{URL}{second}/reopen/", {"reason": "x"}, format="json").status_code == 409
    assert a.post(f"{URL}{first}/dispatch/", {"unit": world.team_a.code}, format="json").status_code == 403


def test_scoping_county_b_cannot_see_county_a(world, agent):
    order = make_order(agent, area=world.area_a)
    b_agent = world.staff(Role.DISPATCHER, world.county_b)
    client = client_for(b_agent)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{order.order_no}/").status_code == 404
    assert client.post(f"{URL}{order.order_no}/start/", {}, format="json").status_code == 404
    a_agent = world.staff(Role.DISPATCHER, world.county_a)
    assert client_for(a_agent).get(f"{URL}{order.order_no}/").status_code == 200


def test_first_contact_unit_keeps_sight_after_transfer(world):
    counter_a = world.staff(Role.COUNTER_CLERK, world.station_a)
    supervisor = world.staff(Role.SUPERVISOR, world.city)
    order = make_order(counter_a, area=world.area_a)
    from gridcare.workorders import services

    services.work_order_dispatch(actor=supervisor, order=order, unit=world.station_a)
    services.work_order_transfer(actor=supervisor, order=order, unit=world.station_b, reason="属六合区")
    assert client_for(counter_a).get(f"{URL}{order.order_no}/").status_code == 200


def test_filters(world, agent, dispatcher):
    now = timezone.now()
    fault = make_order(agent, area=world.area_a, now=now - dt.timedelta(hours=2))  # arrival overdue
    complaint = make_order(
        agent,
        request_type="complaint",
        dimension="service_attitude",
        description="态度差",
        area=world.area_b,
        channel="wechat",
    )
    client = client_for(agent)

    def nos(**params):
        return {r["order_no"] for r in client.get(URL, params).json()["results"]}

    assert nos() == {fault.order_no, complaint.order_no}
    assert nos(request_type="complaint") == {complaint.order_no}
    assert nos(channel="wechat") == {complaint.order_no}
    assert nos(dimension="supply_reliability") == {fault.order_no}
    assert nos(status="accepted") == {fault.order_no, complaint.order_no}
    assert nos(status="archived") == set()
    assert nos(unit=world.county_b.code) == {complaint.order_no}
    assert nos(overdue="true") == {fault.order_no}
    assert nos(overdue="false") == {complaint.order_no}
    assert nos(due_before=(now + dt.timedelta(hours=1)).isoformat()) == {fault.order_no}
    assert nos(created_before=(now - dt.timedelta(hours=1)).isoformat()) == {fault.order_no}
    assert nos(created_after=(now - dt.timedelta(minutes=1)).isoformat()) == {complaint.order_no}
    customer = CustomerFactory(area=world.area_a)
    mine = make_order(agent, customer=customer)
    assert nos(customer=customer.customer_no) == {mine.order_no}
    # Sorted by nearest deadline.
    rows = client.get(URL).json()["results"]
    assert rows[0]["order_no"] == fault.order_no and rows[0]["overdue"] is True


def test_list_query_count_is_constant(world, agent, django_assert_num_queries):
    for i in range(3):
        make_order(agent, customer=CustomerFactory(area=world.area_a if i % 2 else world.area_b))
    client = client_for(agent)
    # count + page (the user's profile and unit are cached on the authenticated user).
    with django_assert_num_queries(2):
        assert len(client.get(URL).json()["results"]) == 3
    for _ in range(10):
        make_order(agent, customer=CustomerFactory(area=world.area_a))
    with django_assert_num_queries(2):
        assert len(client.get(URL).json()["results"]) == 13


def test_detail_query_count_is_constant(world, agent, django_assert_num_queries):
    order = make_order(agent, area=world.area_a)
    client = client_for(agent)
    # the visible order with its relations, then clocks, children, photos, events.
    with django_assert_num_queries(5):
        client.get(f"{URL}{order.order_no}/")


def test_list_count_is_estimated_above_the_limit(world, agent, monkeypatch):
    from gridcare.core import listing

    for _ in range(3):
        make_order(agent, area=world.area_a)
    client = client_for(agent)
    data = client.get(URL).json()
    assert (data["count"], data["count_exact"], data["next"]) == (3, True, None)
    monkeypatch.setattr(listing.EstimatedCountPaginator, "exact_limit", 2)
    monkeypatch.setattr(listing.EstimatedCountPaginator, "estimate_above", 20)
    monkeypatch.setattr(listing, "estimated_row_count", lambda qs: 40)
    data = client.get(URL, {"page_size": 2}).json()
    assert (data["count"], data["count_exact"], len(data["results"])) == (40, False, 2)
    assert data["next"] is not None
    data = client.get(URL, {"page_size": 2, "page": 2}).json()
    assert len(data["results"]) == 1 and data["next"] is None


def test_schema_documents_the_approximate_count(client):
    schema = client.get("/api/schema/?format=json").json()
    page = schema["components"]["schemas"]["PaginatedWorkOrderListList"]
    assert "count_exact" in page["properties"] and "count_exact" in page["required"]
    assert "估计" in page["properties"]["count"]["description"]


def test_an_action_that_moves_the_order_out_of_scope_answers_with_its_result(world, agent, dispatcher):
    """A county dispatcher transfers an order to another county: the answer is the order as
    the transfer left it (not a 404), with nothing more the dispatcher may do to it."""
    order = make_order(agent, area=world.area_a)
    d = client_for(dispatcher)
    assert (
        d.post(f"{URL}{order.order_no}/dispatch/", {"unit": world.station_a.code}, format="json").status_code
        == 200
    )
    res = d.post(
        f"{URL}{order.order_no}/transfer/",
        {"unit": world.station_b.code, "reason": "属六合区"},
        format="json",
    )
    assert res.status_code == 200, res.content
    data = res.json()
    assert data["unit"] == world.station_b.code and data["status"] == "dispatched"
    assert data["allowed_actions"] == []
    # Afterwards it is out of the dispatcher's reach like any other county's order.
    assert d.get(f"{URL}{order.order_no}/").status_code == 404
