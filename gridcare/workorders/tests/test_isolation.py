"""Fault isolation (故障隔离) on a fault order: an optional time given with the restoration,
within the crew's visit (not before the arrival, not after the restoration, not in the
future); on the timeline, the order page, the API and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gridcare.core.errors import ApplicationError
from gridcare.core.models import AuditEvent
from gridcare.workorders import services as svc
from gridcare.workorders.choices import Action
from gridcare.workorders.models import WorkOrder

from .factories import at, make_order

pytestmark = pytest.mark.django_db

T0 = at(2026, 3, 2, 9, 0)  # a Monday
M = dt.timedelta(minutes=1)


@pytest.fixture
def on_site(world, people):
    """An urban fault order, the crew on site at 9:30."""
    order = make_order(people.agent, area=world.area_a, now=T0)
    order = svc.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a, now=T0)
    return svc.work_order_start(actor=people.crew, order=order, at=T0 + 30 * M, now=T0 + 30 * M)


def test_isolation_given_with_the_restoration_is_kept_and_told(people, on_site):
    order = svc.work_order_restore(
        actor=people.crew,
        order=on_site,
        fault_cause="line",
        at=T0 + 150 * M,
        isolated_at=T0 + 70 * M,
        now=T0 + 160 * M,
    )
    order.refresh_from_db()
    assert order.isolated_at == T0 + 70 * M and order.restored_at == T0 + 150 * M
    event = order.events.get(action=Action.RESTORE)
    assert event.data["isolated_at"] == (T0 + 70 * M).isoformat()
    assert "03-02 10:10" in event.text and "故障隔离" in event.text
    audit = AuditEvent.objects.get(action="work_order.restore", object_id=str(order.pk))
    assert audit.changes["isolated_at"] == (T0 + 70 * M).isoformat()


def test_isolation_is_optional(people, on_site):
    order = svc.work_order_restore(
        actor=people.crew, order=on_site, fault_cause="fuse", isolated_at="", now=T0 + 90 * M
    )
    order.refresh_from_db()
    assert order.isolated_at is None and order.restored_at == T0 + 90 * M
    assert "isolated_at" not in order.events.get(action=Action.RESTORE).data


@pytest.mark.parametrize(
    "isolated, restored, code",
    [
        (T0 + 20 * M, T0 + 150 * M, "too_early"),  # before the arrival at 9:30
        (T0 + 151 * M, T0 + 150 * M, "after_restoration"),
        (T0 + 200 * M, None, "in_future"),  # now is 9:00 + 160 min
        ("yesterday", T0 + 150 * M, "invalid"),
    ],
)
def test_isolation_outside_the_visit_is_refused_naming_the_field(people, on_site, isolated, restored, code):
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_restore(
            actor=people.crew,
            order=on_site,
            fault_cause="line",
            at=restored,
            isolated_at=isolated,
            now=T0 + 160 * M,
        )
    assert (exc.value.field, exc.value.code) == ("isolated_at", code)
    on_site.refresh_from_db()
    assert on_site.restored_at is None and on_site.isolated_at is None  # nothing recorded


def test_database_keeps_isolation_before_restoration(on_site):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=on_site.pk).update(isolated_at=T0 + 60 * M)  # not restored


def test_api_restore_takes_the_isolation(people, on_site, settings):
    client = APIClient()
    client.force_authenticate(people.crew)
    url = f"/api/work-orders/{on_site.order_no}/restore/"
    bad = client.post(
        url,
        {"fault_cause": "line", "at": (T0 + 150 * M).isoformat(), "isolated_at": (T0 + 10 * M).isoformat()},
        format="json",
    )
    assert bad.status_code == 400 and "isolated_at" in str(bad.json())
    ok = client.post(
        url,
        {"fault_cause": "line", "at": (T0 + 150 * M).isoformat(), "isolated_at": (T0 + 70 * M).isoformat()},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["isolated_at"] is not None
    assert dt.datetime.fromisoformat(body["isolated_at"]) == T0 + 70 * M
    assert client.get(f"/api/work-orders/{on_site.order_no}/").json()["isolated_at"] == body["isolated_at"]


def test_order_page_form_records_and_shows_the_isolation(people, on_site):
    client = Client()
    client.force_login(people.crew)
    page = client.get(reverse("workorders:detail", args=[on_site.order_no])).content.decode()
    assert 'name="isolated_at"' in page  # on the restore form
    response = client.post(
        reverse("workorders:action", args=[on_site.order_no, Action.RESTORE]),
        {
            "expected_version": on_site.version,
            "fault_cause": "line",
            "at": "2026-03-02T11:30",
            "isolated_at": "2026-03-02T10:10",
        },
    )
    assert response.status_code == 302
    on_site.refresh_from_db()
    assert on_site.isolated_at == T0 + 70 * M
    page = client.get(reverse("workorders:detail", args=[on_site.order_no])).content.decode()
    assert "故障隔离" in page and "2026-03-02 10:10" in page
