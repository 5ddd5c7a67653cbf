"""Creating a work order through the API is the hot path: its SQL is pinned here.

The counts are with warm per-process caches (commitment catalog, policy settings, working
calendar), as in a running server. The other domains' reactions (escalation watch,
repeat-complaint link, classification) run in the worker and are pinned separately.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.workorders.models import OrderNumberCounter
from gridcare.workorders.rules import order_no_scope

pytestmark = pytest.mark.django_db

URL = "/api/work-orders/"

# The request and its transaction: area or customer lookup, order number (one UPDATE …
# RETURNING), INSERTs of order, clocks, event and audit row, the merge-candidate lookup
# for a fault, savepoint/release; the response is serialized from memory.
CREATE_QUERIES = {"consultation": 8, "fault": 9, "customer": 9}
# The background announcement of a new order: watch, notifications, repeat-complaint
# check and classification (escalation and analytics handlers).
ANNOUNCE_QUERIES = 22


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(**kw):
    data = {"channel": "hotline", "description": "整栋楼停电了，电梯也停了"}
    data.update(kw)
    return data


@pytest.fixture
def agent(world):
    return world.staff(Role.HOTLINE_AGENT, world.city)


def _cases(world):
    customer = CustomerFactory(area=world.area_a)
    return {
        "consultation": _body(
            request_type="consultation", dimension="supply_reliability", area=world.area_a.code
        ),
        "fault": _body(request_type="fault_repair", dimension="supply_reliability", area=world.area_a.code),
        "customer": _body(
            request_type="fault_repair", dimension="supply_reliability", customer=customer.customer_no
        ),
    }


def _warm_up(world, client):
    """Fill the caches and today's order-number counters, leaving area A without an earlier
    order (no merge, no repeat complaint): the steady state of a running server."""
    OrderNumberCounter.objects.create(
        day=timezone.localdate(), scope=order_no_scope(world.station_a.code), last=100
    )
    for request_type in ("consultation", "fault_repair"):
        data = _body(request_type=request_type, dimension="supply_reliability", area=world.area_b.code)
        res = client.post(URL, data, format="json")
        assert res.status_code == 201, res.json()
    # What care says of a customer (segment settings, treatments) is cached per process too.
    from gridcare.core.intake import customer_terms
    from gridcare.customers.tests.factories import CustomerFactory

    customer_terms(CustomerFactory.build(area=world.area_b))


@pytest.mark.parametrize("case", sorted(CREATE_QUERIES))
def test_create_query_count(world, agent, case, django_assert_max_num_queries):
    client = _client(agent)
    data = _cases(world)[case]
    _warm_up(world, client)
    with django_assert_max_num_queries(CREATE_QUERIES[case]):
        res = client.post(URL, data, format="json")
    assert res.status_code == 201, res.json()
    body = res.json()
    assert body["events"][0]["action"] == "create" and body["clocks"] and body["children"] == []


@pytest.mark.parametrize("case", sorted(CREATE_QUERIES))
def test_create_defers_reactions_to_one_background_task(
    world, agent, case, django_capture_on_commit_callbacks, settings
):
    """After commit the request only enqueues ``announce_transition`` (one INSERT on the
    database task backend); the other domains react in the worker, whose SQL is pinned too."""
    from django_tasks_db.models import DBTaskResult

    from gridcare.escalation.models import SlaWatch

    client = _client(agent)
    data = _cases(world)[case]
    _warm_up(world, client)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        res = client.post(URL, data, format="json")
    assert res.status_code == 201, res.json()
    sql = "\n".join(q["sql"][:160] for q in ctx.captured_queries)
    assert len(ctx.captured_queries) <= CREATE_QUERIES[case] + 1, sql
    order_id = res.json()["id"]
    assert not SlaWatch.objects.filter(order_id=order_id).exists()  # not yet: the worker's job
    queued = DBTaskResult.objects.get(task_path="gridcare.workorders.tasks.announce_transition")
    assert queued.args_kwargs["args"][:2] == [order_id, "create"]

    task = queued.task
    with CaptureQueriesContext(connection) as worker_ctx:
        task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    assert SlaWatch.objects.filter(order_id=order_id).exists()
    sql = "\n".join(q["sql"][:160] for q in worker_ctx.captured_queries)
    assert len(worker_ctx.captured_queries) <= ANNOUNCE_QUERIES, sql


def test_created_response_matches_detail(world, agent):
    """The response built from memory is what reading the order back gives."""
    client = _client(agent)
    for case, data in _cases(world).items():
        created = _stable(client.post(URL, data, format="json").json())
        assert _stable(client.get(f"{URL}{created['order_no']}/").json()) == created, case


def _stable(data: dict) -> dict:
    """Drop what depends on the second the response was made."""
    volatile = {"remaining_seconds", "overdue"}
    data = {k: v for k, v in data.items() if k not in volatile}
    data["clocks"] = [{k: v for k, v in c.items() if k not in volatile} for c in data["clocks"]]
    return data
