"""Helpers shared by the work-order services (not public API): permission, lock, transition, timeline, clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from gridcare.core.audit import audit_record
from gridcare.core.authz import has_perm
from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.messages import Message, msg
from gridcare.org.models import OrgUnit

from .. import selectors
from ..choices import (
    ACTIONS_REQUIRING_REASON,
    CLOCKS_MET_BY,
    CLOCKS_RESTARTED_BY_REOPEN,
    TRANSITIONS,
    TYPES_WITHOUT_CALLBACK,
    Action,
    ClockKind,
    Status,
    action_permission,
)
from ..models import (
    CustomerNotice,
    WorkOrder,
    WorkOrderClock,
    WorkOrderEvent,
)
from ..rules import clock_due
from ..tasks import announce_after_commit


def _check_role(actor, action: str) -> None:
    """The actor holds ``workorders.<action>`` (the permission table, gridcare/org/permissions.py)."""
    if not has_perm(actor, action_permission(action)):
        raise PermissionDeniedError(
            gettext("无权执行“%(action)s”操作") % {"action": Action(action).label},
            details={"permission": action_permission(action)},
        )


def _check_lengths(**fields: tuple[str | None, int]) -> None:
    """Each free-text input within its cap (``field=(value, max_length)``)."""
    for field, (value, max_length) in fields.items():
        check_length(value, field=field, max_length=max_length)


def _require_reason(action: str, reason: str) -> str:
    reason = check_length((reason or "").strip(), field="reason", max_length=TEXT_MAX)
    if action in ACTIONS_REQUIRING_REASON and not reason:
        raise ApplicationError(
            gettext("“%(action)s”必须填写原因") % {"action": Action(action).label},
            field="reason",
            code="reason_required",
        )
    return reason


def _lock(actor, order: WorkOrder | int, expected_version: int | None) -> WorkOrder:
    """Lock the order row, check the actor sees it and the version the caller saw is current."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    try:
        locked = WorkOrder.objects.select_for_update(of=("self",)).select_related("unit", "master").get(pk=pk)
    except WorkOrder.DoesNotExist:
        raise ApplicationError(gettext("工单不存在"), field="order", code="not_found", status=404)
    # ``actor`` None is the system (the time-limit monitor): it sees every order.
    if actor is not None and not selectors.work_order_is_visible(actor, locked):
        if isinstance(order, WorkOrder) and order.version != locked.version:
            # The caller read it a moment ago; someone else's action has since moved it out
            # of the caller's reach (a simultaneous transfer or return): a conflict, not a 404.
            raise ConflictError(
                gettext("工单 %(no)s 已被他人处理，已不在您的范围内") % {"no": locked.order_no},
                field="expected_version",
                details={"version": locked.version, "status": locked.status},
            )
        raise ApplicationError(gettext("工单不存在"), field="order", code="not_found", status=404)
    if expected_version is not None and int(expected_version) != locked.version:
        raise ConflictError(
            gettext("工单 %(no)s 已被他人修改（当前版本 %(version)s，您看到的是 %(seen)s），请刷新后重试")
            % {"no": locked.order_no, "version": locked.version, "seen": expected_version},
            field="expected_version",
            details={"version": locked.version, "status": locked.status},
        )
    return locked


def _check_transition(order: WorkOrder, action: str) -> str:
    to_status = TRANSITIONS.get((order.status, action))
    if to_status is None:
        raise ConflictError(
            gettext("工单 %(no)s 当前状态为“%(status)s”，不能“%(action)s”")
            % {"no": order.order_no, "status": Status(order.status).label, "action": Action(action).label},
            code="invalid_transition",
            field="status",
            details={"status": order.status, "action": action, "version": order.version},
        )
    return to_status


_due = clock_due  # the one rule (workorders.rules), shared with bulk history


def _refresh_due(order: WorkOrder, clocks: Iterable[WorkOrderClock]) -> None:
    """Denormalise the nearest running deadline onto the order."""
    if order.status in (Status.ARCHIVED, Status.CANCELLED):
        order.due_at = None
        return
    running = [c.due_at for c in clocks if c.met_at is None and c.paused_since is None]
    order.due_at = min(running) if running else None


def _unit_fields(order: WorkOrder, unit: OrgUnit) -> None:
    order.unit = unit
    order.unit_path = unit.path


def _record(
    order: WorkOrder,
    *,
    action: str,
    actor,
    from_status: str,
    to_status: str,
    now,
    note: str = "",
    data: dict | None = None,
    notify: bool = True,
    msg: Message | None = None,
    announce: bool = True,
) -> WorkOrderEvent:
    """One timeline entry (and its audit row). ``msg``: what the system says about the
    step, stored as a code (rendered in the reader's language); ``note``: what a person wrote.
    ``announce=False``: no background announcement of this step (another one, queued in the
    same transaction, already covers it)."""
    if msg is not None:
        data = {**(data or {}), "msg": msg.as_json()}
    event = WorkOrderEvent.objects.create(
        order=order,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"work_order.{action}",
        obj=order,
        note=note,
        changes={"status": [from_status, to_status]}
        if from_status != to_status
        else {k: v for k, v in (data or {}).items() if k != "msg"},
        unit_path=order.unit_path,
    )
    if announce:
        announce_after_commit(order.pk, action, from_status, to_status, actor, notify)
    return event


def _notice(order: WorkOrder, kind: str, text: str, now) -> None:
    phone = order.contact_phone or (order.customer.phone if order.customer_id else "")
    CustomerNotice.objects.create(
        order=order, customer_id=order.customer_id, phone=phone, kind=kind, text=text, created_at=now
    )


def _apply_clock_effects(order: WorkOrder, action: str, now: dt.datetime) -> None:
    """Stop the clocks ``action`` meets, start those that follow them, refresh ``due_at``."""
    clocks = list(order.clocks.all())
    changed: list[WorkOrderClock] = []
    met_now = CLOCKS_MET_BY.get(action, frozenset())
    met_kinds: set[str] = set()
    for clock in clocks:
        if clock.kind in met_now and clock.met_at is None:
            clock.met_at = now
            if clock.paused_since is not None:
                clock.paused_seconds += int((now - clock.paused_since).total_seconds())
                clock.paused_since = None
            met_kinds.add(clock.kind)
            changed.append(clock)
    for clock in clocks:
        # A follower clock (restoration after arrival) starts when its predecessor is met.
        if clock.after and clock.after in met_kinds and clock.met_at is None:
            clock.started_at = now
            clock.due_at = _due(clock.basis, clock.amount, now)
            changed.append(clock)
    if action == Action.REOPEN:
        for clock in clocks:
            if clock.kind in CLOCKS_RESTARTED_BY_REOPEN and clock.met_at is not None:
                clock.met_at = None
                clock.started_at = now
                clock.due_at = _due(clock.basis, clock.amount, now)
                changed.append(clock)
        callbacks = [c for c in clocks if c.kind == ClockKind.CALLBACK]
        if callbacks:
            WorkOrderClock.objects.filter(pk__in=[c.pk for c in callbacks]).delete()
            clocks = [c for c in clocks if c.kind != ClockKind.CALLBACK]
    if action == Action.REPLY and order.request_type not in TYPES_WITHOUT_CALLBACK:
        rule = selectors.commitment_rules_for(**_rule_keys(order)).get(ClockKind.CALLBACK)
        if rule is not None and not any(c.kind == ClockKind.CALLBACK for c in clocks):
            clock = WorkOrderClock.objects.create(
                order=order,
                kind=ClockKind.CALLBACK,
                basis=rule.basis,
                amount=rule.amount,
                started_at=now,
                due_at=_due(rule.basis, rule.amount, now),
            )
            clocks.append(clock)
    if changed:
        WorkOrderClock.objects.bulk_update(
            set(changed), ["met_at", "started_at", "due_at", "paused_since", "paused_seconds"]
        )
    _refresh_due(order, clocks)


def _rule_keys(order: WorkOrder) -> dict[str, str]:
    category = order.customer.category if order.customer_id else ""
    return {
        "request_type": order.request_type,
        "subtype": order.subtype,
        "area_class": order.area_class,
        "customer_category": category,
        "green_channel": order.green_channel,
    }


def _transition(
    order: WorkOrder,
    *,
    action: str,
    actor,
    now: dt.datetime,
    note: str = "",
    data: dict | None = None,
    save_fields: Iterable[str] = (),
    effective_at: dt.datetime | None = None,
    msg: Message | None = None,
) -> tuple[str, str]:
    """Move ``order`` (already locked and changed by the caller) through ``action``.

    ``effective_at``: when it really happened, if earlier than now (a crew records its
    arrival after the fact): the clocks stop then; the timeline entry is written now."""
    from_status = order.status
    to_status = _check_transition(order, action)
    order.status = to_status
    order.version = F("version") + 1
    if to_status in (Status.ARCHIVED, Status.CANCELLED):
        order.closed_at = now
    elif from_status in (Status.ARCHIVED, Status.CANCELLED):
        order.closed_at = None
    _apply_clock_effects(order, action, effective_at or now)
    fields = {"status", "version", "closed_at", "due_at", "updated_at", *save_fields}
    order.save(update_fields=sorted(fields))
    order.refresh_from_db(fields=["version"])
    _record(
        order,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        now=now,
        note=note,
        data=data,
        msg=msg,
    )
    return from_status, to_status


def _cascade(
    master: WorkOrder,
    *,
    action: str,
    actor,
    now: dt.datetime,
    note: str,
    notice: tuple[str, str] | None = None,
) -> int:
    """Carry a master's move to each child that can make it; tell each child's customer."""
    count = 0
    children = list(
        WorkOrder.objects.select_for_update(of=("self",)).filter(master=master).select_related("customer")
    )
    for child in children:
        if (child.status, action) not in TRANSITIONS:
            continue
        fields = ["unit", "unit_path", "handler"]
        _unit_fields(child, master.unit)
        child.handler_id = master.handler_id
        if action in (Action.DISPATCH, Action.TRANSFER) and child.status == Status.ACCEPTED:
            child.dispatcher_unit_id = master.dispatcher_unit_id
            fields.append("dispatcher_unit")
        if action == Action.REPLY:
            child.reply = master.reply
            child.replied_at = now
            fields += ["reply", "replied_at"]
        _transition(
            child,
            action=action,
            actor=actor,
            now=now,
            note=note,
            msg=msg("order.follows_master", master=master.order_no),
            data={"master": master.order_no},
            save_fields=fields,
        )
        if notice is not None:
            _notice(child, notice[0], notice[1].format(order_no=child.order_no, master=master.order_no), now)
        count += 1
    return count


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _save_quiet(order: WorkOrder, fields: list[str]) -> None:
    """Save a change that keeps the status; it still bumps the version."""
    order.version = F("version") + 1
    order.save(update_fields=[*fields, "version", "updated_at"])
    order.refresh_from_db(fields=["version"])


def _field_time(
    order: WorkOrder, at, *, now: dt.datetime, field: str = "at", after: dt.datetime | None = None
):
    """The time a crew says something happened: now when not given; else not in the future
    (a minute's grace for clocks) and not before ``after`` (the dispatch, the departure…)."""
    if at in (None, ""):
        return now
    if isinstance(at, str):
        from django.utils.dateparse import parse_datetime

        try:
            parsed = parse_datetime(at.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise ApplicationError(gettext("时间格式不正确"), field=field, code="invalid")
        at = parsed
    if timezone.is_naive(at):
        at = timezone.make_aware(at, timezone.get_current_timezone())
    if at > now + dt.timedelta(minutes=1):
        raise ApplicationError(gettext("时间不能晚于现在"), field=field, code="in_future")
    floor = after or order.created_at
    if at < floor:
        raise ApplicationError(
            gettext("时间不能早于 %(t)s") % {"t": timezone.localtime(floor).strftime("%Y-%m-%d %H:%M")},
            field=field,
            code="too_early",
        )
    return at
