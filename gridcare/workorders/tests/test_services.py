import datetime as dt
import re
import threading

import pytest
from django.utils import timezone

from gridcare.core.calendar import local_tz
from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.customers.choices import CustomerCategory
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.grid.tests.factories import TransformerAreaFactory
from gridcare.org.choices import Role
from gridcare.workorders import services as svc
from gridcare.workorders.choices import (
    TRANSITIONS,
    Action,
    ApplicationSubtype,
    ClockKind,
    Dimension,
    Priority,
    RequestType,
    Status,
)
from gridcare.workorders.models import (
    CustomerNotice,
    PolicySetting,
    WorkOrder,
    WorkOrderEvent,
)
from gridcare.workorders.signals import work_order_transitioned

from .factories import make_order

pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=local_tz())


@pytest.fixture
def people(world):
    class P:
        agent = world.staff(Role.HOTLINE_AGENT, world.city)
        dispatcher = world.staff(Role.DISPATCHER, world.county_a)
        crew = world.staff(Role.REPAIR_CREW, world.team_a)
        supervisor = world.staff(Role.SUPERVISOR, world.county_a)
        dispatcher_b = world.staff(Role.DISPATCHER, world.county_b)

    return P


def clocks(order):
    return {c.kind: c for c in order.clocks.all()}


# ------------------------------------------------------------------------------ create


def test_create_fault_repair_sets_owner_unit_number_and_minute_clocks(world, people):
    now = at(2026, 3, 2, 9, 0)
    customer = CustomerFactory(area=world.area_a)
    order = make_order(people.agent, customer=customer.customer_no, now=now)
    assert re.fullmatch(r"GD20260302NJ0101\d{5}", order.order_no)
    assert order.status == Status.ACCEPTED
    assert order.unit == world.station_a and order.accepted_unit == world.city
    assert order.accepted_by == people.agent
    assert order.area == world.area_a and order.feeder_id == world.area_a.feeder_id
    c = clocks(order)
    assert c[ClockKind.ARRIVAL].due_at == now + dt.timedelta(minutes=45)
    assert c[ClockKind.RESTORATION].due_at == now + dt.timedelta(minutes=45 + 180)
    assert order.due_at == now + dt.timedelta(minutes=45)
    event = order.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "create",
        "",
        "accepted",
        people.agent,
    )


def test_rural_area_gets_rural_limits(world, people):
    now = at(2026, 3, 2, 9, 0)
    order = make_order(people.agent, area=world.area_b.code, now=now)
    assert clocks(order)[ClockKind.ARRIVAL].due_at == now + dt.timedelta(minutes=90)
    assert order.unit == world.station_b


def test_order_numbers_are_sequential_per_unit_and_day(world, people):
    now = at(2026, 3, 2, 9, 0)
    a = make_order(people.agent, area=world.area_a, now=now)
    b = make_order(people.agent, area=world.area_a, now=now)
    assert a.order_no.endswith("00001") and b.order_no.endswith("00002")
    assert a.order_no < b.order_no


@pytest.mark.parametrize(
    "kwargs, field, code",
    [
        ({"customer": "9999999999"}, "customer", "unknown_customer"),
        ({"area": "NO-SUCH-AREA"}, "area", "unknown_area"),
        ({"description": "   "}, "description", "required"),
        (
            {"request_type": RequestType.COMPLAINT, "subtype": ApplicationSubtype.METER_TEST},
            "subtype",
            "subtype_mismatch",
        ),
        ({"request_type": RequestType.SERVICE_APPLICATION}, "subtype", "required"),
        ({"channel": "telegram"}, "channel", "invalid_choice"),
        ({"dimension": "weather"}, "dimension", "invalid_choice"),
        ({"answered": True, "reply": "已答复"}, "answered", "invalid"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(world, people, kwargs, field, code):
    kwargs.setdefault("area", world.area_a)
    with pytest.raises(ApplicationError) as exc:
        make_order(people.agent, **kwargs)
    assert exc.value.field == field and exc.value.code == code
    assert not WorkOrder.objects.exists()


def test_no_location_and_no_unit_is_refused(world, db):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "r@example.com", "pw")
    with pytest.raises(ApplicationError) as exc:
        make_order(admin)
    assert exc.value.field == "area"


def test_planner_cannot_create(world):
    planner = world.staff(Role.PLANNER, world.city)
    with pytest.raises(PermissionDeniedError):
        make_order(planner, area=world.area_a)


def test_consultation_answered_at_first_contact_goes_to_replied_and_archives_without_callback(world, people):
    order = make_order(
        people.agent,
        request_type=RequestType.CONSULTATION,
        dimension=Dimension.INFORMATION_COMMUNICATION,
        description="峰谷电价怎么算",
        answered=True,
        reply="已告知峰谷时段与电价",
        area=world.area_a,
    )
    assert order.status == Status.REPLIED and order.reply
    assert order.due_at is None
    assert clocks(order)[ClockKind.REPLY].met_at is not None
    order = svc.work_order_archive(actor=people.agent, order=order)
    assert order.status == Status.ARCHIVED and order.closed_at is not None


# ---------------------------------------------------------------------- working days


def test_complaint_clocks_cross_national_day_and_makeup_saturday(world, people):
    # 2026: Oct 1-7 holiday; Sat Oct 10 is a make-up working day.
    order = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        description="抢修人员态度恶劣",
        area=world.area_a,
        now=at(2026, 9, 30, 10, 0),
    )
    c = clocks(order)
    assert c[ClockKind.CONTACT].due_at == at(2026, 10, 8, 10, 0)
    # Oct 8, 9, 10 (Sat, make-up), 12, 13, 14, 15, 16, 19, 20
    assert c[ClockKind.REPLY].due_at == at(2026, 10, 20, 10, 0)


def test_request_on_a_rest_day_starts_counting_on_the_makeup_sunday(world, people):
    # Sat 2026-09-19 is a rest day; Sun 2026-09-20 is a make-up working day.
    order = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        description="营业厅排队太久",
        area=world.area_a,
        now=at(2026, 9, 19, 15, 0),
    )
    assert clocks(order)[ClockKind.CONTACT].due_at == at(2026, 9, 21, 0, 0)


def test_year_the_calendar_does_not_know_falls_back_to_weekends(world, people):
    # 2027 holidays are unknown: Fri Oct 1 2027 counts as a working day, the weekend does not.
    order = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        description="多次来电无人处理",
        area=world.area_a,
        now=at(2027, 10, 1, 10, 0),
    )
    assert clocks(order)[ClockKind.CONTACT].due_at == at(2027, 10, 4, 10, 0)


def test_application_limits_by_customer_category_and_subtype(world, people):
    now = at(2026, 3, 2, 9, 0)  # Monday
    hv = CustomerFactory(area=world.area_a, category=CustomerCategory.HV_DUAL)
    new = make_order(
        people.agent,
        request_type=RequestType.SERVICE_APPLICATION,
        subtype=ApplicationSubtype.NEW_CONNECTION,
        dimension=Dimension.BUSINESS_HANDLING,
        description="新建厂房申请双电源供电",
        customer=hv,
        now=now,
    )
    assert clocks(new)[ClockKind.COMPLETION].due_at == at(
        2026, 4, 16, 9, 0
    )  # 32 working days, Qingming Apr 6
    test = make_order(
        people.agent,
        request_type=RequestType.SERVICE_APPLICATION,
        subtype=ApplicationSubtype.METER_TEST,
        dimension=Dimension.BILLING_PAYMENT,
        description="申请校验电能表",
        customer=hv,
        now=now,
    )
    assert clocks(test)[ClockKind.COMPLETION].due_at == at(2026, 3, 9, 9, 0)


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
    from gridcare.core.models import AuditEvent

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
    a = make_order(people.agent, area=world.area_a.code, idempotency_key="k-1")
    b = make_order(people.agent, area=world.area_a.code, idempotency_key="k-1")
    assert a.pk == b.pk and b.replayed and not a.replayed
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
            results.append(make_order(people.agent, area=world.area_a.code, idempotency_key="retry-1"))
        finally:
            conn.close()

    threads = [threading.Thread(target=attempt) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3 and len({o.pk for o in results}) == 1
    assert sorted(o.replayed for o in results) == [False, True, True]
    assert WorkOrder.objects.count() == 1
    assert results[0].order_no.endswith("00001")


def test_announcement_commits_with_the_action_or_not_at_all(world, people, settings):
    """On the database task backend the announcement is written in the action's transaction:
    a create rolled back (here: a retry under a used Idempotency-Key) leaves no task behind."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = "gridcare.workorders.tasks.announce_transition"
    first = make_order(people.agent, area=world.area_a.code, idempotency_key="k-9")
    assert DBTaskResult.objects.filter(task_path=path).count() == 1
    again = make_order(people.agent, area=world.area_a.code, idempotency_key="k-9")
    assert again.replayed and again.pk == first.pk
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
    assert event.data == {"priority": [Priority.NORMAL, Priority.URGENT]} and "医院供电" in event.note
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
