"""One order's life simulated against now: a standalone order, or a child following its master."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

from gridcare.core.messages import msg
from gridcare.escalation.choices import CallbackResult
from gridcare.org.choices import Role, UnitKind
from gridcare.workorders.choices import (
    TYPES_WITHOUT_CALLBACK,
    Action,
    ClockKind,
    Dimension,
    Priority,
    RequestType,
    Status,
)
from gridcare.workorders.rules import clock_due

from .rows import _Clock, _Ev, _order_row, _Rules
from .texts import CALLBACK_WORDS, REPLIES, STUCK_WITHIN, _callback_outcome

# What crews find behind a fault report (weights: fuses and meter boxes most often).
FAULT_CAUSES = [
    "fuse",
    "meter_box",
    "line",
    "transformer",
    "external",
    "weather",
    "overload",
    "customer_side",
    "other",
]
FAULT_CAUSE_WEIGHTS = [30, 22, 14, 8, 7, 7, 5, 5, 2]
# Faults on the network that the crew isolates (故障隔离) before repairing and restoring.
ISOLATED_CAUSES = frozenset({"fuse", "line", "transformer", "external", "weather"})


def _callback_delay(rnd) -> float:
    """Hours from the reply to the callback: most within the working day or the next (the
    callback commitments are 1–3 working days), a few late (the overdue tail)."""
    r = rnd.random()
    if r < 0.85:
        return rnd.uniform(1, 20)
    if r < 0.97:
        return rnd.uniform(20, 44)
    return rnd.uniform(44, 110)


def _base(s: dict, rnd: random.Random, rules: _Rules, actor) -> tuple[SimpleNamespace, dict[str, _Clock]]:
    """The order as accepted, with its initial clocks."""
    created: dt.datetime = s["created"]
    rtype, area, station, accepted = s["rtype"], s["area"], s["station"], s["accepted"]
    cid, cname, cphone, caddress, category = s["customer"]
    klass = area["area_class"]
    priority = Priority.NORMAL
    if rtype == RequestType.FAULT_REPAIR and s["dimension"] == Dimension.SUPPLY_SAFETY:
        priority = Priority.URGENT
    elif rtype == RequestType.COMPLAINT:
        priority = Priority.HIGH
    description = s["text"]
    if accepted.kind == UnitKind.CITY and rnd.random() < 0.3 and not description.startswith("客户"):
        description = f"客户来电反映：{description}"
    order = _order_row(
        order_no=s["order_no"],
        channel=s["channel"],
        request_type=rtype,
        subtype=s["subtype"],
        dimension=s["dimension"],
        status=Status.ACCEPTED,
        priority=priority,
        description=description,
        contact_name=cname,
        contact_phone=cphone,
        address=caddress,
        customer_id=cid,
        area_id=area["id"],
        feeder_id=area["feeder_id"],
        area_class=klass,
        unit=station,
        unit_path=station.path,
        accepted_unit=accepted,
        accepted_path=accepted.path,
        accepted_by_id=actor(
            Role.COUNTER_CLERK if accepted.kind != UnitKind.CITY else Role.HOTLINE_AGENT,
            accepted.path,
            created,
        ),
        created_at=created,
        version=1,
    )
    found = rules.for_order(rtype, s["subtype"], klass, category)
    clocks: dict[str, _Clock] = {}
    for rule in sorted(found.values(), key=lambda r: bool(r.after)):
        if rule.kind == ClockKind.CALLBACK:
            continue
        start = clocks[rule.after].due_at if rule.after in clocks else created
        clocks[rule.kind] = _Clock(
            kind=rule.kind,
            basis=rule.basis,
            amount=rule.amount,
            after=rule.after,
            started_at=start,
            due_at=clock_due(rule.basis, rule.amount, start),
        )
    return order, clocks


def _meet(clocks: dict[str, _Clock], kinds, at: dt.datetime) -> None:
    for k in kinds:
        c = clocks.get(k)
        if c is not None and c.met_at is None:
            c.met_at = at
    for c in clocks.values():
        if c.after and c.after in kinds and c.met_at is None:
            c.started_at = at
            c.due_at = clock_due(c.basis, c.amount, at)


def _close(order: SimpleNamespace, clocks: dict[str, _Clock], status: str):
    order.status = status
    running = [c.due_at for c in clocks.values() if c.met_at is None]
    order.due_at = (
        None if status in (Status.ARCHIVED, Status.CANCELLED) else (min(running) if running else None)
    )


def _follow(
    s: dict,
    master: SimpleNamespace,
    master_events: list[_Ev],
    rnd: random.Random,
    rules: _Rules,
    now: dt.datetime,
    actor,
):
    """A storm report merged into ``master``: it follows the master's dispatch, start and reply."""
    created: dt.datetime = s["created"]
    state = Status.ACCEPTED
    for e in master_events:
        if e.at <= created:
            state = e.to_status
    if state not in (Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS):
        return None
    order, clocks = _base(s, rnd, rules, actor)
    agent = actor(Role.HOTLINE_AGENT, order.accepted_path)
    events = [
        _Ev(
            at=created,
            actor_id=order.accepted_by_id,
            action=Action.CREATE,
            from_status="",
            to_status=Status.ACCEPTED,
            data={"channel": s["channel"], "msg": msg("order.accepted", channel=s["channel"]).as_json()},
        ),
        _Ev(
            at=created,
            action=Action.MERGE,
            from_status=Status.ACCEPTED,
            to_status=state,
            data={"master": master.order_no, "msg": msg("order.auto_merged").as_json()},
        ),
    ]
    order.version = 2
    if state != Status.ACCEPTED:
        order.unit, order.unit_path, order.handler_id = master.unit, master.unit_path, master.handler_id
        order.dispatcher_unit = master.dispatcher_unit
    if state == Status.IN_PROGRESS:
        _meet(clocks, {ClockKind.ARRIVAL}, created)
    t = created
    for e in master_events:
        if e.at <= created or e.action not in (Action.DISPATCH, Action.START, Action.REPLY):
            continue
        if (state, e.action) not in {
            (Status.ACCEPTED, Action.DISPATCH),
            (Status.DISPATCHED, Action.START),
            (Status.IN_PROGRESS, Action.REPLY),
        }:
            continue
        events.append(
            _Ev(
                at=e.at,
                actor_id=e.actor_id,
                action=e.action,
                from_status=state,
                to_status=e.to_status,
                data={
                    "master": master.order_no,
                    "msg": msg("order.follows_master", master=master.order_no).as_json(),
                },
            )
        )
        state, t = e.to_status, e.at
        order.version += 1
        if e.action == Action.DISPATCH:
            order.unit, order.unit_path = master.unit, master.unit_path
            order.dispatcher_unit, order.handler_id = master.dispatcher_unit, master.handler_id
        elif e.action == Action.START:
            _meet(clocks, {ClockKind.ARRIVAL}, e.at)
        elif e.action == Action.REPLY:
            order.reply, order.replied_at = master.reply, e.at
            _meet(clocks, {ClockKind.ARRIVAL, ClockKind.RESTORATION}, e.at)
            cb = rules.for_order(order.request_type, "", order.area_class, s["customer"][4]).get(
                ClockKind.CALLBACK
            )
            if cb is not None:
                clocks[ClockKind.CALLBACK] = _Clock(
                    kind=ClockKind.CALLBACK,
                    basis=cb.basis,
                    amount=cb.amount,
                    started_at=e.at,
                    due_at=clock_due(cb.basis, cb.amount, e.at),
                )
    if state == Status.REPLIED:
        result, satisfied, note = _callback_outcome(rnd)
        for action, to, hours in (
            (Action.CALLBACK, Status.CALLBACK, _callback_delay(rnd)),
            (Action.ARCHIVE, Status.ARCHIVED, 0),
        ):
            t += dt.timedelta(hours=hours)
            if t > now:
                break
            data = {"satisfied": satisfied, "result": result} if action == Action.ARCHIVE else {}
            data["msg"] = msg("order.callback_result", result=result).as_json()
            events.append(
                _Ev(
                    at=t, actor_id=agent, action=action, from_status=state, to_status=to, note=note, data=data
                )
            )
            state = to
            order.version += 1
            if action == Action.CALLBACK:
                _meet(clocks, {ClockKind.CALLBACK}, t)
            else:
                order.satisfied, order.closed_at = satisfied, t
    _close(order, clocks, state)
    return order, events, list(clocks.values())


def _simulate(s: dict, rnd: random.Random, rules: _Rules, now: dt.datetime, actor, repair_team, county_of):
    """Build one order with its clocks and timeline, advanced as far as ``now`` allows."""
    created: dt.datetime = s["created"]
    rtype, station, accepted = s["rtype"], s["station"], s["accepted"]
    category = s["customer"][4]
    klass = s["area"]["area_class"]
    order, clocks = _base(s, rnd, rules, actor)
    events: list[_Ev] = []
    state = {"status": Status.ACCEPTED, "t": created}

    def ev(action, to, at, note="", actor_id=None, data=None):
        events.append(
            _Ev(
                at=at,
                actor_id=actor_id,
                action=action,
                from_status=state["status"],
                to_status=to,
                note=note,
                data=data or {},
            )
        )
        state["status"], state["t"] = to, at
        order.version += 1

    events.append(
        _Ev(
            at=created,
            actor_id=order.accepted_by_id,
            action=Action.CREATE,
            from_status="",
            to_status=Status.ACCEPTED,
            data={"channel": s["channel"], "msg": msg("order.accepted", channel=s["channel"]).as_json()},
        )
    )

    def meet(kinds, at):
        _meet(clocks, kinds, at)

    def finish():
        _close(order, clocks, state["status"])
        return order, events, list(clocks.values())

    # Forgotten orders (the overdue tail) exist only among the recent ones.
    stuck = rnd.random() < 0.04 and now - created < STUCK_WITHIN
    team = repair_team.get(station.pk, station)
    county = county_of.get(station.pk, station)
    dispatcher = actor(Role.DISPATCHER, station.path)
    crew = actor(Role.REPAIR_CREW, team.path)
    agent = actor(Role.HOTLINE_AGENT, accepted.path)
    reply_text = rnd.choice(REPLIES[rtype])

    # Consultations are mostly answered at first contact.
    if rtype == RequestType.CONSULTATION and rnd.random() < 0.75:
        order.reply, order.replied_at, order.handler_id = reply_text, created, order.accepted_by_id
        meet({ClockKind.REPLY}, created)
        ev(
            Action.REPLY,
            Status.REPLIED,
            created,
            actor_id=order.accepted_by_id,
            data={"msg": msg("order.answered_at_intake").as_json()},
        )
        t = created + dt.timedelta(minutes=rnd.randint(5, 600))
        if t <= now:
            ev(Action.ARCHIVE, Status.ARCHIVED, t, actor_id=agent)
            order.closed_at = t
        return finish()

    if rnd.random() < 0.02:  # withdrawn by the customer or entered twice
        t = created + dt.timedelta(minutes=rnd.randint(3, 240))
        if t <= now and not s.get("is_master"):
            ev(
                Action.CANCEL,
                Status.CANCELLED,
                t,
                rnd.choice(["客户撤回诉求", "重复受理", "客户自行解决"]),
                agent,
            )
            order.cancel_reason, order.closed_at = events[-1].note, t
            return finish()

    fault = rtype == RequestType.FAULT_REPAIR
    # Dispatch.
    t = created + (
        dt.timedelta(minutes=rnd.randint(2, 12)) if fault else dt.timedelta(hours=rnd.uniform(0.3, 5))
    )
    if t > now:
        return finish()
    target = team if fault else station
    order.dispatcher_unit = station
    order.unit, order.unit_path = target, target.path
    order.handler_id = crew if fault else None
    ev(Action.DISPATCH, Status.DISPATCHED, t, actor_id=dispatcher, data={"unit": target.code})
    if rnd.random() < 0.03:  # returned once, then dispatched again
        t += dt.timedelta(minutes=rnd.randint(10, 90))
        if t > now:
            return finish()
        order.return_reason = rnd.choice(["地址不在本班组范围", "客户信息不全，无法联系", "应由营销部门处理"])
        order.unit, order.unit_path, order.handler_id = station, station.path, None
        ev(Action.RETURN, Status.ACCEPTED, t, order.return_reason, crew)
        t += dt.timedelta(minutes=rnd.randint(5, 60))
        if t > now:
            return finish()
        order.unit, order.unit_path = target, target.path
        ev(Action.DISPATCH, Status.DISPATCHED, t, "重新派单", dispatcher)
    elif not fault and rnd.random() < 0.02:
        t += dt.timedelta(hours=rnd.uniform(1, 20))
        if t > now:
            return finish()
        other = county if county.pk != station.pk else station
        order.unit, order.unit_path = other, other.path
        ev(Action.TRANSFER, Status.DISPATCHED, t, "跨所业务，转县公司处理", dispatcher, {"unit": other.code})

    if stuck:
        return finish()
    # Start (arrival on site for faults, contact for complaints).
    if fault:
        limit = clocks[ClockKind.ARRIVAL].amount if ClockKind.ARRIVAL in clocks else 90
        arrive = created + dt.timedelta(
            minutes=limit * (rnd.uniform(0.35, 0.95) if rnd.random() < 0.93 else rnd.uniform(1.02, 1.6))
        )
        # Never before the (re-)dispatch: a returned order is late on site.
        t = max(arrive, t + dt.timedelta(minutes=rnd.randint(5, 30)))
    else:
        t += dt.timedelta(hours=rnd.uniform(0.5, 20))
    if t > now:
        return finish()
    if fault:
        # The crew records setting off a few minutes after the dispatch, then its arrival.
        leave = min(state["t"] + dt.timedelta(minutes=rnd.randint(2, 10)), t - dt.timedelta(minutes=1))
        if leave > state["t"]:
            order.departed_at = leave
            ev(Action.DEPART, Status.DISPATCHED, leave, actor_id=crew, data={"at": leave.isoformat()})
        order.arrived_at = t
    meet({ClockKind.ARRIVAL, ClockKind.CONTACT}, t)
    ev(Action.START, Status.IN_PROGRESS, t, actor_id=crew if fault else None)
    # Reply.
    if fault:
        limit = clocks[ClockKind.RESTORATION].amount if ClockKind.RESTORATION in clocks else 240
        t += dt.timedelta(
            minutes=limit * (rnd.uniform(0.1, 0.9) if rnd.random() < 0.95 else rnd.uniform(1.05, 1.8))
        )
    else:
        goal = next((clocks[k] for k in (ClockKind.COMPLETION, ClockKind.REPLY) if k in clocks), None)
        if goal is not None:
            span = (goal.due_at - created).total_seconds()
            target = created + dt.timedelta(
                seconds=span * (rnd.uniform(0.15, 0.95) if rnd.random() < 0.94 else rnd.uniform(1.02, 1.4))
            )
            # Never before the start: a late start makes a late reply.
            t = max(target, t + dt.timedelta(minutes=rnd.randint(10, 120)))
        else:
            t += dt.timedelta(days=rnd.uniform(0.5, 3))
    if t > now:
        return finish()
    if fault:
        # Supply back a little before the reply is written, with the cause the crew found.
        back = max(order.arrived_at + dt.timedelta(minutes=1), t - dt.timedelta(minutes=rnd.randint(2, 20)))
        order.restored_at = back
        order.fault_cause = rnd.choices(FAULT_CAUSES, weights=FAULT_CAUSE_WEIGHTS)[0]
        meet({ClockKind.ARRIVAL, ClockKind.RESTORATION}, back)
        restored = {"at": back.isoformat(), "fault_cause": order.fault_cause}
        if order.fault_cause in ISOLATED_CAUSES:
            # Isolated part way between arrival and restoration (from the times themselves,
            # drawing nothing: the rest of the history stays as it was).
            share = 0.2 + (back.minute % 5) / 10
            order.isolated_at = order.arrived_at + (back - order.arrived_at) * share
            restored["isolated_at"] = order.isolated_at.isoformat()
            restored["msg"] = msg("order.isolated", at=order.isolated_at).as_json()
        ev(Action.RESTORE, Status.IN_PROGRESS, back, actor_id=crew, data=restored)
    order.reply, order.replied_at = reply_text, t
    if order.handler_id is None:
        order.handler_id = crew if fault else dispatcher
    meet(
        {ClockKind.ARRIVAL, ClockKind.CONTACT, ClockKind.RESTORATION, ClockKind.REPLY, ClockKind.COMPLETION},
        t,
    )
    ev(Action.REPLY, Status.REPLIED, t, reply_text, order.handler_id)
    if rtype in TYPES_WITHOUT_CALLBACK:
        t += dt.timedelta(hours=rnd.uniform(1, 30))
        if t <= now:
            ev(Action.ARCHIVE, Status.ARCHIVED, t, actor_id=agent)
            order.closed_at = t
        return finish()
    cb_rule = rules.for_order(rtype, s["subtype"], klass, category).get(ClockKind.CALLBACK)
    if cb_rule is not None:
        clocks[ClockKind.CALLBACK] = _Clock(
            kind=ClockKind.CALLBACK,
            basis=cb_rule.basis,
            amount=cb_rule.amount,
            started_at=t,
            due_at=clock_due(cb_rule.basis, cb_rule.amount, t),
        )
    # Callback, sometimes unsatisfied → reopen and handle again.
    t += dt.timedelta(hours=_callback_delay(rnd))
    if t > now:
        return finish()
    meet({ClockKind.CALLBACK}, t)
    if rnd.random() < 0.05:
        words = rnd.choice(CALLBACK_WORDS["unsatisfied"])
        ev(
            Action.CALLBACK,
            Status.CALLBACK,
            t,
            words,
            agent,
            {"msg": msg("order.callback_result", result=CallbackResult.UNSATISFIED).as_json()},
        )
        order.satisfied = False
        ev(
            Action.REOPEN,
            Status.DISPATCHED,
            t,
            words,
            agent,
            {"msg": msg("order.callback_unsatisfied").as_json()},
        )
        clocks.pop(ClockKind.CALLBACK, None)
        for k in (ClockKind.RESTORATION, ClockKind.REPLY, ClockKind.COMPLETION):
            c = clocks.get(k)
            if c is not None:
                c.met_at, c.started_at, c.due_at = None, t, clock_due(c.basis, c.amount, t)
        t += dt.timedelta(hours=rnd.uniform(0.5, 24))
        if t > now:
            return finish()
        ev(Action.START, Status.IN_PROGRESS, t, actor_id=order.handler_id)
        t += dt.timedelta(hours=rnd.uniform(1, 48))
        if t > now:
            return finish()
        meet({ClockKind.RESTORATION, ClockKind.REPLY, ClockKind.COMPLETION}, t)
        order.reply, order.replied_at = "再次处理：" + rnd.choice(REPLIES[rtype]), t
        ev(Action.REPLY, Status.REPLIED, t, order.reply, order.handler_id)
        cb_rule = rules.for_order(rtype, s["subtype"], klass, category).get(ClockKind.CALLBACK)
        if cb_rule is not None:
            clocks[ClockKind.CALLBACK] = _Clock(
                kind=ClockKind.CALLBACK,
                basis=cb_rule.basis,
                amount=cb_rule.amount,
                started_at=t,
                due_at=clock_due(cb_rule.basis, cb_rule.amount, t),
            )
        t += dt.timedelta(hours=_callback_delay(rnd))
        if t > now:
            return finish()
        meet({ClockKind.CALLBACK}, t)
    # The callback that closes the loop: satisfied mostly (as ``callback_record`` records it).
    result, satisfied, note = _callback_outcome(rnd)
    said = msg("order.callback_result", result=result).as_json()
    ev(Action.CALLBACK, Status.CALLBACK, t, note, agent, {"msg": said})
    order.satisfied = satisfied
    ev(
        Action.ARCHIVE,
        Status.ARCHIVED,
        t,
        note,
        agent,
        {"satisfied": satisfied, "result": result, "msg": said},
    )
    order.closed_at = t
    return finish()
