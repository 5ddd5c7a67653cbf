"""Concurrent edits, idempotent retries, notes and priority."""

import threading

import pytest
from django.utils import timezone

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.workorders import services as svc
from gridcare.workorders.choices import (
    Action,
    Priority,
    Status,
)
from gridcare.workorders.models import (
    WorkOrder,
    WorkOrderEvent,
)
from gridcare.workorders.signals import work_order_transitioned

from .factories import make_order, submit_order

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------ concurrency


def test_stale_version_is_a_conflict_not_an_overwrite(world, people):
    order = make_order(people.agent, area=world.area_a)
    seen = order.version
    svc.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a, expected_version=seen)
    with pytest.raises(ConflictError) as exc:
        svc.work_order_dispatch(
            actor=people.supervisor, order=order, unit=world.station_a, expected_version=seen
        )
    assert exc.value.field == "expected_version"
    order.refresh_from_db()
    assert order.unit == world.team_a


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_transitions_one_wins_one_conflicts(world, people):
    order = make_order(people.agent, area=world.area_a)
    order = svc.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a)
    barrier = threading.Barrier(2)
    results: list = []

    def act(actor, version):
        from django.db import connection as conn

        try:
            barrier.wait()
            svc.work_order_start(actor=actor, order=order.pk, expected_version=version)
            results.append("ok")
        except ConflictError:
            results.append("conflict")
        finally:
            conn.close()

    threads = [
        threading.Thread(target=act, args=(u, order.version)) for u in (people.crew, people.dispatcher)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    assert WorkOrderEvent.objects.filter(order=order, action="start").count() == 1


def test_signal_sent_after_commit(world, people, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, **kw):
        received.append((kw["action"], kw["from_status"], kw["to_status"]))

    work_order_transitioned.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            order = make_order(people.agent, area=world.area_a)
            svc.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a)
    finally:
        work_order_transitioned.disconnect(listener)
    assert received == [("create", "", "accepted"), ("dispatch", "accepted", "dispatched")]


def test_urge_records_a_timeline_note(world, people):
    order = make_order(people.agent, area=world.area_a)
    order = svc.work_order_urge(actor=people.agent, order=order, note="客户第二次来电")
    assert order.urge_count == 1
    assert order.events.filter(action="urge").count() == 1


# ------------------------------------------------------------------------ idempotency


def test_idempotency_key_returns_same_order_and_rejects_changed_body(world, people):
    a = submit_order(people.agent, area=world.area_a.code, idempotency_key="k-1")
    b = submit_order(people.agent, area=world.area_a.code, idempotency_key="k-1")
    assert a.order.pk == b.order.pk and b.replayed and not a.replayed
    assert WorkOrder.objects.count() == 1
    with pytest.raises(ApplicationError) as exc:
        make_order(people.agent, area=world.area_a.code, idempotency_key="k-1", description="不同的内容")
    assert exc.value.status == 422 and exc.value.code == "idempotency_key_reused"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_with_one_key_create_one_order(world, people):
    """A client that retries before the first attempt has committed: both attempts answer
    with the same order, and the order-number counter has moved once."""
    barrier = threading.Barrier(3)
    results: list = []

    def attempt():
        from django.db import connection as conn

        try:
            barrier.wait()
            results.append(submit_order(people.agent, area=world.area_a.code, idempotency_key="retry-1"))
        finally:
            conn.close()

    threads = [threading.Thread(target=attempt) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3 and len({r.order.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False, True, True]
    assert WorkOrder.objects.count() == 1
    assert results[0].order.order_no.endswith("00001")


def test_announcement_commits_with_the_action_or_not_at_all(world, people, settings):
    """On the database task backend the announcement is written in the action's transaction:
    a create rolled back (here: a retry under a used Idempotency-Key) leaves no task behind."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = "gridcare.workorders.tasks.announce_transition"
    first = make_order(people.agent, area=world.area_a.code, idempotency_key="k-9")
    assert DBTaskResult.objects.filter(task_path=path).count() == 1
    again = submit_order(people.agent, area=world.area_a.code, idempotency_key="k-9")
    assert again.replayed and again.order.pk == first.pk
    assert DBTaskResult.objects.filter(task_path=path).count() == 1
    svc.work_order_dispatch(actor=people.dispatcher, order=first, unit=world.team_a)
    actions = [
        r.args_kwargs["args"][1] for r in DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at")
    ]
    assert actions == ["create", "dispatch"]


def test_now_default_is_aware(world, people):
    order = make_order(people.agent, area=world.area_a)
    assert timezone.is_aware(order.created_at)


# ------------------------------------------------------------------ notes and priority


def test_note_goes_on_the_timeline_without_a_status_change(world, people):
    order = make_order(people.agent, area=world.area_a)
    version = order.version
    noted = svc.work_order_note(
        actor=people.dispatcher, order=order, note="客户要求下午上门", data={"slot": "pm"}
    )
    assert noted.version == version + 1 and noted.status == Status.ACCEPTED
    event = noted.events.get(action="note")
    assert (event.from_status, event.to_status, event.note, event.data) == (
        "accepted",
        "accepted",
        "客户要求下午上门",
        {"slot": "pm"},
    )
    assert AuditEvent.objects.filter(action="work_order.note", object_id=str(order.pk)).exists()
    with pytest.raises(ConflictError):  # a form opened before the note is stale
        svc.work_order_dispatch(
            actor=people.dispatcher, order=order, unit=world.team_a, expected_version=version
        )
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_note(actor=people.agent, order=order, note="  ")
    assert exc.value.field == "note"
    with pytest.raises(ApplicationError):  # status changes go through the transition table
        svc.work_order_note(actor=people.agent, order=order, note="x", action=Action.ARCHIVE)


def test_system_warning_note_without_actor(world, people):
    order = make_order(people.agent, area=world.area_a)
    svc.work_order_note(actor=None, order=order, note="一级预警", action=Action.WARN, data={"percent": 50})
    event = WorkOrderEvent.objects.get(order=order, action="warn")
    assert event.actor is None and event.data == {"percent": 50}


def test_set_priority_is_audited_versioned_and_refused_when_closed(world, people):
    order = make_order(people.agent, area=world.area_a)
    assert order.priority == Priority.NORMAL
    changed = svc.work_order_set_priority(
        actor=people.dispatcher, order=order, priority=Priority.URGENT, reason="医院供电", now=None
    )
    assert changed.priority == Priority.URGENT and changed.version == order.version + 1
    event = changed.events.get(action="priority")
    assert event.data["priority"] == [Priority.NORMAL, Priority.URGENT] and event.note == "医院供电"
    # The system's words are a code, rendered in the reader's language; the reason as typed.
    assert event.text == f"{Priority.NORMAL.label} → {Priority.URGENT.label}：医院供电"
    assert event.data["msg"]["code"] == "order.priority_changed"
    assert AuditEvent.objects.get(action="work_order.priority").changes == {
        "priority": [Priority.NORMAL, Priority.URGENT]
    }
    # Same priority again: nothing recorded.
    svc.work_order_set_priority(actor=people.dispatcher, order=order, priority=1, reason="再次")
    assert changed.events.filter(action="priority").count() == 1
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_set_priority(actor=people.dispatcher, order=order, priority=2, reason="")
    assert exc.value.field == "reason"
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_set_priority(actor=people.dispatcher, order=order, priority=9, reason="x")
    assert exc.value.field == "priority"
    with pytest.raises(PermissionDeniedError):
        svc.work_order_set_priority(actor=people.crew, order=order, priority=2, reason="x")
    svc.work_order_cancel(actor=people.dispatcher, order=order, reason="重复受理")
    with pytest.raises(ConflictError):
        svc.work_order_set_priority(actor=people.dispatcher, order=order, priority=2, reason="x")
