"""The closed loop through the services: every transition, its clocks and timeline; merging."""

import datetime as dt

import pytest

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.grid.tests.factories import TransformerAreaFactory
from gridcare.workorders import services as svc
from gridcare.workorders.choices import (
    TRANSITIONS,
    Action,
    ClockKind,
    Dimension,
    RequestType,
    Status,
)
from gridcare.workorders.models import (
    CustomerNotice,
    PolicySetting,
    WorkOrderEvent,
)

from .factories import at, clocks, make_order

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------- lifecycle


def test_full_closed_loop_with_timeline_and_clocks(world, people):
    t0 = at(2026, 3, 2, 9, 0)
    order = make_order(people.agent, area=world.area_a, now=t0)
    order = svc.work_order_dispatch(
        actor=people.dispatcher,
        order=order,
        unit=world.team_a,
        handler=people.crew,
        expected_version=order.version,
        now=t0 + dt.timedelta(minutes=5),
    )
    assert order.status == Status.DISPATCHED and order.unit == world.team_a
    assert order.dispatcher_unit == world.station_a
    order = svc.work_order_start(actor=people.crew, order=order, now=t0 + dt.timedelta(minutes=40))
    c = clocks(order)
    assert c[ClockKind.ARRIVAL].met_at == t0 + dt.timedelta(minutes=40)
    assert c[ClockKind.RESTORATION].due_at == t0 + dt.timedelta(minutes=40 + 180)
    assert order.due_at == c[ClockKind.RESTORATION].due_at
    order = svc.work_order_reply(
        actor=people.crew, order=order, reply="更换熔断器，已恢复送电", now=t0 + dt.timedelta(hours=2)
    )
    c = clocks(order)
    assert c[ClockKind.RESTORATION].met_at is not None and not c[ClockKind.RESTORATION].met_late
    # Fault repair: call back within 2 working days of the reply (the commitment table).
    assert c[ClockKind.CALLBACK].due_at == at(2026, 3, 4, 11, 0)
    order = svc.work_order_callback(
        actor=people.agent, order=order, note="客户满意", now=t0 + dt.timedelta(days=1)
    )
    order = svc.work_order_archive(
        actor=people.agent, order=order, satisfied=True, now=t0 + dt.timedelta(days=1)
    )
    assert order.status == Status.ARCHIVED and order.due_at is None and order.satisfied is True
    steps = list(order.events.values_list("action", "from_status", "to_status"))
    assert steps == [
        ("create", "", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("start", "dispatched", "in_progress"),
        ("reply", "in_progress", "replied"),
        ("callback", "replied", "callback"),
        ("archive", "callback", "archived"),
    ]
    assert order.version == 6


@pytest.mark.parametrize(
    "status, action",
    [
        (Status.ACCEPTED, Action.START),
        (Status.ACCEPTED, Action.CALLBACK),
        (Status.ACCEPTED, Action.ARCHIVE),
        (Status.ACCEPTED, Action.REOPEN),
        (Status.ACCEPTED, Action.RETURN),
    ],
)
def test_illegal_transitions_are_refused_with_a_conflict(world, people, status, action):
    order = make_order(people.agent, area=world.area_a)
    assert (status, action) not in TRANSITIONS
    call = {
        Action.START: lambda: svc.work_order_start(actor=people.supervisor, order=order),
        Action.CALLBACK: lambda: svc.work_order_callback(actor=people.supervisor, order=order),
        Action.ARCHIVE: lambda: svc.work_order_archive(actor=people.supervisor, order=order),
        Action.REOPEN: lambda: svc.work_order_reopen(actor=people.supervisor, order=order, reason="x"),
        Action.RETURN: lambda: svc.work_order_return(actor=people.supervisor, order=order, reason="x"),
    }[action]
    with pytest.raises(ConflictError) as exc:
        call()
    assert exc.value.code == "invalid_transition" and exc.value.status == 409


def test_every_table_entry_is_reachable_by_a_service():
    services = {
        a: getattr(svc, f"work_order_{a}")
        for a in (
            "dispatch",
            "transfer",
            "start",
            "reply",
            "callback",
            "archive",
            "return",
            "cancel",
            "reopen",
        )
    }
    assert {a for (_s, a) in TRANSITIONS} <= set(services)


def test_archive_before_callback_is_refused_for_fault_repair(world, people):
    order = make_order(people.agent, area=world.area_a)
    order = svc.work_order_reply(actor=people.dispatcher, order=order, reply="已处理")
    with pytest.raises(ConflictError) as exc:
        svc.work_order_archive(actor=people.agent, order=order)
    assert exc.value.code == "callback_required"


@pytest.mark.parametrize("name", ["return", "transfer", "cancel", "reopen", "pause"])
def test_reasons_are_required(world, people, name):
    order = make_order(people.agent, area=world.area_a)
    order = svc.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a)
    kwargs = {"actor": people.supervisor, "order": order, "reason": "  "}
    if name == "transfer":
        kwargs["unit"] = world.station_b
    fn = getattr(svc, "work_order_pause_clock" if name == "pause" else f"work_order_{name}")
    with pytest.raises(ApplicationError) as exc:
        fn(**kwargs)
    assert exc.value.field == "reason"


def test_empty_reply_is_refused(world, people):
    order = make_order(people.agent, area=world.area_a)
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_reply(actor=people.dispatcher, order=order, reply="")
    assert exc.value.field == "reply"


def test_return_goes_back_to_the_dispatching_unit(world, people):
    order = make_order(people.agent, area=world.area_a)
    order = svc.work_order_dispatch(
        actor=people.dispatcher, order=order, unit=world.team_a, handler=people.crew
    )
    order = svc.work_order_return(actor=people.crew, order=order, reason="地址不在本班组范围")
    assert order.status == Status.ACCEPTED and order.unit == world.station_a and order.handler is None
    assert order.return_reason == "地址不在本班组范围"


def test_transfer_to_another_county_and_scoping(world, people):
    order = make_order(people.agent, area=world.area_a)
    order = svc.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.station_a)
    # County B cannot touch county A's order.
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_transfer(actor=people.dispatcher_b, order=order, unit=world.station_b, reason="x")
    assert exc.value.status == 404
    # Dispatch is within one's scope only; transfer may cross.
    with pytest.raises(PermissionDeniedError):
        svc.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.station_b)
    order = svc.work_order_transfer(
        actor=people.dispatcher, order=order, unit=world.station_b, reason="用户实际属雄州供电所"
    )
    assert order.status == Status.DISPATCHED and order.unit == world.station_b
    # Now county B can act on it, and county A still sees it only if it accepted it (it did not).
    svc.work_order_start(actor=people.dispatcher_b, order=order)


def test_role_permissions(world, people):
    order = make_order(people.agent, area=world.area_a)
    with pytest.raises(PermissionDeniedError):
        svc.work_order_dispatch(actor=people.agent, order=order, unit=world.team_a)


def test_cancel_and_reopen_rules(world, people):
    order = make_order(people.agent, area=world.area_a)
    order = svc.work_order_cancel(actor=people.agent, order=order, reason="客户撤回")
    assert order.status == Status.CANCELLED and order.due_at is None and order.cancel_reason == "客户撤回"
    with pytest.raises(ConflictError):
        svc.work_order_reopen(actor=people.supervisor, order=order, reason="误撤销")

    order = make_order(people.agent, area=world.area_a)
    order = svc.work_order_reply(actor=people.dispatcher, order=order, reply="已处理")
    order = svc.work_order_callback(actor=people.agent, order=order)
    order = svc.work_order_reopen(actor=people.agent, order=order, reason="客户表示仍然停电")
    assert order.status == Status.DISPATCHED and order.satisfied is False
    assert ClockKind.CALLBACK not in clocks(order)
    assert clocks(order)[ClockKind.RESTORATION].met_at is None
    order = svc.work_order_start(actor=people.dispatcher, order=order)
    order = svc.work_order_reply(actor=people.dispatcher, order=order, reply="再次处理")
    order = svc.work_order_callback(actor=people.agent, order=order)
    order = svc.work_order_archive(actor=people.agent, order=order)
    with pytest.raises(PermissionDeniedError):
        svc.work_order_reopen(actor=people.agent, order=order, reason="督办抽查不合格")
    order = svc.work_order_reopen(actor=people.supervisor, order=order, reason="督办抽查不合格")
    assert order.status == Status.DISPATCHED and order.closed_at is None and order.due_at is not None


def test_pause_and_resume_extend_the_deadline(world, people):
    t0 = at(2026, 3, 2, 9, 0)
    order = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.BUSINESS_HANDLING,
        description="报装进度太慢",
        area=world.area_a,
        now=t0,
    )
    before = clocks(order)[ClockKind.REPLY].due_at
    order = svc.work_order_pause_clock(
        actor=people.dispatcher, order=order, reason="等待客户提供材料", now=t0 + dt.timedelta(hours=1)
    )
    assert order.due_at is None and order.clock_paused_at is not None
    with pytest.raises(ConflictError):
        svc.work_order_pause_clock(actor=people.dispatcher, order=order, reason="again")
    order = svc.work_order_resume_clock(actor=people.dispatcher, order=order, now=t0 + dt.timedelta(hours=26))
    c = clocks(order)[ClockKind.REPLY]
    assert c.due_at == before + dt.timedelta(hours=25) and c.paused_seconds == 25 * 3600
    assert order.due_at == clocks(order)[ClockKind.CONTACT].due_at
    with pytest.raises(ConflictError):
        svc.work_order_resume_clock(actor=people.dispatcher, order=order)
    actions = list(order.events.values_list("action", flat=True))
    assert actions[-2:] == ["pause", "resume"]


# --------------------------------------------------------------------------- merging


def test_fault_reports_on_one_area_merge_and_master_cascades(world, people):
    t0 = at(2026, 7, 20, 20, 0)
    c1, c2 = CustomerFactory(area=world.area_a), CustomerFactory(area=world.area_a)
    master = make_order(people.agent, customer=c1, now=t0, auto_merge=True)
    child = make_order(people.agent, customer=c2, now=t0 + dt.timedelta(minutes=10), auto_merge=True)
    assert child.master == master
    master.refresh_from_db()
    assert master.children_count == 1
    assert CustomerNotice.objects.filter(order=child, kind="merged").count() == 1

    master = svc.work_order_dispatch(
        actor=people.dispatcher, order=master, unit=world.team_a, handler=people.crew
    )
    child.refresh_from_db()
    assert child.status == Status.DISPATCHED and child.unit == world.team_a and child.handler == people.crew
    assert CustomerNotice.objects.filter(order=child, kind="dispatched").count() == 1
    svc.work_order_start(actor=people.crew, order=master)
    master = svc.work_order_reply(actor=people.crew, order=master, reply="10kV线路故障已抢修完毕")
    child.refresh_from_db()
    assert child.status == Status.REPLIED and child.reply == master.reply
    assert CustomerNotice.objects.filter(order=child, kind="replied", customer=c2).count() == 1
    assert WorkOrderEvent.objects.filter(order=child, action="reply", data__master=master.order_no).exists()


def test_same_feeder_merges_but_window_and_setting_apply(world, people):
    t0 = at(2026, 7, 20, 20, 0)
    other_area = TransformerAreaFactory(feeder=world.area_a.feeder, station=world.station_a)
    master = make_order(people.agent, area=world.area_a, now=t0, auto_merge=True)
    child = make_order(people.agent, area=other_area, now=t0 + dt.timedelta(minutes=30), auto_merge=True)
    assert child.master == master
    late = make_order(people.agent, area=world.area_a, now=t0 + dt.timedelta(hours=3), auto_merge=True)
    assert late.master is None
    # Saved as the admin saves it: the per-process settings cache drops on save.
    PolicySetting.objects.update_or_create(key=PolicySetting.MERGE_BY_FEEDER, defaults={"value": 0})
    alone = make_order(
        people.agent, area=other_area, now=t0 + dt.timedelta(hours=3, minutes=5), auto_merge=True
    )
    assert alone.master is None


def test_manual_merge_and_detach_are_reversible_and_audited(world, people):
    a = make_order(people.agent, area=world.area_a)
    b = make_order(people.agent, area=world.area_a)
    a = svc.work_order_dispatch(actor=people.dispatcher, order=a, unit=world.team_a)
    b = svc.work_order_merge(actor=people.dispatcher, order=b, master=a, note="同一故障")
    assert b.master_id == a.pk and b.status == Status.DISPATCHED and b.unit == world.team_a
    with pytest.raises(ApplicationError):
        svc.work_order_merge(actor=people.dispatcher, order=a, master=b)
    with pytest.raises(ConflictError):
        svc.work_order_cancel(actor=people.dispatcher, order=a, reason="重复")
    b = svc.work_order_detach(actor=people.dispatcher, order=b, note="不是同一故障")
    a.refresh_from_db()
    assert b.master is None and a.children_count == 0
    assert list(b.events.values_list("action", flat=True))[-2:] == ["merge", "detach"]

    assert AuditEvent.objects.filter(action="work_order.detach", object_id=str(b.pk)).exists()


def test_likely_duplicates_suggested(world, people):
    from gridcare.workorders.selectors import likely_duplicates

    customer = CustomerFactory(area=world.area_a)
    first = make_order(people.agent, customer=customer)
    assert likely_duplicates(people.agent, customer=customer) == [first]
    assert likely_duplicates(people.agent, area=world.area_a, request_type=RequestType.FAULT_REPAIR) == [
        first
    ]
    assert likely_duplicates(people.agent, area=world.area_a, request_type=RequestType.COMPLAINT) == []
