import pytest
from django.test import Client
from rest_framework.test import APIClient

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.escalation import services
from gridcare.escalation.models import CallbackTask, Urge
from gridcare.workorders import services as wo
from gridcare.workorders.choices import Dimension, RequestType, Status
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def _replied_complaint(world, people):
    customer = CustomerFactory(area=world.area_a)
    order = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        customer=customer.customer_no,
        description="态度差",
    )
    wo.work_order_reply(actor=people.supervisor, order=order, reply="已道歉")
    return order


@pytest.mark.parametrize(
    "name", ["notifications", "board", "callbacks", "failures", "dashboard", "supervisors"]
)
def test_pages_render(world, people, name):
    c = Client()
    c.force_login(people.supervisor)
    assert c.get(f"/escalation/{name}/").status_code == 200


def test_home_and_dashboard_export(world, people):
    c = Client()
    c.force_login(people.supervisor)
    assert c.get("/").status_code == 200
    r = c.get("/escalation/dashboard/?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_urge_view_posts_to_service(world, people):
    order = make_order(people.agent, area=world.area_a)
    c = Client()
    c.force_login(people.agent)
    r = c.post(f"/escalation/urge/{order.order_no}/", {"channel": "hotline", "words": "快点"})
    assert r.status_code == 302 and Urge.objects.get().words == "快点"
    assert c.get(f"/escalation/orders/{order.order_no}/panel/").status_code == 200


def test_closed_order_offers_no_urge_form(world, people):
    order = make_order(people.agent, area=world.area_a)
    c = Client()
    c.force_login(people.agent)
    form = f'action="/escalation/urge/{order.order_no}/"'
    assert form in c.get(f"/escalation/orders/{order.order_no}/panel/").content.decode()
    wo.work_order_cancel(actor=people.supervisor, order=order, reason="客户撤回")
    assert form not in c.get(f"/escalation/orders/{order.order_no}/panel/").content.decode()


def test_callback_page_records_result(world, people):
    order = _replied_complaint(world, people)
    task = services.callback_task_ensure(order=order)
    c = Client()
    c.force_login(people.agent)
    page = c.get("/escalation/callbacks/")
    assert order.order_no in page.content.decode()
    c.post(f"/escalation/callbacks/{task.pk}/record/", {"outcome": "satisfied", "words": "好"})
    order.refresh_from_db()
    assert order.status == Status.ARCHIVED


def test_api_callbacks_and_recovery_flow(world, people):
    order = _replied_complaint(world, people)
    services.callback_task_ensure(order=order)
    api = APIClient()
    api.force_authenticate(people.agent)
    rows = api.get("/api/callback-tasks/").json()["results"]
    assert [r["order_no"] for r in rows] == [order.order_no]
    r = api.post(f"/api/callback-tasks/{rows[0]['id']}/record/", {"outcome": "bogus"}, format="json")
    assert r.status_code == 400
    api.force_authenticate(people.inspector)
    r = api.post(
        "/api/service-failures/",
        {
            "order": order.order_no,
            "origin": "personnel",
            "cause": "communication",
            "responsible_unit": "NJ0101",
            "description": "沟通不畅",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    fid = r.json()["id"]
    api.force_authenticate(people.agent)
    r = api.post(
        f"/api/service-failures/{fid}/actions/",
        {"kind": "compensation", "amount": "500", "compensation_kind": "cash"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["status"] == "pending_approval"
    aid = r.json()["id"]
    assert api.post(f"/api/recovery-actions/{aid}/complete/", {}, format="json").status_code == 403
    api.force_authenticate(people.station_sup)
    assert api.get("/api/recovery-actions/?pending=1").json()["count"] == 1
    assert (
        api.post(f"/api/recovery-actions/{aid}/approve/", {"note": "同意"}, format="json").status_code == 200
    )
    # Out of scope: county B sees nothing.
    api.force_authenticate(people.agent_b)
    assert api.get("/api/service-failures/").json()["count"] == 0
    assert api.get("/api/callback-tasks/").json()["count"] == 0


def test_api_notifications_urges_supervisors(world, people):
    order = make_order(people.agent, area=world.area_a)
    api = APIClient()
    api.force_authenticate(people.agent)
    r = api.post("/api/urges/", {"order": order.order_no, "words": "还没来"}, format="json")
    assert r.status_code == 201 and r.json()["number"] == 1
    api.force_authenticate(people.supervisor)
    r = api.post(
        "/api/social-supervisors/",
        {"name": "王", "phone": "1380", "area": "东山", "unit": "NJ01"},
        format="json",
    )
    assert r.status_code == 201
    r = api.post(
        f"/api/social-supervisors/{r.json()['id']}/submissions/",
        {
            "request_type": "complaint",
            "dimension": "service_channel",
            "description": "网点关门",
            "area": "TA-A1",
        },
        format="json",
    )
    assert r.status_code == 201
    services.notification_create_many(recipients=[people.supervisor.pk], kind="urge", text="x")
    assert api.get("/api/notifications/?unread=1").json()["count"] >= 1
    assert api.post("/api/notifications/mark-read/", {}, format="json").json()["marked"] >= 1
    assert api.get("/api/escalations/").status_code == 200


def test_openapi_schema_names_this_apps_enums(world):
    """Our components carry their own names (no hashed collision names for our choice sets)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in (
        "/api/callback-tasks/",
        "/api/service-failures/",
        "/api/recovery-actions/{id}/approve/",
        "/api/urges/",
        "/api/notifications/mark-read/",
        "/api/social-supervisors/",
    ):
        assert path in schema["paths"], path
    components = schema["components"]["schemas"]
    for name in ("CallbackResultEnum", "RecoveryStatusEnum", "UrgeChannelEnum", "FailureCauseEnum"):
        assert name in components, name
    ours = {"satisfied", "pending_approval", "apology", "transition", "order"}
    for name, body in components.items():
        if name.endswith("Enum") and any(c.isdigit() for c in name):
            assert not ours & set(body.get("enum", [])), name


def test_callback_worklist_query_count(world, people, django_assert_max_num_queries):
    for _ in range(5):
        services.callback_task_ensure(order=_replied_complaint(world, people))
    assert CallbackTask.objects.count() == 5
    api = APIClient()
    api.force_authenticate(people.agent)
    with django_assert_max_num_queries(8):
        assert api.get("/api/callback-tasks/").json()["count"] == 5
