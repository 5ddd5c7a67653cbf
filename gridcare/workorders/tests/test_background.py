"""The production path of reactions: the database task backend and `gridcare worker`.

Elsewhere the tests run tasks immediately; here an order is created through the API with
the real backend, nothing reacts until the worker runs, then everything has.
"""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from gridcare.analytics.models import OrderClassification
from gridcare.escalation.models import NotificationDigestItem, SlaWatch
from gridcare.org.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def db_tasks(settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker closes stale connections between polls; here that would close the test's own.
    for module in (
        "gridcare.core.management.commands.worker",
        "django_tasks_db.management.commands.db_worker",
    ):
        monkeypatch.setattr(f"{module}.close_old_connections", lambda: None)


def test_worker_runs_the_reactions_of_an_api_created_order(
    world, db_tasks, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    client = APIClient()
    client.force_authenticate(agent)
    body = {
        "channel": "hotline",
        "request_type": "fault_repair",
        "dimension": "supply_reliability",
        "area": world.area_a.code,
        "description": "整栋楼停电了，电梯也停了",
    }
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post("/api/work-orders/", body, format="json")
    assert res.status_code == 201, res.json()
    order_id = res.json()["id"]
    assert not SlaWatch.objects.filter(order_id=order_id).exists()
    assert DBTaskResult.objects.ready().count() == 1

    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "tasks run: 1" in out.getvalue()
    assert DBTaskResult.objects.ready().count() == 0
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert SlaWatch.objects.filter(order_id=order_id).exists()
    assert OrderClassification.objects.filter(order_id=order_id).exists()

    # The dispatcher's move is announced the same way: the first-contact owner hears of it
    # (in the daily digest, as the default notification rules say).
    client.force_authenticate(dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post(
            f"/api/work-orders/{order_id}/dispatch/", {"unit": world.team_a.code}, format="json"
        )
    assert res.status_code == 200, res.json()
    assert not NotificationDigestItem.objects.filter(recipient=agent, order_id=order_id).exists()
    call_command("worker", "--once", stdout=io.StringIO())
    assert NotificationDigestItem.objects.filter(
        recipient=agent, order_id=order_id, kind="transition"
    ).exists()
