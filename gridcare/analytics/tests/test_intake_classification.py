"""Classification at intake: the suggestion shown to the agent, and what the agent kept."""

import pytest

from gridcare.analytics.handlers import confirmed_labels
from gridcare.analytics.models import OrderClassification
from gridcare.org.choices import Role
from gridcare.workorders.choices import Dimension, RequestType
from gridcare.workorders.tests.factories import make_order


@pytest.fixture
def agent(world):
    return world.staff(Role.HOTLINE_AGENT, world.county_a)


def test_suggest_endpoint_returns_labels_for_text(agent, client):
    client.force_login(agent)
    resp = client.post("/analytics/suggest/", {"description": "家里突然停电了，整栋楼都没电，请尽快派人来修"})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "classifier-suggestion" in body and "fault_repair" in body and "supply_reliability" in body
    assert client.post("/analytics/suggest/", {"description": "  "}).content.decode().strip() == ""


def test_created_order_records_suggestion_and_acceptance(world, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kept = make_order(
            agent, area=world.area_a, description="家里突然停电了，整栋楼都没电，请尽快派人来修"
        )
        corrected = make_order(
            agent,
            area=world.area_a,
            description="上个月电费扣了两次，钱被多扣了，要求退款",
            request_type=RequestType.CONSULTATION,
            dimension=Dimension.SERVICE_CHANNEL,
        )
    a = OrderClassification.objects.get(order=kept)
    assert (a.suggested_request_type, a.type_accepted, a.dimension_accepted) == ("fault_repair", True, True)
    assert a.model_version
    b = OrderClassification.objects.get(order=corrected)
    assert b.suggested_dimension == "billing_payment" and b.dimension_accepted is False
    # Confirmed labels (what the agent saved) feed `gridcare classifier train`.
    triples = set(confirmed_labels())
    assert ("上个月电费扣了两次，钱被多扣了，要求退款", "consultation", "service_channel") in triples


def test_recording_twice_changes_nothing(world, agent, django_capture_on_commit_callbacks):
    from gridcare.analytics.services import order_classification_record

    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(agent, area=world.area_a)
    first = OrderClassification.objects.get(order=order)
    assert order_classification_record(order_id=order.pk) is None
    assert OrderClassification.objects.filter(order=order).count() == 1
    assert OrderClassification.objects.get(order=order).pk == first.pk
