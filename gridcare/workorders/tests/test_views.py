import pytest
from django.urls import reverse

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.workorders import services
from gridcare.workorders.models import WorkOrder

from .factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, world):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    client.force_login(agent)
    client.user = agent
    return client


def test_intake_page_renders(agent_client):
    res = agent_client.get(reverse("workorders:intake"))
    assert res.status_code == 200
    body = res.content.decode()
    assert "来电/来访受理" in body and "故障报修" in body and "保存受理" in body


def test_lookup_by_phone_shows_open_orders_and_urge(agent_client, world):
    customer = CustomerFactory(area=world.area_a, phone="13912345678")
    order = make_order(agent_client.user, customer=customer)
    res = agent_client.get(reverse("workorders:lookup"), {"q": "13912345678"}, HTTP_HX_REQUEST="true")
    body = res.content.decode()
    assert customer.customer_no in body and order.order_no in body and "催办此单" in body
    res = agent_client.get(reverse("workorders:lookup"), {"q": customer.customer_no})
    assert order.order_no in res.content.decode()
    # Urging from the lookup records a timeline note.
    res = agent_client.post(
        reverse("workorders:action", args=[order.order_no, "urge"]), {"note": "客户来电催办"}
    )
    assert res.status_code == 302
    assert order.events.filter(action="urge").exists()


def test_intake_creates_an_order_and_shows_errors(agent_client, world):
    customer = CustomerFactory(area=world.area_a)
    url = reverse("workorders:intake")
    data = {
        "channel": "hotline",
        "request_type": "fault_repair",
        "dimension": "supply_reliability",
        "description": "",
        "customer": customer.customer_no,
    }
    res = agent_client.post(url, data)
    assert res.status_code == 200 and "诉求内容不能为空" in res.content.decode()
    data["description"] = "家里没电了"
    res = agent_client.post(url, data)
    order = WorkOrder.objects.get()
    assert res.status_code == 302 and res["Location"].endswith(f"/work-orders/{order.order_no}/")
    res = agent_client.post(url, {**data, "customer": "404404"})
    assert "户号 404404 不存在" in res.content.decode()


def test_area_search_and_duplicates(agent_client, world):
    res = agent_client.get(reverse("workorders:area-search"), {"area_q": world.area_a.code})
    assert world.area_a.name in res.content.decode()
    order = make_order(agent_client.user, area=world.area_a)
    res = agent_client.get(
        reverse("workorders:duplicates"), {"area": world.area_a.code, "request_type": "fault_repair"}
    )
    assert order.order_no in res.content.decode()


def test_order_detail_shows_clocks_timeline_children_and_actions(client, world):
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    master = make_order(agent, area=world.area_a)
    child = make_order(agent, area=world.area_a)
    services.work_order_merge(actor=dispatcher, order=child, master=master)
    client.force_login(dispatcher)
    res = client.get(reverse("workorders:detail", args=[master.order_no]))
    body = res.content.decode()
    assert res.status_code == 200
    assert "到达现场" in body and "恢复送电" in body and "剩余" in body
    assert child.order_no in body and "受理" in body
    assert reverse("workorders:action", args=[master.order_no, "dispatch"]) in body
    # Dispatch through the page.
    master.refresh_from_db()
    res = client.post(
        reverse("workorders:action", args=[master.order_no, "dispatch"]),
        {"unit": world.team_a.code, "expected_version": master.version},
    )
    assert res.status_code == 302
    master.refresh_from_db()
    child.refresh_from_db()
    assert master.status == "dispatched" and child.status == "dispatched"
    # A stale form is refused with a message, not applied.
    res = client.post(
        reverse("workorders:action", args=[master.order_no, "start"]), {"expected_version": 1}, follow=True
    )
    assert "已被他人修改" in res.content.decode()
    master.refresh_from_db()
    assert master.status == "dispatched"


def test_lists_and_scoping(client, world):
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    order = make_order(agent, area=world.area_a)
    client.force_login(agent)
    for name in ("workorders:list", "workorders:first-contact"):
        assert client.get(reverse(name)).status_code == 200
    # Pages of other roles' work are refused (and not in the agent's menu).
    for name in ("workorders:mine", "workorders:queue"):
        assert client.get(reverse(name)).status_code == 403
    assert order.order_no in client.get(reverse("workorders:list")).content.decode()
    assert order.order_no in client.get(reverse("workorders:first-contact")).content.decode()
    res = client.get(
        reverse("workorders:list"), {"status": "", "request_type": "fault_repair", "overdue": ""}
    )
    assert order.order_no in res.content.decode()
    other = world.staff(Role.HOTLINE_AGENT, world.county_b)
    client.force_login(other)
    assert order.order_no not in client.get(reverse("workorders:list")).content.decode()
    assert client.get(reverse("workorders:detail", args=[order.order_no])).status_code == 404


def test_order_list_query_count(client, world, django_assert_max_num_queries):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    for _ in range(15):
        make_order(agent, customer=CustomerFactory(area=world.area_a))
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        res = client.get(reverse("workorders:list"))
    assert res.status_code == 200
