"""人工提级 (manual escalation) and service failures from any source."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.escalation import selectors, services
from gridcare.escalation.choices import EscalationReason, FailureSource
from gridcare.escalation.models import Escalation, ServiceFailure
from gridcare.org.choices import Role
from gridcare.workorders import services as wo
from gridcare.workorders.choices import Action, Dimension, RequestType
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_manual_escalation_goes_one_unit_up_with_the_reason(world, people):
    order = make_order(people.agent, area=world.area_a)
    esc = services.order_escalate_by_hand(actor=people.supervisor, order=order, reason="客户三次来电未解决")
    assert esc.reason == EscalationReason.MANUAL and esc.note == "客户三次来电未解决"
    assert esc.from_unit == world.station_a and esc.to_unit == world.county_a and esc.level == 1
    # on the timeline and on the board of the receiving unit, filtered by reason MANUAL
    assert order.events.filter(action=Action.ESCALATE).exists()
    assert list(selectors.escalations_for(people.supervisor, reason=EscalationReason.MANUAL)) == [esc]
    assert list(selectors.escalations_for(people.supervisor, reason=EscalationReason.BREACH)) == []


def test_manual_escalation_needs_permission_and_a_reason(world, people):
    order = make_order(people.agent, area=world.area_a)
    with pytest.raises(PermissionDeniedError):
        services.order_escalate_by_hand(actor=people.agent, order=order, reason="x")
    with pytest.raises(ApplicationError) as exc:
        services.order_escalate_by_hand(actor=people.supervisor, order=order, reason="   ")
    assert exc.value.field == "reason"
    with pytest.raises(ApplicationError) as exc:
        services.order_escalate_by_hand(actor=people.supervisor, order=order, reason="长" * 301)
    assert exc.value.field == "reason"
    assert not Escalation.objects.exists()
    # someone outside the order's scope cannot see it
    with pytest.raises(ApplicationError) as exc:
        services.order_escalate_by_hand(
            actor=world.staff(Role.SUPERVISOR, world.county_b), order=order, reason="越权"
        )
    assert exc.value.status == 404


def test_manual_escalation_refused_at_the_top_and_on_closed_orders(world, people):
    order = make_order(people.agent, area=world.area_a)
    top = world.staff(Role.SUPERVISOR, world.company)
    for _ in range(3):  # station → county → city → company
        services.order_escalate_by_hand(actor=top, order=order, reason="上级关注")
    with pytest.raises(ConflictError) as exc:
        services.order_escalate_by_hand(actor=top, order=order, reason="再提一级")
    assert exc.value.status == 409 and exc.value.code == "top_of_tree"
    assert not selectors.order_can_go_up(order)
    closed = make_order(people.agent, area=world.area_a)
    wo.work_order_cancel(actor=people.supervisor, order=closed, reason="客户撤回")
    with pytest.raises(ConflictError):
        services.order_escalate_by_hand(actor=people.supervisor, order=closed, reason="x")


def test_panel_form_only_for_who_may_and_view_and_api(world, people):
    order = make_order(people.agent, area=world.area_a)
    form = f'action="/escalation/orders/{order.order_no}/escalate/"'
    c = Client()
    c.force_login(people.agent)
    assert form not in c.get(f"/escalation/orders/{order.order_no}/panel/").content.decode()
    assert c.post(f"/escalation/orders/{order.order_no}/escalate/", {"reason": "x"}).status_code == 403
    c.force_login(people.supervisor)
    assert form in c.get(f"/escalation/orders/{order.order_no}/panel/").content.decode()
    r = c.post(f"/escalation/orders/{order.order_no}/escalate/", {"reason": "领导关注"})
    assert r.status_code == 302 and Escalation.objects.get().note == "领导关注"
    api = APIClient()
    api.force_authenticate(people.supervisor)
    r = api.post("/api/escalations/", {"order": order.order_no, "reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    r = api.post("/api/escalations/", {"order": order.order_no, "reason": "再提"}, format="json")
    assert r.status_code == 201 and r.json()["reason"] == "manual" and r.json()["level"] == 2
    api.force_authenticate(people.agent)
    r = api.post("/api/escalations/", {"order": order.order_no, "reason": "x"}, format="json")
    assert r.status_code == 403
    board = c.get("/escalation/board/?reason=manual").content.decode()
    assert "领导关注" in board


def _record(people, world, order, source, **kw):
    return services.service_failure_record(
        actor=people.inspector,
        order=order,
        source=source,
        origin="personnel",
        cause="promise_not_kept",
        responsible_unit=world.station_a,
        description="承诺当天恢复供电未兑现",
        **kw,
    )


def test_failure_from_non_complaint_sources(world, people):
    plain = make_order(people.agent, area=world.area_a)
    with pytest.raises(ApplicationError) as exc:
        _record(people, world, plain, FailureSource.COMPLAINT)
    assert exc.value.code == "not_complaint"
    with pytest.raises(ApplicationError) as exc:
        _record(people, world, plain, "nonsense")
    assert exc.value.field == "source"
    failure = _record(people, world, plain, FailureSource.MONITOR)
    assert failure.source == FailureSource.MONITOR and failure.order == plain
    with pytest.raises(ConflictError):  # still one per order
        _record(people, world, plain, FailureSource.INSPECTION)
    customer = CustomerFactory(area=world.area_a)
    complaint = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        customer=customer.customer_no,
        description="态度差",
    )
    default = services.service_failure_record(
        actor=people.inspector,
        order=complaint,
        origin="personnel",
        cause="communication",
        responsible_unit=world.station_a,
        description="态度生硬",
    )
    assert default.source == FailureSource.COMPLAINT
    # the list filters by source; pages show it
    c = Client()
    c.force_login(people.supervisor)
    page = c.get("/escalation/failures/?source=monitor").content.decode()
    assert plain.order_no in page and complaint.order_no not in page
    assert "超时限" in c.get(f"/escalation/failures/{failure.pk}/").content.decode()
    api = APIClient()
    api.force_authenticate(people.supervisor)
    rows = api.get("/api/service-failures/?source=complaint").json()
    rows = rows.get("results", rows)
    assert [r["source"] for r in rows] == ["complaint"]
    assert api.get("/api/service-failures/?source=bogus").status_code == 400
    assert ServiceFailure.objects.count() == 2


def test_failure_api_takes_a_source(world, people):
    plain = make_order(people.agent, area=world.area_a)
    api = APIClient()
    api.force_authenticate(people.inspector)
    body = {
        "order": plain.order_no,
        "origin": "personnel",
        "cause": "other",
        "responsible_unit": world.station_a.code,
        "description": "回访客户不满意",
    }
    r = api.post("/api/service-failures/", body, format="json")
    assert r.status_code == 400 and "order" in r.json()["errors"]  # a complaint by default
    r = api.post("/api/service-failures/", {**body, "source": "callback"}, format="json")
    assert r.status_code == 201 and r.json()["source"] == "callback"


def test_failure_without_an_order(world, people):
    with pytest.raises(ApplicationError) as exc:  # a complaint needs its order
        services.service_failure_record(
            actor=people.inspector,
            order=None,
            origin="personnel",
            cause="non_standard_service",
            responsible_unit=world.station_a,
            description="x",
        )
    assert exc.value.field == "order" and exc.value.code == "required"
    failure = services.service_failure_record(
        actor=people.inspector,
        order=None,
        source=FailureSource.INSPECTION,
        origin="personnel",
        cause="non_standard_service",
        responsible_unit=world.station_a,
        description="暗访发现营业员未使用规范用语",
    )
    assert failure.order is None and failure.unit_path == world.station_a.path
    # scoped by the responsible unit alone
    assert list(selectors.failures_for(people.supervisor)) == [failure]
    assert list(selectors.failures_for(people.agent_b)) == []
    c = Client()
    c.force_login(people.supervisor)
    assert f"#{failure.pk}" in c.get("/escalation/failures/").content.decode()
    assert "未关联工单" in c.get(f"/escalation/failures/{failure.pk}/").content.decode()
    # recovery works; with no order there is no customer to call back
    act = services.recovery_action_propose(
        actor=people.supervisor, failure=failure, kind="fix", description="组织营业员培训"
    )
    services.recovery_action_complete(actor=people.supervisor, action=act)
    assert not failure.callbacks.exists()
    big = services.recovery_action_propose(
        actor=people.agent, failure=failure, kind="compensation", amount="500", compensation_kind="cash"
    )
    assert big.status == "pending_approval"


def test_unlinked_failure_page_and_api(world, people):
    c = Client()
    c.force_login(people.inspector)
    page = c.get("/escalation/failures/new/").content.decode()
    assert 'value="inspection"' in page and 'value="complaint"' not in page
    r = c.post(
        "/escalation/failures/new/",
        {
            "source": "supervisor",
            "origin": "material",
            "cause": "inadequate_hardware",
            "responsible_unit": world.station_a.code,
            "description": "监督员反映营业厅自助机故障一周",
        },
    )
    failure = ServiceFailure.objects.get()
    assert r.status_code == 302 and failure.order is None and failure.source == "supervisor"
    api = APIClient()
    api.force_authenticate(people.inspector)
    body = {
        "source": "inspection",
        "origin": "personnel",
        "cause": "communication",
        "responsible_unit": world.station_a.code,
        "description": "暗访",
    }
    r = api.post("/api/service-failures/", body, format="json")
    assert r.status_code == 201 and r.json()["order_no"] is None
    r = api.post("/api/service-failures/", {**body, "source": "complaint"}, format="json")
    assert r.status_code == 400 and "order" in r.json()["errors"]
    rows = api.get("/api/service-failures/").json()
    assert len(rows.get("results", rows) if isinstance(rows, dict) else rows) == 2
