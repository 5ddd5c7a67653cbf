"""Fields built once per serializer class must still be bound per instance."""

from types import SimpleNamespace

import pytest

from gridcare.org.choices import Role
from gridcare.workorders.api.serializers import WorkOrderDetailSerializer
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_cached_fields_are_bound_to_each_instance_and_its_context(world):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    planner = world.staff(Role.PLANNER, world.city)
    order = make_order(agent, area=world.area_a, contact_phone="13912345678")
    as_agent = WorkOrderDetailSerializer(order, context={"request": SimpleNamespace(user=agent)})
    as_planner = WorkOrderDetailSerializer(order, context={"request": SimpleNamespace(user=planner)})
    a, p = as_agent.fields, as_planner.fields
    assert (
        a["status"] is not p["status"] and a["status"].parent is as_agent and p["status"].parent is as_planner
    )
    assert a["clocks"].child is not p["clocks"].child and a["clocks"].child.root is as_agent
    assert as_agent.data["contact_phone"] == "13912345678"
    assert as_planner.data["contact_phone"] != "13912345678"  # masked for a role that does not call customers
    assert as_agent.data["clocks"] == as_planner.data["clocks"]
