import datetime as dt

import pytest

from gridcare.core.calendar import local_tz
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.demo.workorders import seed_work_orders
from gridcare.org.choices import Role
from gridcare.workorders.choices import TRANSITIONS, Status
from gridcare.workorders.models import WorkOrder, WorkOrderEvent
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 8, 15, 12, 0, tzinfo=local_tz())


@pytest.fixture
def customers(world):
    world.staff(Role.HOTLINE_AGENT, world.city)
    world.staff(Role.DISPATCHER, world.county_a)
    return [CustomerFactory(area=world.area_a if i % 3 else world.area_b) for i in range(30)]


def test_demo_history_is_consistent_and_deterministic(customers):
    result = seed_work_orders(seed=3, days=40, orders_per_day=25, now=NOW)
    assert result["orders"] == WorkOrder.objects.count() > 600
    first = list(
        WorkOrder.objects.order_by("order_no").values_list("order_no", "status", "request_type")[:50]
    )
    for order in WorkOrder.objects.prefetch_related("events")[:300]:
        events = list(order.events.all())
        assert events[0].action == "create" and events[-1].to_status == order.status, "\n".join(
            str((e.at, e.action, e.from_status, e.to_status, e.note)) for e in events
        )
        for e in events[1:]:
            if e.action in (
                "dispatch",
                "start",
                "reply",
                "callback",
                "archive",
                "return",
                "cancel",
                "reopen",
                "transfer",
            ):
                assert TRANSITIONS[(e.from_status, e.action)] == e.to_status
        if order.status in (Status.ARCHIVED, Status.CANCELLED):
            assert order.due_at is None and order.closed_at is not None
        assert order.created_at <= NOW
    # Every order's timeline runs forward in time, in the order it was written.
    last: dict[int, object] = {}
    for order_id, at in WorkOrderEvent.objects.order_by("order_id", "id").values_list("order_id", "at"):
        assert at >= last.get(order_id, at), order_id
        last[order_id] = at
    # Some orders are still open at "now", and order numbers continue after the history.
    assert WorkOrder.objects.exclude(status__in=[Status.ARCHIVED, Status.CANCELLED]).exists()
    assert WorkOrderEvent.objects.filter(action="create").count() == result["orders"]
    # Running again does nothing; a fresh database with the same seed gives the same orders.
    assert seed_work_orders(seed=3, days=40, orders_per_day=25, now=NOW)["orders"] == 0
    WorkOrderEvent.objects.all().delete()
    WorkOrder.objects.update(master=None)
    WorkOrder.objects.all().delete()
    from gridcare.workorders.models import OrderNumberCounter

    OrderNumberCounter.objects.all().delete()
    seed_work_orders(seed=3, days=40, orders_per_day=25, now=NOW)
    again = list(
        WorkOrder.objects.order_by("order_no").values_list("order_no", "status", "request_type")[:50]
    )
    assert again == first


def test_live_orders_continue_the_sequence_after_demo(world, customers):
    seed_work_orders(seed=5, days=3, orders_per_day=30, now=dt.datetime.now(tz=local_tz()))
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    order = make_order(agent, area=world.area_a)
    assert not WorkOrder.objects.exclude(pk=order.pk).filter(order_no=order.order_no).exists()
