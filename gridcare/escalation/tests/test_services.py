import datetime as dt
from decimal import Decimal

import pytest

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.escalation import selectors, services
from gridcare.escalation.backends import RecordingBackend
from gridcare.escalation.choices import CallbackResult, EscalationReason, RecoveryStatus
from gridcare.escalation.models import (
    CallbackTask,
    Escalation,
    EscalationSetting,
    Notification,
    NotificationDigestItem,
    OutboundMessage,
    RepeatLink,
    SupervisorSubmission,
)
from gridcare.workorders import services as wo
from gridcare.workorders.choices import Channel, Dimension, Priority, RequestType, Status
from gridcare.workorders.models import WorkOrder
from gridcare.workorders.tests.factories import make_order

from .conftest import at

pytestmark = pytest.mark.django_db

T0 = at(2026, 3, 2, 9, 0)


def complaint(people, customer, text="抄表员态度恶劣，多收电费不给解释", now=T0):
    return make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        customer=customer.customer_no,
        description=text,
        now=now,
    )


def replied(people, world, order, now=T0):
    wo.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a, now=now)
    wo.work_order_start(actor=people.crew, order=order, now=now)
    return wo.work_order_reply(actor=people.crew, order=order, reply="已上门道歉并退还多收电费", now=now)


# ----------------------------------------------------------------------------- notifications


def test_transition_notifies_as_the_rules_say(world, people, signals):
    """A dispatch with a named crew: the crew at once, the first-contact owner in the daily
    digest, the supervisors not at all (the default rules), the dispatcher not of their own move."""
    with signals():
        order = make_order(people.agent, area=world.area_a, now=T0)
        wo.work_order_dispatch(
            actor=people.dispatcher, order=order, unit=world.team_a, handler=people.crew, now=T0
        )
    told = set(Notification.objects.filter(kind="transition").values_list("recipient_id", flat=True))
    assert people.crew.pk in told
    assert not told & {people.agent.pk, people.supervisor.pk, people.station_sup.pk, people.dispatcher.pk}
    digested = NotificationDigestItem.objects.filter(event="dispatched", digest__isnull=True)
    assert set(digested.values_list("recipient_id", flat=True)) == {people.agent.pk}
    n = services.notification_mark_read(actor=people.crew)
    assert n >= 1 and selectors.unread_count(people.crew) == 0


def test_first_contact_owner_hears_of_the_milestones_exactly_once(world, people, signals):
    """The owner hears of the reply at once and of the dispatch in the digest; moves that
    are no milestone (start, callback) and the owner's own moves (archive) are not told."""
    from gridcare.org.choices import Role

    other_agent = world.staff(Role.HOTLINE_AGENT, world.city)
    with signals():
        order = make_order(people.agent, area=world.area_a, now=T0)
        wo.work_order_dispatch(
            actor=people.dispatcher, order=order, unit=world.team_a, handler=people.crew, now=T0
        )
        wo.work_order_start(actor=people.crew, order=order, now=T0)
        wo.work_order_reply(actor=people.crew, order=order, reply="已恢复送电", now=T0)
        wo.work_order_callback(actor=other_agent, order=order, now=T0)
        wo.work_order_archive(actor=people.agent, order=order, now=T0)  # the owner's own move
    texts = [n.message for n in Notification.objects.filter(recipient=people.agent, order=order)]
    assert len(texts) == 1 and "：回单（" in texts[0], texts
    digested = list(
        NotificationDigestItem.objects.filter(recipient=people.agent, order=order).values_list(
            "event", flat=True
        )
    )
    assert digested == ["dispatched"]


def test_urge_notifies_the_owner_once(world, people, signals):
    from gridcare.org.choices import Role

    other_agent = world.staff(Role.HOTLINE_AGENT, world.city)
    order = make_order(people.agent, area=world.area_a, now=T0)
    with signals():
        services.urge_record(actor=other_agent, order=order, words="还没来电")
    got = list(
        Notification.objects.filter(recipient=people.agent, order=order).values_list("kind", flat=True)
    )
    assert got == ["urge"]
    # The urge and the raised priority are on the timeline.
    actions = list(order.events.values_list("action", flat=True))
    assert actions == ["create", "urge", "priority"]


def test_escalation_and_warnings_are_on_the_timeline(world, people, signals):
    with signals():
        order = make_order(people.agent, area=world.area_a, now=T0)
    services.sla_sweep(now=T0 + dt.timedelta(minutes=41))
    services.sla_sweep(now=T0 + dt.timedelta(minutes=46))
    events = list(order.events.exclude(action="create").values_list("action", "data", "actor"))
    assert [e[0] for e in events] == ["warn", "warn", "escalate"]
    assert [e[1].get("percent") for e in events[:2]] == [50, 80]
    assert events[2][1]["to_unit"] == world.county_a.code and events[2][2] is None
    order.refresh_from_db()
    from gridcare.escalation.models import SlaWatch

    # The monitor leaves the watch at the version it wrote: reconcile has nothing to redo.
    assert SlaWatch.objects.get(order=order).order_version == order.version
    assert services.sla_reconcile() == 0


def test_outbox_delivers_once_and_retries_failures(world, people, settings):
    msg = services.outbound_enqueue(channel="sms", recipient="13900000000", body="hi", key="k1")
    assert services.outbound_enqueue(channel="sms", recipient="13900000000", body="hi", key="k1") == msg
    stats = services.outbox_deliver()
    assert stats["sent"] == 1 and len(RecordingBackend.sent) == 1
    assert services.outbox_deliver()["sent"] == 0  # idempotent
    msg.refresh_from_db()
    assert msg.status == "sent" and msg.response["provider_id"] == f"rec-{msg.pk}"
    settings.GRIDCARE_NOTIFY_BACKEND = "gridcare.escalation.backends.FailingBackend"
    bad = services.outbound_enqueue(channel="sms", recipient="1", body="x")
    now = bad.next_attempt_at
    for _ in range(5):
        services.outbox_deliver(now=now)
        now += dt.timedelta(hours=2)
    bad.refresh_from_db()
    assert bad.status == "failed" and bad.attempts == 5


def test_customer_notices_are_copied_to_outbox_once(world, people):
    from gridcare.workorders.models import CustomerNotice

    order = make_order(people.agent, area=world.area_a, now=T0)
    CustomerNotice.objects.create(order=order, phone="13911112222", kind="replied", text="已处理")
    assert services.customer_notices_enqueue() == 1
    assert services.customer_notices_enqueue() == 0
    services.outbox_deliver()
    assert CustomerNotice.objects.get().sent_at is not None
    assert OutboundMessage.objects.get().status == "sent"


# -------------------------------------------------------------------------------- urging


def test_urge_raises_priority_notifies_and_escalates_past_threshold(world, people):
    order = make_order(
        people.agent,
        area=world.area_a,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        description="态度差",
        now=T0,
    )
    wo.work_order_dispatch(
        actor=people.dispatcher, order=order, unit=world.team_a, handler=people.crew, now=T0
    )
    start = WorkOrder.objects.get(pk=order.pk).priority
    u1 = services.urge_record(actor=people.agent, order=order, channel="hotline", words="怎么还没人来")
    order.refresh_from_db()
    assert u1.number == 1 and order.urge_count == 1
    assert order.priority == max(Priority.URGENT, start - 1)
    assert Notification.objects.filter(recipient=people.crew, kind="urge").exists()
    services.urge_record(actor=people.agent, order=order, words="第二次")
    assert not Escalation.objects.filter(order=order).exists()
    services.urge_record(actor=people.agent, order=order, words="第三次")
    services.urge_record(actor=people.agent, order=order, words="第四次")
    esc = Escalation.objects.get(order=order)
    # Dispatched to the crew (team): one level up is its station.
    assert esc.reason == EscalationReason.URGE and esc.to_unit == world.station_a
    assert order.events.filter(action="urge").count() == 4
    assert AuditEvent.objects.filter(action="escalation.urge").count() == 4


def test_urging_an_archived_order_creates_a_linked_new_order(world, people):
    customer = CustomerFactory(area=world.area_a)
    order = complaint(people, customer)
    replied(people, world, order)
    wo.work_order_callback(actor=people.agent, order=order)
    wo.work_order_archive(actor=people.agent, order=order)
    urge = services.urge_record(actor=people.agent, order=order, channel="wechat", words="问题又出现了")
    assert urge.follow_up is not None and urge.follow_up.pk != order.pk
    new = urge.follow_up
    assert new.status == Status.ACCEPTED and new.customer == customer and new.channel == Channel.WECHAT
    assert order.order_no in new.description
    order.refresh_from_db()
    assert order.status == Status.ARCHIVED


def test_urge_outside_scope_is_refused(world, people):
    order = make_order(people.agent, area=world.area_a, now=T0)
    with pytest.raises(ApplicationError):
        services.urge_record(actor=people.agent_b, order=order, words="x")


# ------------------------------------------------------------------------------- repeats


def test_repeat_by_same_customer_is_linked_flagged_and_escalated(world, people):
    customer = CustomerFactory(area=world.area_a)
    first = complaint(people, customer, "抄表员态度恶劣，多收电费", now=T0)
    second = complaint(people, customer, "又是抄表员态度恶劣，电费多收了", now=T0 + dt.timedelta(days=3))
    link = services.repeat_detect(order=second)
    assert link.earlier == first and link.basis == "customer" and link.similarity >= 0.2
    assert services.repeat_detect(order=second) is None  # idempotent
    esc = Escalation.objects.get(order=second)
    assert esc.reason == EscalationReason.REPEAT and esc.to_unit == world.county_a
    assert services.repeat_detect(order=first) is None


def test_an_order_merged_into_a_master_is_not_a_repeat(world, people):
    """A second call about a fault already being handled (merged into its master, e.g. a
    known outage's) is not a repeated complaint: the master's clocks carry the service."""
    from gridcare.workorders.services import work_order_merge

    customer = CustomerFactory(area=world.area_a)
    first = complaint(people, customer, "抄表员态度恶劣，多收电费", now=T0)
    master = complaint(people, CustomerFactory(area=world.area_a), "电费多收了", now=T0)
    second = complaint(people, customer, "又是抄表员态度恶劣，电费多收了", now=T0 + dt.timedelta(days=3))
    work_order_merge(actor=people.dispatcher, order=second, master=master)
    assert services.repeat_detect(order=second) is None
    assert not RepeatLink.objects.filter(order=second).exists() and first.pk


def test_no_repeat_outside_window_or_other_dimension_or_dissimilar(world, people):
    customer = CustomerFactory(area=world.area_a)
    complaint(people, customer, "抄表员态度恶劣", now=T0)
    late = complaint(people, customer, "抄表员态度恶劣", now=T0 + dt.timedelta(days=40))
    assert services.repeat_detect(order=late) is None
    other = make_order(
        people.agent,
        customer=customer.customer_no,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.BILLING_PAYMENT,
        description="抄表员态度恶劣",
        now=T0 + dt.timedelta(days=1),
    )
    assert services.repeat_detect(order=other) is None
    different = complaint(people, customer, "营业厅排队两个小时没人管", now=T0 + dt.timedelta(days=2))
    assert services.repeat_detect(order=different) is None
    assert RepeatLink.objects.count() == 0


def test_repeat_by_same_area_and_candidates_looked_up_by_index_per_basis(world, people):
    """Another customer on the same transformer area reports the same fault: a repeat by
    area. Candidates are read one indexed basis at a time (customer, then area), never as one
    OR that makes the database walk every order of the month."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridcare.escalation.services.repeats import repeat_candidates

    neighbour, caller = CustomerFactory(area=world.area_a), CustomerFactory(area=world.area_a)
    text = "小区整栋楼电压不稳，灯一闪一闪的"
    kw = {
        "request_type": RequestType.COMPLAINT,
        "dimension": Dimension.SUPPLY_RELIABILITY,
        "description": text,
    }
    first = make_order(people.agent, customer=neighbour.customer_no, now=T0, **kw)
    second = make_order(people.agent, customer=caller.customer_no, now=T0 + dt.timedelta(hours=5), **kw)
    with CaptureQueriesContext(connection) as ctx:
        found = repeat_candidates(second, window_days=30)
    assert [o.pk for o in found] == [first.pk]
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 2 and all(" OR " not in sql for sql in reads)
    assert '"customer_id" =' in reads[0] and '"area_id" =' in reads[1]
    link = services.repeat_detect(order=second)
    assert link.earlier == first and link.basis == "area"


def test_repeat_detection_runs_on_create_signal(world, people, signals):
    customer = CustomerFactory(area=world.area_a)
    with signals():
        complaint(people, customer, "抄表员态度恶劣，多收电费", now=T0)
        second = complaint(people, customer, "抄表员态度恶劣，多收电费", now=T0 + dt.timedelta(days=1))
    assert RepeatLink.objects.get().order == second


# ----------------------------------------------------------------------------- callbacks


def test_callback_task_due_by_rule_and_refused_before_reply(world, people, signals):
    customer = CustomerFactory(area=world.area_a)
    order = complaint(people, customer)
    with pytest.raises(ConflictError):
        services.callback_task_ensure(order=order)
    with signals():
        replied(people, world, order, now=T0)
    task = CallbackTask.objects.get(order=order)
    assert task.due_at == at(2026, 3, 3, 9, 0)  # complaints: one working day
    assert services.callback_task_ensure(order=order) == task
    # Fault repair: 2 working days from a Friday reply -> Tuesday.
    fault = make_order(people.agent, area=world.area_a, now=at(2026, 3, 6, 10, 0))
    replied(people, world, fault, now=at(2026, 3, 6, 10, 0))
    assert services.callback_task_ensure(order=fault).due_at == at(2026, 3, 10, 10, 0)


def test_callback_task_is_due_when_the_orders_callback_clock_is(world, people):
    """One deadline: the order page's callback clock is the callback task's deadline."""
    from gridcare.workorders.choices import ClockKind
    from gridcare.workorders.models import CommitmentRule

    order = make_order(people.agent, area=world.area_a, now=at(2026, 3, 6, 10, 0))  # Friday
    replied(people, world, order, now=at(2026, 3, 6, 10, 0))
    clock = order.clocks.get(kind=ClockKind.CALLBACK)
    task = services.callback_task_ensure(order=order)
    assert task.due_at == clock.due_at == at(2026, 3, 10, 10, 0)  # 2 working days: Mon, Tue
    # Without a callback commitment for the type, the published cap applies.
    CommitmentRule.objects.filter(kind=ClockKind.CALLBACK).delete()
    from gridcare.workorders.models import workorder_cache_clear

    workorder_cache_clear()
    EscalationSetting.objects.update_or_create(key="callback_max_days", defaults={"value": 1})
    other = make_order(people.agent, area=world.area_a, now=at(2026, 3, 6, 10, 0))
    replied(people, world, other, now=at(2026, 3, 6, 10, 0))
    assert not other.clocks.filter(kind=ClockKind.CALLBACK).exists()
    assert services.callback_task_ensure(order=other).due_at == at(2026, 3, 7, 10, 0)


def test_satisfied_callback_archives(world, people):
    customer = CustomerFactory(area=world.area_a)
    order = complaint(people, customer)
    replied(people, world, order)
    task = services.callback_task_ensure(order=order)
    services.callback_record(actor=people.agent, task=task, outcome="satisfied", words="很满意")
    order.refresh_from_db()
    assert order.status == Status.ARCHIVED and order.satisfied is True


def test_unsatisfied_callback_reopens_and_escalates(world, people):
    customer = CustomerFactory(area=world.area_a)
    order = complaint(people, customer)
    replied(people, world, order)
    task = services.callback_task_ensure(order=order)
    with pytest.raises(ApplicationError):
        services.callback_record(actor=people.agent, task=task, outcome="unsatisfied")  # words required
    services.callback_record(actor=people.agent, task=task, outcome="unsatisfied", words="钱还没退")
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.satisfied is False
    esc = Escalation.objects.get(order=order)
    assert esc.reason == EscalationReason.UNSATISFIED and esc.to_unit == world.station_a
    task.refresh_from_db()
    assert task.result == CallbackResult.UNSATISFIED and task.words == "钱还没退"


def test_three_unreachable_attempts_at_different_times(world, people):
    customer = CustomerFactory(area=world.area_a)
    order = complaint(people, customer)
    replied(people, world, order)
    task = services.callback_task_ensure(order=order)
    services.callback_record(
        actor=people.agent, task=task, outcome="unreachable", now=T0 + dt.timedelta(hours=1)
    )
    with pytest.raises(ApplicationError) as exc:
        services.callback_record(
            actor=people.agent, task=task, outcome="unreachable", now=T0 + dt.timedelta(hours=1, minutes=5)
        )
    assert exc.value.code == "too_soon"
    services.callback_record(
        actor=people.agent, task=task, outcome="unreachable", now=T0 + dt.timedelta(hours=3)
    )
    task.refresh_from_db()
    assert task.status == "pending" and task.attempts == 2
    services.callback_record(
        actor=people.agent, task=task, outcome="unreachable", now=T0 + dt.timedelta(hours=6)
    )
    task.refresh_from_db()
    assert task.status == "done" and task.result == "unreachable"
    order.refresh_from_db()
    assert order.status == Status.ARCHIVED and order.satisfied is None


def test_callback_on_order_no_longer_replied_is_refused(world, people):
    customer = CustomerFactory(area=world.area_a)
    order = complaint(people, customer)
    replied(people, world, order)
    task = services.callback_task_ensure(order=order)
    wo.work_order_reopen(actor=people.supervisor, order=order, reason="回单不合格")
    with pytest.raises(ConflictError) as exc:
        services.callback_record(actor=people.agent, task=task, outcome="satisfied")
    assert exc.value.code == "not_replied"


def test_callback_worklist_is_scoped_and_sorted(world, people):
    c1 = CustomerFactory(area=world.area_a)
    o1 = complaint(people, c1)
    replied(people, world, o1)
    o2 = make_order(people.agent, area=world.area_b, now=T0)
    wo.work_order_reply(actor=people.agent, order=o2, reply="已远程处理", now=T0 - dt.timedelta(days=1))
    services.callback_task_ensure(order=o1)
    services.callback_task_ensure(order=o2)
    # o1 (complaint): Tue 09:00; o2 (fault, replied on a Sunday): end of Tuesday.
    assert [t.order for t in selectors.callback_worklist(people.agent)] == [o1, o2]
    assert [t.order for t in selectors.callback_worklist(people.supervisor)] == [o1]
    assert [t.order for t in selectors.callback_worklist(people.agent_b)] == [o2]


# ----------------------------------------------------------------------------- recovery


def _failure(world, people):
    customer = CustomerFactory(area=world.area_a)
    order = complaint(people, customer)
    replied(people, world, order)
    failure = services.service_failure_record(
        actor=people.inspector,
        order=order,
        origin="personnel",
        cause="non_standard_service",
        responsible_unit=world.station_a,
        responsible_person="张三",
        description="抄表员与客户争吵",
    )
    return order, failure


def test_failure_only_for_complaints_and_once(world, people):
    order = make_order(people.agent, area=world.area_a, now=T0)
    with pytest.raises(ApplicationError):
        services.service_failure_record(
            actor=people.inspector,
            order=order,
            origin="personnel",
            cause="other",
            responsible_unit=world.station_a,
            description="x",
        )
    complaint_order, failure = _failure(world, people)
    with pytest.raises(ConflictError):
        services.service_failure_record(
            actor=people.inspector,
            order=complaint_order,
            origin="event",
            cause="other",
            responsible_unit=world.station_a,
            description="again",
        )
    with pytest.raises(PermissionDeniedError):
        services.service_failure_record(
            actor=people.agent,
            order=complaint_order,
            origin="event",
            cause="other",
            responsible_unit=world.station_a,
            description="x",
        )


def test_authority_limits_per_role_and_level(world, people):
    assert services.authority_limit_for(people.agent) == Decimal("200")
    assert services.authority_limit_for(people.station_sup) == Decimal("2000")
    assert services.authority_limit_for(people.supervisor) is None


def test_compensation_above_authority_waits_for_approval(world, people):
    order, failure = _failure(world, people)
    small = services.recovery_action_propose(
        actor=people.agent,
        failure=failure,
        kind="compensation",
        amount="150",
        compensation_kind="bill_credit",
    )
    assert small.status == RecoveryStatus.APPROVED
    big = services.recovery_action_propose(
        actor=people.agent, failure=failure, kind="compensation", amount="1500", compensation_kind="cash"
    )
    assert big.status == RecoveryStatus.PENDING_APPROVAL
    assert Notification.objects.filter(recipient=people.station_sup, kind="recovery").exists()
    with pytest.raises(PermissionDeniedError):
        services.recovery_action_complete(actor=people.agent, action=big)
    huge = services.recovery_action_propose(
        actor=people.agent, failure=failure, kind="compensation", amount="5000", compensation_kind="cash"
    )
    with pytest.raises(PermissionDeniedError):
        services.recovery_action_decide(actor=people.station_sup, action=huge, approve=True)
    services.recovery_action_decide(actor=people.station_sup, action=big, approve=True, note="同意")
    services.recovery_action_decide(actor=people.supervisor, action=huge, approve=False, note="金额过高")
    services.recovery_action_complete(actor=people.agent, action=small)
    assert not CallbackTask.objects.filter(kind="recovery").exists()
    services.recovery_action_complete(actor=people.agent, action=big)
    task = CallbackTask.objects.get(kind="recovery")
    assert AuditEvent.objects.filter(action__startswith="escalation.recovery").count() == 7
    services.callback_record(actor=people.agent, task=task, outcome="satisfied", words="处理得很好")
    failure.refresh_from_db()
    assert failure.satisfaction_after == "satisfied"
    assert customer_in(selectors.supervisor_candidates(people.supervisor), order.customer)


def customer_in(qs, customer):
    return qs.filter(pk=customer.pk).exists()


def test_amount_only_on_compensation(world, people):
    _order, failure = _failure(world, people)
    with pytest.raises(ApplicationError):
        services.recovery_action_propose(actor=people.agent, failure=failure, kind="apology", amount="10")
    apology = services.recovery_action_propose(actor=people.agent, failure=failure, kind="apology")
    assert apology.status == RecoveryStatus.APPROVED


# ------------------------------------------------------------------------ supervisors


def test_supervisor_registration_submission_and_consultation(world, people):
    sup = services.social_supervisor_register(
        actor=people.supervisor,
        name="李监督",
        phone="13800000001",
        area="东山街道",
        unit=world.county_a,
        organisation="人大代表",
    )
    order = services.supervisor_submission_create(
        actor=people.agent,
        supervisor=sup,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_CHANNEL,
        description="营业厅自助机坏了一周",
        area=world.area_a,
    )
    assert order.channel == Channel.SUPERVISOR and order.contact_name == "李监督"
    assert SupervisorSubmission.objects.get().order == order
    c = services.supervisor_consultation_record(
        actor=people.supervisor,
        unit=world.county_a,
        held_on=dt.date(2026, 3, 5),
        topic="一季度座谈",
        attendees=[sup],
    )
    assert list(c.attendees.all()) == [sup]
    assert list(selectors.supervisors_for(people.agent_b)) == []
    with pytest.raises(PermissionDeniedError):
        services.social_supervisor_register(
            actor=people.agent, name="x", phone="1", area="a", unit=world.county_a
        )


def test_dashboard_figures(world, people):
    _order, failure = _failure(world, people)
    a = services.recovery_action_propose(
        actor=people.agent, failure=failure, kind="compensation", amount="100", compensation_kind="cash"
    )
    services.recovery_action_complete(actor=people.agent, action=a)
    d = selectors.learning_dashboard(
        people.supervisor,
        since=T0 - dt.timedelta(days=1),
        until=dt.datetime.now(tz=T0.tzinfo) + dt.timedelta(days=1),
    )
    assert d["failures_total"] == 1
    assert d["by_cause"][0]["cause"] == "non_standard_service"
    assert d["compensation_total"] == Decimal("100")


def test_splitting_a_compensation_does_not_bypass_the_authority_limit(world, people):
    """The limit applies to the running total per failure (and per customer): ten ¥200
    compensations for one failure are not ten approvals an agent may grant alone."""
    _order, failure = _failure(world, people)
    first = services.recovery_action_propose(
        actor=people.agent, failure=failure, kind="compensation", amount="200", compensation_kind="cash"
    )
    assert first.status == RecoveryStatus.APPROVED  # exactly the agent's ¥200
    rest = [
        services.recovery_action_propose(
            actor=people.agent, failure=failure, kind="compensation", amount="200", compensation_kind="cash"
        )
        for _ in range(9)
    ]
    assert {a.status for a in rest} == {RecoveryStatus.PENDING_APPROVAL}
    # The station supervisor (¥2,000) may approve while the total stays within ¥2,000 …
    for a in rest[:8]:
        services.recovery_action_decide(actor=people.station_sup, action=a, approve=True)
    # … and not the one that takes it past (¥200 + 8 × ¥200 + ¥200 = ¥2,000 is the limit: 10th is ¥2,000 total).
    assert services.recovery_action_verbs(people.station_sup, rest[8]) == ["approve", "reject"]
    services.recovery_action_decide(actor=people.station_sup, action=rest[8], approve=True)
    eleventh = services.recovery_action_propose(
        actor=people.agent, failure=failure, kind="compensation", amount="1", compensation_kind="cash"
    )
    assert eleventh.status == RecoveryStatus.PENDING_APPROVAL
    assert services.recovery_action_verbs(people.station_sup, eleventh) == ["reject"]
    with pytest.raises(PermissionDeniedError):
        services.recovery_action_decide(actor=people.station_sup, action=eleventh, approve=True)
    # The same customer's next failure counts what they already received this year.
    order2 = complaint(people, failure.order.customer)
    replied(people, world, order2)
    failure2 = services.service_failure_record(
        actor=people.inspector,
        order=order2,
        origin="personnel",
        cause="non_standard_service",
        responsible_unit=world.station_a,
        description="再次争吵",
    )
    again = services.recovery_action_propose(
        actor=people.agent, failure=failure2, kind="compensation", amount="50", compensation_kind="cash"
    )
    assert again.status == RecoveryStatus.PENDING_APPROVAL


def test_nobody_is_offered_a_decision_on_their_own_proposal(world, people):
    _order, failure = _failure(world, people)
    mine = services.recovery_action_propose(
        actor=people.station_sup,
        failure=failure,
        kind="compensation",
        amount="5000",
        compensation_kind="cash",
    )
    assert mine.status == RecoveryStatus.PENDING_APPROVAL  # above the station's ¥2,000
    assert services.recovery_action_verbs(people.station_sup, mine) == []
    assert services.recovery_action_verbs(people.city_sup, mine) == ["approve", "reject"]
    assert services.recovery_action_verbs(people.agent, mine) == []  # agents do not decide
