import datetime as dt

import pytest

from gridcare.core.calendar import local_tz
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.demo.escalation import seed_escalation_history
from gridcare.demo.workorders import seed_work_orders
from gridcare.escalation import selectors, services
from gridcare.escalation.models import (
    CallbackTask,
    Escalation,
    RecoveryAction,
    ServiceFailure,
    SlaWarning,
    SlaWatch,
    Urge,
)
from gridcare.org.choices import Role
from gridcare.workorders.choices import ACTIVE_STATUSES, CLOSED_STATUSES, RequestType, Status
from gridcare.workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 8, 15, 12, 0, tzinfo=local_tz())


@pytest.fixture
def seeded(world):
    world.staff(Role.HOTLINE_AGENT, world.city)
    world.staff(Role.DISPATCHER, world.county_a)
    world.staff(Role.REPAIR_CREW, world.team_a)
    world.staff(Role.SUPERVISOR, world.county_a)
    world.staff(Role.SUPERVISOR, world.station_a)
    for i in range(40):
        CustomerFactory(area=world.area_a if i % 3 else world.area_b)
    seed_work_orders(seed=11, days=75, orders_per_day=24, now=NOW)
    return seed_escalation_history(seed=11, now=NOW)


def test_only_recent_orders_are_open_and_callbacks_are_mostly_satisfied(seeded):
    assert not WorkOrder.objects.filter(created_at__lt=NOW - dt.timedelta(days=60)).exclude(
        status__in=CLOSED_STATUSES
    )
    open_orders = WorkOrder.objects.filter(status__in=ACTIVE_STATUSES)
    assert open_orders.exists() and open_orders.filter(due_at__lt=NOW).exists()
    archived = WorkOrder.objects.filter(
        status=Status.ARCHIVED, request_type__in=[RequestType.FAULT_REPAIR, RequestType.COMPLAINT]
    )
    satisfied = archived.filter(satisfied=True).count()
    assert satisfied / archived.count() > 0.85


def test_callback_tasks_follow_the_timeline(seeded):
    assert seeded["callbacks"] > 100
    done = CallbackTask.objects.filter(kind="order", status="done")
    results = {r: done.filter(result=r).count() for r in ("satisfied", "basically_satisfied", "unreachable")}
    assert results["satisfied"] > results["basically_satisfied"] > 0
    # Every order waiting for its callback is on the worklist.
    replied = WorkOrder.objects.filter(
        status=Status.REPLIED, request_type__in=[RequestType.FAULT_REPAIR, RequestType.COMPLAINT]
    )
    pending = set(
        CallbackTask.objects.filter(status="pending", kind="order").values_list("order_id", flat=True)
    )
    assert set(replied.values_list("pk", flat=True)) <= pending
    # Unsatisfied callbacks reopened the order.
    assert done.filter(result="unsatisfied").exists()
    for task in done.filter(result="unsatisfied")[:5]:
        assert WorkOrderEvent.objects.filter(order=task.order, action="reopen", at=task.done_at).exists()


def test_warnings_escalations_and_watches_let_the_live_monitor_go_on(seeded):
    assert seeded["warnings"] > 0 and seeded["escalations"] > 0
    overdue = WorkOrder.objects.filter(status__in=ACTIVE_STATUSES, due_at__lt=NOW)
    for order in overdue[:10]:
        assert SlaWarning.objects.filter(order=order, percent=100).exists()
        assert order.events.filter(action__in=["escalate", "warn"]).exists()
    assert SlaWatch.objects.filter(order__status__in=ACTIVE_STATUSES).count() == (
        WorkOrder.objects.filter(status__in=ACTIVE_STATUSES).count()
    )
    assert Escalation.objects.exists() and Urge.objects.exists()
    # The live monitor has nothing to redo: no watch is stale, no level fires twice.
    assert services.sla_reconcile() == 0
    before = SlaWarning.objects.count()
    stats = services.sla_sweep(now=NOW)
    assert stats["warnings"] == 0 and SlaWarning.objects.count() == before


def test_failures_recovery_and_dashboard(seeded, world):
    assert ServiceFailure.objects.count() == seeded["failures"] >= 12
    assert RecoveryAction.objects.filter(kind="apology").count() == seeded["failures"]
    assert RecoveryAction.objects.filter(kind="compensation", status="done").exists()
    assert ServiceFailure.objects.exclude(satisfaction_after="").exists()
    city_sup = world.staff(Role.SUPERVISOR, world.city)
    figures = selectors.learning_dashboard(city_sup, since=NOW - dt.timedelta(days=75), until=NOW)
    assert figures["failures_total"] > 0 and figures["paradox"]["no_failure"] > 80
    assert figures["escalations"] and figures["urges_total"] > 0
    assert selectors.escalations_for(city_sup, open_only=True).exists()
    assert selectors.callback_worklist(city_sup).exists()
    # A second run adds nothing.
    assert seed_escalation_history(seed=11, now=NOW) == {"skipped": True}
