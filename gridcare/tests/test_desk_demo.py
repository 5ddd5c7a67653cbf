"""The daily desk on the seeded small demo: notifications follow the rules (an agent is no
longer buried in warnings of orders they merely accepted), and the dispatcher's handler
list shows the crews with their open load."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.test import Client

from gridcare.escalation import selectors
from gridcare.escalation.models import Notification, NotificationDigestItem, SlaWarning
from gridcare.workorders.choices import ACTIVE_STATUSES, OPEN_STATUSES, Status
from gridcare.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_the_demo_agents_have_a_modest_unread_count(demo_db):
    from gridcare.org.choices import Role
    from gridcare.org.models import StaffProfile

    agents = [p.user for p in StaffProfile.objects.filter(role=Role.HOTLINE_AGENT).select_related("user")]
    assert agents
    for agent in agents:
        assert selectors.unread_count(agent) < 50, agent.username
    # Warnings of orders they merely accepted are not theirs to read …
    assert not Notification.objects.filter(recipient__in=agents, kind="warning").exists()
    # … and not for want of warnings: the busiest agent's open orders have had plenty.
    owned = (
        SlaWarning.objects.filter(order__accepted_by__in=agents, order__status__in=ACTIVE_STATUSES)
        .values("order__accepted_by")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    busiest = next(a for a in agents if a.pk == owned["order__accepted_by"])
    assert owned["n"] > selectors.unread_count(busiest), (busiest.username, owned)
    # Every demo login's inbox is readable in a sitting.
    for username, user in demo_db.users.items():
        assert selectors.unread_count(user) < 100, username


def test_demo_warnings_reach_the_handler_and_the_supervisor(demo_db):
    warned = Notification.objects.filter(kind="warning").select_related("order")
    assert warned.exists()
    for note in warned:
        order = note.order
        # The handler, or the unit's dispatch desk while nobody is named.
        assert note.recipient_id == order.handler_id or (
            order.handler_id is None and note.recipient.staff.role == "dispatcher"
        ), (order.order_no, note.recipient)
    # The supervisors' warnings come in daily digests: each county's own supervisor hears
    # of the warnings of its orders, not the city's (who hears of escalations to the city).
    items = NotificationDigestItem.objects.filter(kind="warning", digest__isnull=False).select_related(
        "order", "recipient__staff__unit"
    )
    assert items.exists()
    for item in items[:200]:
        staff = item.recipient.staff
        assert staff.role == "supervisor" and item.order.unit_path.startswith(staff.unit.path), item.pk
    assert not items.filter(recipient=demo_db.users["supervisor"]).exists()


def test_demo_dispatcher_sees_crews_with_their_load(demo_db):
    dispatcher = demo_db.users["dispatcher"]
    crew = demo_db.users["crew"]
    order = (
        WorkOrder.objects.filter(status=Status.DISPATCHED, unit_path__startswith=dispatcher.staff.unit.path)
        .order_by("pk")
        .first()
        or WorkOrder.objects.filter(unit_path__startswith=dispatcher.staff.unit.path).order_by("pk").first()
    )
    load = WorkOrder.objects.filter(handler=crew, status__in=OPEN_STATUSES).count()
    c = Client()
    c.force_login(dispatcher)
    html = c.get(
        f"/work-orders/{order.order_no}/handlers/?unit={crew.staff.unit.code}", headers={"HX-Request": "true"}
    ).content.decode()
    assert f'value="{crew.username}"' in html and f"{crew.staff.display_name}（在办 {load} 张）" in html
