"""Escalation history for the demo, derived from the work-order history already seeded.

``seed_escalation_history`` reads the orders, clocks and timelines that
``gridcare.demo.workorders.seed_work_orders`` wrote and adds what the escalation app
would have recorded along the way, by the same rules, with ``bulk_create``:

- a callback task (and its call attempts) for every replied order its type's callback
  rule samples — done with the result the timeline shows, or pending on the worklist;
- warnings and breach escalations: for orders still open, every level their running
  clocks have reached; for the history, the levels of the clocks that ran late — each on
  the order's timeline, escalations on the supervisors' board, and the monitor's watch
  of every open order set so the live monitor goes on from there and repeats nothing;
- the notifications of the open orders' warnings, escalations and dispatch queue, to whom
  the notification rules name — at once, or in the daily digests sent since;
- urges on some of the overdue open orders (priority raised, as urging does);
- a few dozen substantiated complaints recorded as service failures, with recovery
  actions (compensation above the proposer's authority approved by a county
  supervisor, a few still waiting) and the post-recovery callback.

Deterministic from ``seed``; does nothing when callback tasks or failures exist.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gridcare.core.calendar import add_working_days
from gridcare.core.messages import msg
from gridcare.demo.seed import person_name
from gridcare.escalation.choices import (
    CallbackKind,
    CallbackResult,
    CallbackStatus,
    CompensationKind,
    EscalationReason,
    FailureCause,
    FailureOrigin,
    NotificationEvent,
    NotificationKind,
    RecoveryKind,
    RecoveryStatus,
    UrgeChannel,
)
from gridcare.escalation.models import (
    CallbackAttempt,
    CallbackRule,
    CallbackTask,
    Escalation,
    EscalationSetting,
    Notification,
    NotificationDigestItem,
    OrderEscalation,
    RecoveryAction,
    ServiceFailure,
    SlaWarning,
    SlaWatch,
    Urge,
    WarningLevel,
)
from gridcare.escalation.services.callbacks import _sampled
from gridcare.escalation.services.monitor import _next_at, clock_threshold
from gridcare.escalation.services.notifications import (
    OrderParties,
    digest_cutoff,
    notification_deliveries,
    notification_digests_send,
    notification_rows,
    notification_rules,
    unit_staff,
)
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.workorders.choices import (
    ACTIVE_STATUSES,
    Action,
    ClockKind,
    Priority,
    RequestType,
    Status,
)
from gridcare.workorders.history import work_order_events_append, work_orders_update_history
from gridcare.workorders.models import WorkOrder, WorkOrderClock, WorkOrderEvent

BATCH = 2000
UNREACHABLE_WORDS = "多次拨打无人接听"
# Which failure origin and cause a substantiated complaint of each dimension usually has.
FAILURE_PROFILES = {
    "service_attitude": [("personnel", "non_standard_service", 3), ("personnel", "communication", 2)],
    "supply_reliability": [("material", "inadequate_hardware", 3), ("event", "other", 1)],
    "information_communication": [("personnel", "communication", 3), ("personnel", "promise_not_kept", 1)],
    "business_handling": [("personnel", "promise_not_kept", 3), ("personnel", "non_standard_service", 1)],
    "billing_payment": [("personnel", "non_standard_service", 2), ("material", "inadequate_hardware", 1)],
    "service_channel": [("material", "inadequate_hardware", 1), ("personnel", "communication", 1)],
    "supply_safety": [("material", "inadequate_hardware", 2), ("event", "other", 1)],
}
FAILURE_TEXTS = {
    "non_standard_service": "工作人员未按规范服务，答复生硬，未一次性告知办理要求",
    "communication": "停电及处理进度未及时告知客户，客户多次来电询问无果",
    "promise_not_kept": "承诺时限内未办结，也未主动向客户说明原因",
    "inadequate_hardware": "台区设备老化、线径偏小，负荷高峰时频繁跳闸、电压偏低",
    "other": "恶劣天气导致线路故障，抢修期间信息发布不及时",
}
RECOVERY_WORDS = {
    "satisfied": ["道歉很诚恳，问题也解决了，满意", "补偿到位了，谢谢"],
    "basically_satisfied": ["基本满意，希望以后别再出现", "还可以"],
    "unsatisfied": ["补偿太少，问题根本没解决"],
}


def _insert(model, rows: list) -> None:
    model.objects.bulk_create(rows, batch_size=BATCH)


def _read_the_inbox(now: dt.datetime) -> int:
    """People read their notifications: what arrived before yesterday's working day was read
    a couple of hours after it came; the last day's stay unread, as in a real inbox."""
    from django.db.models import F

    return Notification.objects.filter(
        read_at__isnull=True, created_at__lt=now - dt.timedelta(hours=24)
    ).update(read_at=F("created_at") + dt.timedelta(hours=2))


def seed_escalation_history(*, seed: int, now: dt.datetime | None = None, stdout=None) -> dict:
    """Add the escalation side of the demo history. Returns counts."""
    say = (lambda msg: stdout.write(msg + "\n")) if stdout is not None else (lambda msg: None)
    if CallbackTask.objects.exists() or ServiceFailure.objects.exists() or SlaWarning.objects.exists():
        say("督办：已存在，跳过")
        return {"skipped": True}
    if not WorkOrder.objects.exists():
        return {"skipped": True}
    rnd = random.Random(seed * 7 + 4)
    now = now or timezone.now()
    units = {u.pk: u for u in OrgUnit.objects.all()}
    supervisors: dict[int, list[int]] = defaultdict(list)
    for unit_id, uid in StaffProfile.objects.filter(role=Role.SUPERVISOR).values_list("unit_id", "user_id"):
        supervisors[unit_id].append(uid)

    with transaction.atomic():
        counts = {"callbacks": _callbacks(rnd, now)}
        counts.update(_monitor(rnd, now, units))
        counts["urges"] = _urges(rnd, now)
        counts.update(_failures(rnd, now, units, supervisors))
        counts["read"] = _read_the_inbox(now)
    say(
        "督办：回访任务 {callbacks} 个，预警 {warnings} 条，升级 {escalations} 次，催办 {urges} 次，"
        "服务失误 {failures} 起（补救措施 {actions} 项）".format(**counts)
    )
    return counts


# ------------------------------------------------------------------------------ callbacks


def _callbacks(rnd: random.Random, now: dt.datetime) -> int:
    """One task per reply of a sampled order: done as the timeline says, or pending."""
    rules = {r.request_type: r for r in CallbackRule.objects.all()}
    cap = dt.timedelta(days=EscalationSetting.get(EscalationSetting.CALLBACK_MAX_DAYS))
    # The deadline is the order's callback clock (the commitment table), as for live orders.
    from gridcare.workorders.selectors import commitment_rules_for

    clock_days = {}
    for t in rules:
        commitment = commitment_rules_for(request_type=t).get(ClockKind.CALLBACK)
        clock_days[t] = commitment.amount if commitment is not None else None
    sampled_types = [t for t, r in rules.items() if r.sample_percent > 0]
    orders = {
        o["id"]: o
        for o in WorkOrder.objects.filter(request_type__in=sampled_types, replied_at__isnull=False).values(
            "id", "order_no", "request_type", "status", "unit_path", "accepted_path"
        )
    }
    events = (
        WorkOrderEvent.objects.filter(
            order_id__in=list(orders),
            action__in=[Action.REPLY, Action.CALLBACK, Action.REOPEN, Action.ARCHIVE],
        )
        .order_by("order_id", "at", "id")
        .values_list("order_id", "action", "at", "actor_id", "note", "data")
    )
    due_cache: dict[tuple, dt.datetime] = {}
    tasks: list[CallbackTask] = []
    attempts: dict[int, list[CallbackAttempt]] = defaultdict(list)  # by id(task)
    open_task: dict[int, CallbackTask] = {}
    for order_id, action, at, actor_id, note, data in events.iterator(chunk_size=5000):
        o = orders[order_id]
        rule = rules[o["request_type"]]
        if action == Action.REPLY:
            open_task.pop(order_id, None)
            # A stand-in with the order number only: the sampling hashes it.
            if not _sampled(WorkOrder(order_no=o["order_no"]), rule.sample_percent):
                continue
            days = clock_days[o["request_type"]]
            if days is None:
                due = at + cap
            else:
                key = (at.date(), at.hour, days)
                if key not in due_cache:
                    due_cache[key] = add_working_days(at, days) - at
                due = at + due_cache[key]
            task = CallbackTask(
                order_id=order_id,
                kind=CallbackKind.ORDER,
                cycle_at=at,
                due_at=due,
                unit_path=o["unit_path"],
                accepted_path=o["accepted_path"],
                created_at=at,
            )
            tasks.append(task)
            open_task[order_id] = task
        elif action == Action.CALLBACK and order_id in open_task:
            task = open_task[order_id]
            result, words = _result_from(note, data)
            task.status, task.result, task.words = CallbackStatus.DONE, result, words
            task.done_at, task.done_by_id = at, actor_id
            calls = (
                [at - dt.timedelta(hours=h) for h in (5, 2)] if result == CallbackResult.UNREACHABLE else []
            )
            for t in [*calls, at]:
                attempts[id(task)].append(
                    CallbackAttempt(
                        actor_id=actor_id,
                        at=t,
                        outcome=CallbackResult.UNREACHABLE if t != at else result,
                        words=words if t == at else "",
                    )
                )
            task.attempts, task.last_attempt_at = len(calls) + 1, at
            open_task.pop(order_id)
    # Pending tasks of recent replies: some were already tried once without reaching anyone.
    for task in tasks:
        if task.status == CallbackStatus.PENDING and rnd.random() < 0.2:
            t = min(now, task.cycle_at + dt.timedelta(hours=rnd.uniform(2, 20)))
            if t > task.cycle_at:
                attempts[id(task)].append(CallbackAttempt(at=t, outcome=CallbackResult.UNREACHABLE))
                task.attempts, task.last_attempt_at = 1, t
    _insert(CallbackTask, tasks)
    rows = []
    for task in tasks:
        for a in attempts.get(id(task), ()):
            a.task_id = task.pk
            rows.append(a)
    _insert(CallbackAttempt, rows)
    return len(tasks)


def _result_from(note: str, data: dict | None) -> tuple[str, str]:
    """The callback result and the customer's words from the timeline entry the demo wrote
    (the result in its message, the customer's words as the note)."""
    said = (data or {}).get("msg") or {}
    result = (said.get("params") or {}).get("result") or CallbackResult.SATISFIED
    words = note or ""
    if result == CallbackResult.UNREACHABLE:
        words = UNREACHABLE_WORDS
    return result, words


# --------------------------------------------------------------------- warnings, escalations


def _monitor(rnd: random.Random, now: dt.datetime, units: dict) -> dict:
    """Warnings (open orders: every level reached; history: clocks that ran late), breach
    escalations up the organisation, timeline notes, notifications, and the watches."""
    levels = list(WarningLevel.objects.filter(active=True).order_by("percent"))
    if not levels:
        return {"warnings": 0, "escalations": 0}
    active_ids = set(WorkOrder.objects.filter(status__in=ACTIVE_STATUSES).values_list("pk", flat=True))
    late = WorkOrderClock.objects.filter(met_at__gt=F("due_at")).values_list("order_id", flat=True)
    order_ids = active_ids | set(late)
    orders = {
        o.pk: o
        for o in WorkOrder.objects.filter(pk__in=order_ids).only(
            "id",
            "order_no",
            "status",
            "version",
            "unit_id",
            "unit_path",
            "handler_id",
            "accepted_by_id",
            "created_at",
        )
    }
    clocks: dict[int, list[WorkOrderClock]] = defaultdict(list)
    for c in WorkOrderClock.objects.filter(order_id__in=list(orders)).order_by("order_id", "started_at"):
        clocks[c.order_id].append(c)

    warnings: list[SlaWarning] = []
    for order in orders.values():
        active = order.pk in active_ids
        for clock in clocks[order.pk]:
            if clock.paused_since is not None:
                continue
            if active and clock.met_at is None:
                horizon = now
            elif clock.met_at is not None and clock.met_at > clock.due_at:
                horizon = clock.met_at
            else:
                continue
            for level in levels:
                threshold = clock_threshold(clock, level.percent)
                if threshold > horizon or threshold > now:
                    continue
                warnings.append(
                    SlaWarning(
                        order_id=order.pk,
                        clock_id=clock.pk,
                        clock_kind=clock.kind,
                        clock_started_at=clock.started_at,
                        clock_due_at=clock.due_at,
                        level=level,
                        percent=level.percent,
                        threshold_at=threshold,
                        # The monitor sweeps every minute.
                        at=min(now, threshold + dt.timedelta(seconds=rnd.randint(5, 60))),
                        unit_id=order.unit_id,
                        unit_path=order.unit_path,
                    )
                )
    warnings.sort(key=lambda w: (w.order_id, w.at))
    _insert(SlaWarning, warnings)

    escalations: list[Escalation] = []
    state: dict[int, tuple[int, int]] = {}  # order -> (unit now supervising, level)
    events: list[WorkOrderEvent] = []
    # Who is told, as the notification rules say (at once, or in the daily digest).
    rules = notification_rules()
    staff = unit_staff([u.path for u in units.values()], [Role.SUPERVISOR, Role.DISPATCHER])
    notes: list[Notification] = []
    digest_items: list[NotificationDigestItem] = []

    def tell(order, event: str, kind: str, text, unit_path: str, at: dt.datetime) -> None:
        people = staff.get(unit_path, {})
        parties = OrderParties(
            handler=order.handler_id,
            owner=order.accepted_by_id,
            supervisors=people.get(Role.SUPERVISOR, []),
            dispatchers=people.get(Role.DISPATCHER, []),
        )
        found = notification_rows(
            notification_deliveries(event=event, parties=parties, rules=rules),
            kind=kind,
            event=event,
            text=text,
            order_id=order.pk,
            order_no=order.order_no,
            now=at,
        )
        notes.extend(found[0])
        digest_items.extend(found[1])

    bumps: dict[int, int] = defaultdict(int)
    fired: dict[int, set] = defaultdict(set)
    for w in warnings:
        order = orders[w.order_id]
        fired[order.pk].add((w.clock_kind, w.clock_started_at, w.level_id))
        recent = order.pk in active_ids
        target = None
        if w.level.escalate:
            current_id, level_no = state.get(order.pk, (order.unit_id, 0))
            parent_id = units[current_id].parent_id
            if parent_id is not None:
                target = units[parent_id]
                level_no += 1
                state[order.pk] = (target.pk, level_no)
                escalations.append(
                    Escalation(
                        order_id=order.pk,
                        reason=EscalationReason.BREACH,
                        from_unit_id=current_id,
                        to_unit=target,
                        to_path=target.path,
                        level=level_no,
                        warning=w,
                        at=w.at,
                    )
                )
                said = {"reason": EscalationReason.BREACH, "unit": target.name, "level": level_no}
                events.append(
                    WorkOrderEvent(
                        order_id=order.pk,
                        at=w.at,
                        action=Action.ESCALATE,
                        from_status=order.status,
                        to_status=order.status,
                        data={
                            "reason": EscalationReason.BREACH,
                            "from_unit": units[current_id].code,
                            "to_unit": target.code,
                            "level": level_no,
                            "msg": msg("order.escalated_clock", clock=w.clock_kind, **said).as_json(),
                        },
                    )
                )
                if recent:
                    tell(
                        order,
                        NotificationEvent.ESCALATED,
                        NotificationKind.ESCALATION,
                        msg("notify.escalated", no=order.order_no, **said),
                        target.path,
                        w.at,
                    )
        if target is None:
            events.append(
                WorkOrderEvent(
                    order_id=order.pk,
                    at=w.at,
                    action=Action.WARN,
                    from_status=order.status,
                    to_status=order.status,
                    data={
                        "clock": w.clock_kind,
                        "level": w.level.code,
                        "percent": w.percent,
                        "msg": msg(
                            "order.warned", clock=w.clock_kind, percent=w.percent, due=w.clock_due_at
                        ).as_json(),
                    },
                )
            )
            if recent:
                tell(
                    order,
                    NotificationEvent.WARNING,
                    NotificationKind.WARNING,
                    msg("notify.warning", no=order.order_no, clock=w.clock_kind, percent=w.percent),
                    order.unit_path,
                    w.at,
                )
        bumps[order.pk] += 1
    _insert(Escalation, escalations)
    _insert(
        OrderEscalation,
        [OrderEscalation(order_id=pk, unit_id=u, level=n, updated_at=now) for pk, (u, n) in state.items()],
    )
    work_order_events_append(events, batch=BATCH)
    # New orders still waiting in a dispatch queue: their unit's dispatchers were told.
    for order in WorkOrder.objects.filter(
        pk__in=active_ids, status=Status.ACCEPTED, master__isnull=True
    ).only("id", "order_no", "unit_path", "handler_id", "accepted_by_id", "created_at"):
        tell(
            order,
            NotificationEvent.QUEUED,
            NotificationKind.TRANSITION,
            msg("notify.action", no=order.order_no, action=Action.CREATE),
            order.unit_path,
            order.created_at,
        )
    _insert(Notification, notes)
    _insert(NotificationDigestItem, digest_items)
    _send_digests(digest_items, now)
    _bump_versions(orders, bumps)

    # The monitor's watch of every open order, as its own refresh would leave it.
    watches = []
    for pk in active_ids:
        order = orders.get(pk)
        if order is None:  # no clock: nothing to watch
            order = WorkOrder.objects.only("id", "status", "version").get(pk=pk)
        watches.append(
            SlaWatch(
                order_id=pk,
                next_at=_next_at(order, clocks.get(pk, []), levels, fired.get(pk, set())),
                order_version=order.version,
            )
        )
    _insert(SlaWatch, watches)
    return {"warnings": len(warnings), "escalations": len(escalations)}


def _send_digests(items: list, now: dt.datetime) -> None:
    """The daily digests as the periodic job sent them: once a day at the digest hour,
    from the first day with digest items until now (today's items still wait)."""
    if not items:
        return
    cutoff = digest_cutoff(min(item.created_at for item in items) + dt.timedelta(days=1))
    while cutoff <= now:
        notification_digests_send(now=cutoff)
        cutoff = digest_cutoff(cutoff + dt.timedelta(days=1, hours=1))


def _bump_versions(orders: dict, bumps: dict[int, int]) -> None:
    changed = []
    for pk, n in bumps.items():
        order = orders[pk]
        order.version += n
        changed.append(order)
    work_orders_update_history(changed, ["version"], batch=BATCH)


# ---------------------------------------------------------------------------------- urges


def _urges(rnd: random.Random, now: dt.datetime) -> int:
    """Customers chase a share of the overdue open orders (urge count, priority, timeline)."""
    overdue = list(
        WorkOrder.objects.filter(status__in=[Status.DISPATCHED, Status.IN_PROGRESS, Status.ACCEPTED])
        .filter(due_at__lt=now)
        .order_by("pk")
    )
    urges, events, changed = [], [], []
    for order in overdue:
        if rnd.random() > 0.35:
            continue
        n = 1 if rnd.random() < 0.7 else 2
        start = max(order.due_at, order.created_at)
        span = max((now - start).total_seconds(), 60)
        times = sorted(start + dt.timedelta(seconds=rnd.uniform(0, span)) for _ in range(n))
        for i, t in enumerate(times, 1):
            words = rnd.choice(["怎么还没人来处理", "已经等了很久了，请尽快", "再不来我就打12398了"])
            urges.append(
                Urge(
                    order=order,
                    channel=UrgeChannel.HOTLINE,
                    words=words,
                    at=t,
                    number=i,
                    unit_path=order.unit_path,
                )
            )
            events.append(
                WorkOrderEvent(
                    order=order,
                    at=t,
                    action=Action.URGE,
                    from_status=order.status,
                    to_status=order.status,
                    note=words,
                    data={"urge_count": i},
                )
            )
            new = max(Priority.URGENT, order.priority - 1)
            if new != order.priority:
                events.append(
                    WorkOrderEvent(
                        order=order,
                        at=t,
                        action=Action.PRIORITY,
                        from_status=order.status,
                        to_status=order.status,
                        data={
                            "priority": [order.priority, new],
                            "msg": msg(
                                "order.priority_changed_for",
                                old=order.priority,
                                new=new,
                                reason=msg("order.urged", count=i).as_json(),
                            ).as_json(),
                        },
                    )
                )
                order.priority = new
                order.version += 1
            order.version += 1
        order.urge_count = n
        changed.append(order)
    _insert(Urge, urges)
    work_order_events_append(events, batch=BATCH)
    work_orders_update_history(changed, ["urge_count", "priority", "version"], batch=BATCH)
    for order in changed:
        SlaWatch.objects.filter(order_id=order.pk).update(order_version=order.version)
    return len(urges)


# ------------------------------------------------------------------ failures and recovery


def _failures(rnd: random.Random, now: dt.datetime, units: dict, supervisors: dict) -> dict:
    """A few dozen archived complaints found substantiated, with their recovery."""
    complaints = list(
        WorkOrder.objects.filter(request_type=RequestType.COMPLAINT, status=Status.ARCHIVED)
        .select_related("unit")
        .order_by("pk")
        .only("id", "order_no", "dimension", "unit", "unit_path", "accepted_path", "closed_at", "replied_at")
    )
    if not complaints:
        return {"failures": 0, "actions": 0}
    size = min(len(complaints), max(12, min(60, len(complaints) // 6)))
    chosen = sorted(rnd.sample(complaints, size), key=lambda o: o.pk)
    recorders = list(
        StaffProfile.objects.filter(role__in=[Role.QUALITY_INSPECTOR, Role.SUPERVISOR]).values_list(
            "unit__path", "user_id"
        )
    )
    frontline = list(
        StaffProfile.objects.filter(role__in=[Role.HOTLINE_AGENT, Role.CUSTOMER_MANAGER]).values_list(
            "unit__path", "user_id"
        )
    )

    def near(path: str, pool) -> int | None:
        """The staff member posted closest above ``path`` (else anyone of the pool)."""
        best, best_len = None, -1
        for p, uid in pool:
            if path.startswith(p) and len(p) > best_len:
                best, best_len = uid, len(p)
        return best if best is not None else (pool[0][1] if pool else None)

    def approver_for(unit: OrgUnit) -> int | None:
        u = unit
        while u is not None:
            if u.kind in (UnitKind.COUNTY, UnitKind.CITY) and supervisors.get(u.pk):
                return supervisors[u.pk][0]
            u = units.get(u.parent_id)
        return None

    failures, plans = [], []
    for order in chosen:
        profiles = FAILURE_PROFILES.get(order.dimension, [("personnel", "communication", 1)])
        origin, cause, _w = rnd.choices(profiles, weights=[p[2] for p in profiles])[0]
        station = order.unit
        while station.kind == UnitKind.TEAM and station.parent_id in units:
            station = units[station.parent_id]
        recorded = (order.replied_at or order.closed_at) + dt.timedelta(hours=rnd.uniform(1, 30))
        recorded = min(recorded, now)
        failures.append(
            ServiceFailure(
                order_id=order.pk,
                origin=FailureOrigin(origin),
                cause=FailureCause(cause),
                responsible_unit=station,
                unit_path=station.path,
                responsible_person="" if rnd.random() < 0.2 else person_name(rnd),
                description=FAILURE_TEXTS[cause],
                recorded_by_id=near(station.path, recorders),
                recorded_at=recorded,
            )
        )
        plans.append((order, station, recorded, cause))
    _insert(ServiceFailure, failures)

    actions, tasks = [], []
    for failure, (order, station, recorded, cause) in zip(failures, plans, strict=True):
        proposer = near(order.accepted_path, frontline)
        t = recorded + dt.timedelta(hours=rnd.uniform(0.5, 6))
        steps = [(RecoveryKind.APOLOGY, "电话向客户诚恳致歉", Decimal("0"), "")]
        steps.append((RecoveryKind.EXPLANATION, "说明原因及整改措施", Decimal("0"), ""))
        if cause in ("inadequate_hardware", "promise_not_kept"):
            steps.append((RecoveryKind.FIX, "列入台区改造计划，落实整改", Decimal("0"), ""))
        if rnd.random() < 0.45:
            amount = Decimal(rnd.choice([50, 100, 150, 200, 300, 500, 800, 1500, 3000]))
            steps.append(
                (
                    RecoveryKind.COMPENSATION,
                    "按补偿标准给予补偿",
                    amount,
                    rnd.choice(list(CompensationKind.values)),
                )
            )
        recent = now - recorded < dt.timedelta(days=3)
        all_done = True
        for kind, text, amount, comp in steps:
            above = kind == RecoveryKind.COMPENSATION and amount > Decimal("200")
            a = RecoveryAction(
                failure=failure,
                kind=kind,
                description=text,
                amount=amount,
                compensation_kind=comp,
                proposed_by_id=proposer,
                proposed_at=t,
                authority_limit=Decimal("200"),
            )
            if above and recent:
                a.status = RecoveryStatus.PENDING_APPROVAL
                all_done = False
            else:
                if above:
                    a.decided_by_id = approver_for(station)
                    a.decided_at = t + dt.timedelta(hours=rnd.uniform(1, 20))
                    a.decision_note = "同意"
                a.status = RecoveryStatus.DONE
                a.done_by_id = proposer
                a.done_at = (a.decided_at or t) + dt.timedelta(hours=rnd.uniform(0.5, 24))
                a.done_at = min(a.done_at, now)
            actions.append(a)
            t += dt.timedelta(minutes=rnd.randint(5, 90))
        if all_done:
            done_at = max(a.done_at for a in actions[-len(steps) :])
            r = rnd.random()
            result = "satisfied" if r < 0.72 else "basically_satisfied" if r < 0.92 else "unsatisfied"
            call_at = done_at + dt.timedelta(days=rnd.uniform(1, 5))
            if call_at < now:
                failure.satisfaction_after = result
                tasks.append(
                    CallbackTask(
                        order_id=order.pk,
                        kind=CallbackKind.RECOVERY,
                        failure=failure,
                        cycle_at=done_at,
                        due_at=done_at + dt.timedelta(days=7),
                        status=CallbackStatus.DONE,
                        result=result,
                        words=rnd.choice(RECOVERY_WORDS[result]),
                        attempts=1,
                        last_attempt_at=call_at,
                        done_at=call_at,
                        done_by_id=proposer,
                        unit_path=failure.unit_path,
                        accepted_path=order.accepted_path,
                        created_at=done_at,
                    )
                )
            else:
                tasks.append(
                    CallbackTask(
                        order_id=order.pk,
                        kind=CallbackKind.RECOVERY,
                        failure=failure,
                        cycle_at=done_at,
                        due_at=done_at + dt.timedelta(days=7),
                        unit_path=failure.unit_path,
                        accepted_path=order.accepted_path,
                        created_at=done_at,
                    )
                )
    _insert(RecoveryAction, actions)
    ServiceFailure.objects.bulk_update(failures, ["satisfaction_after"], batch_size=BATCH)
    _insert(CallbackTask, tasks)
    return {"failures": len(failures), "actions": len(actions)}
