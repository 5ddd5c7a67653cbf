"""Callbacks (回访): every replied order is called back by rule; the result closes the loop."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import can, require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.messages import msg
from gridcare.customers.services import customer_reveal_personal_data
from gridcare.workorders import selectors as wo_selectors
from gridcare.workorders import services as wo_services
from gridcare.workorders.choices import ClockKind, Status
from gridcare.workorders.models import WorkOrder, WorkOrderClock

from ..choices import (
    ATTEMPT_OUTCOMES,
    SATISFIED_RESULTS,
    CallbackKind,
    CallbackResult,
    CallbackStatus,
    EscalationReason,
)
from ..models import CallbackAttempt, CallbackRule, CallbackTask, EscalationSetting
from ._common import now_or
from .escalating import order_escalate

CALLABLE_STATUSES = frozenset({Status.REPLIED, Status.CALLBACK})


def _sampled(order: WorkOrder, percent: int) -> bool:
    if percent >= 100:
        return True
    if percent <= 0:
        return False
    bucket = int(hashlib.sha1(order.order_no.encode()).hexdigest()[:8], 16) % 100
    return bucket < percent


def callback_due(order: WorkOrder) -> dt.datetime:
    """The callback deadline of a replied order: its callback clock (the commitment table),
    the one the order page shows. An order type without a callback commitment gets the
    published cap, ``callback_max_days`` calendar days after the reply."""
    clock = (
        WorkOrderClock.objects.filter(order=order, kind=ClockKind.CALLBACK, met_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
    if clock is not None and clock.due_at is not None:
        return clock.due_at
    return order.replied_at + dt.timedelta(days=EscalationSetting.get(EscalationSetting.CALLBACK_MAX_DAYS))


def callback_tasks_follow_deadlines(*, order_ids: list[int]) -> int:
    """The working-day calendar moved these orders' deadlines: a pending order callback
    task keeps the deadline of its order's callback clock (``callback_due``). Runs in the
    transaction that moved them; returns the number of tasks updated."""
    dues = dict(
        WorkOrderClock.objects.filter(
            order_id__in=order_ids, kind=ClockKind.CALLBACK, met_at__isnull=True
        ).values_list("order_id", "due_at")
    )
    tasks = [
        t
        for t in CallbackTask.objects.filter(
            order_id__in=list(dues), kind=CallbackKind.ORDER, status=CallbackStatus.PENDING
        )
        if t.due_at != dues[t.order_id]
    ]
    for t in tasks:
        t.due_at = dues[t.order_id]
    CallbackTask.objects.bulk_update(tasks, ["due_at"], batch_size=1000)
    return len(tasks)


def callback_task_ensure(
    *, order: WorkOrder | int, now: dt.datetime | None = None, always: bool = False
) -> CallbackTask | None:
    """Create the callback task of a replied order if its type's rule samples it — or, with
    ``always``, whatever the rule (the customer rated the order themselves, on the portal:
    their answer counts like any callback's).

    Refused (``ApplicationError``) for an order that is not replied. Idempotent: one task
    per order and reply.
    """
    pk = order.pk if isinstance(order, WorkOrder) else order
    current = WorkOrder.objects.get(pk=pk)
    if current.status not in CALLABLE_STATUSES or current.replied_at is None:
        raise ConflictError(
            _("工单 %(no)s 尚未回单，不能安排回访") % {"no": current.order_no},
            code="not_replied",
            field="order",
        )
    rule = CallbackRule.objects.filter(request_type=current.request_type).first()
    if not always and (rule is None or not _sampled(current, rule.sample_percent)):
        return None
    existing = CallbackTask.objects.filter(
        order=current, kind=CallbackKind.ORDER, cycle_at=current.replied_at
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return CallbackTask.objects.create(
                order=current,
                kind=CallbackKind.ORDER,
                cycle_at=current.replied_at,
                due_at=callback_due(current),
                unit_path=current.unit_path,
                accepted_path=current.accepted_path,
                created_at=now_or(now),
            )
    except IntegrityError:
        return CallbackTask.objects.filter(
            order=current, kind=CallbackKind.ORDER, cycle_at=current.replied_at
        ).first()


def callback_tasks_close_superseded(*, order: WorkOrder, now: dt.datetime | None = None) -> int:
    """Close pending order callbacks of an order that left the replied state some other way."""
    return CallbackTask.objects.filter(
        order=order, kind=CallbackKind.ORDER, status=CallbackStatus.PENDING
    ).update(status=CallbackStatus.DONE, done_at=now_or(now))


def callback_record(
    *,
    actor,
    task: CallbackTask | int,
    outcome: str,
    words: str = "",
    now: dt.datetime | None = None,
) -> CallbackTask:
    """Record one call of a callback task.

    ``unreachable`` leaves the task open until the ``callback_max_attempts`` setting is
    used up (attempts at least ``callback_attempt_gap_minutes`` apart); any other outcome
    — or the last unreachable attempt — is the result. For an order callback the order
    then moves on through workorders' services: satisfied / basically satisfied /
    unreachable archive it; unsatisfied reopens it and escalates it one level. A callback
    on an order that is not (or no longer) replied is refused.
    """
    require(actor, "escalation.callbacks")
    if not outcome:  # never a default: "no answer" and each result are explicit choices
        raise ApplicationError(_("请选择回访结果"), field="outcome", code="required")
    if outcome not in ATTEMPT_OUTCOMES:
        raise ApplicationError(
            _("未知的回访结果：%(value)s") % {"value": outcome}, field="outcome", code="invalid_choice"
        )
    words = check_length((words or "").strip(), field="words", max_length=TEXT_MAX)
    if outcome == CallbackResult.UNSATISFIED and not words:
        raise ApplicationError(_("客户不满意时须记录客户意见"), field="words", code="required")
    now = now_or(now)
    pk = task.pk if isinstance(task, CallbackTask) else task
    with transaction.atomic():
        task = (
            CallbackTask.objects.select_for_update(of=("self",))
            .select_related("order", "failure")
            .filter(pk=pk)
            .first()
        )
        if task is None or not wo_selectors.work_order_is_visible(actor, task.order):
            raise ApplicationError(_("回访任务不存在"), field="task", code="not_found", status=404)
        if task.status != CallbackStatus.PENDING:
            raise ConflictError(_("该回访任务已完成"), code="callback_done", field="task")
        order = WorkOrder.objects.select_for_update(of=("self",)).get(pk=task.order_id)
        if task.kind == CallbackKind.ORDER and order.status not in CALLABLE_STATUSES:
            raise ConflictError(
                _("工单 %(no)s 当前状态为“%(status)s”，未回单不能回访")
                % {"no": order.order_no, "status": Status(order.status).label},
                code="not_replied",
                field="task",
            )
        gap = EscalationSetting.get(EscalationSetting.CALLBACK_ATTEMPT_GAP_MINUTES)
        if task.last_attempt_at is not None and now - task.last_attempt_at < dt.timedelta(minutes=gap):
            raise ApplicationError(
                _("同一客户的回访须间隔至少%(minutes)s分钟，请换个时间再拨") % {"minutes": gap},
                field="task",
                code="too_soon",
            )
        CallbackAttempt.objects.create(task=task, at=now, actor=actor, outcome=outcome, words=words)
        task.attempts += 1
        task.last_attempt_at = now
        final = outcome != CallbackResult.UNREACHABLE or task.attempts >= EscalationSetting.get(
            EscalationSetting.CALLBACK_MAX_ATTEMPTS
        )
        fields = ["attempts", "last_attempt_at"]
        if final:
            task.status = CallbackStatus.DONE
            task.result = outcome
            task.words = words
            task.done_at = now
            task.done_by = actor
            fields += ["status", "result", "words", "done_at", "done_by"]
        task.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="escalation.callback",
            obj=task,
            note=words,
            changes={"outcome": outcome, "attempt": task.attempts, "final": final},
            unit_path=task.unit_path,
        )
        if final:
            if task.kind == CallbackKind.ORDER:
                _close_order_loop(actor=actor, order=order, task=task, now=now)
            else:
                _close_recovery_loop(actor=actor, order=order, task=task, now=now)
        return task


def _close_order_loop(*, actor, order: WorkOrder, task: CallbackTask, now: dt.datetime) -> None:
    said = msg("order.callback_result", result=task.result)
    note = task.words  # the customer's own words, as recorded
    if order.status == Status.REPLIED:
        wo_services.work_order_callback(actor=actor, order=order, note=note, msg=said, now=now)
    if task.result == CallbackResult.UNSATISFIED:
        wo_services.work_order_reopen(
            actor=actor, order=order, reason=task.words, msg=msg("order.callback_unsatisfied"), now=now
        )
        order.refresh_from_db()
        order_escalate(
            order=order, reason=EscalationReason.UNSATISFIED, actor=actor, note=task.words[:300], now=now
        )
    else:
        satisfied = True if task.result in SATISFIED_RESULTS else None
        wo_services.work_order_archive(
            actor=actor, order=order, satisfied=satisfied, note=note, msg=said, now=now
        )


def _close_recovery_loop(*, actor, order: WorkOrder, task: CallbackTask, now: dt.datetime) -> None:
    failure = task.failure
    failure.satisfaction_after = task.result
    failure.save(update_fields=["satisfaction_after"])
    if task.result == CallbackResult.UNSATISFIED:
        order_escalate(
            order=order,
            reason=EscalationReason.UNSATISFIED,
            actor=actor,
            note=task.words[:300],
            now=now,
        )


def callback_phone_reveal(*, actor, task: CallbackTask | int, reason: str = "") -> dict:
    """The numbers to call a customer back on, in clear, for a role that calls customers;
    every reveal is audited.

    The customer's own phones come through the customers app's audited reveal (the row
    lands in the customer's history); a contact phone taken at intake that is none of the
    customer's (a tenant, a relative) — or the only number of an order without a customer —
    is audited here, on the order. Returns ``contact``, ``phone``, ``phone2`` (blank when
    there is none, or when the customer is outside the actor's reach).
    """
    require(actor, "escalation.reveal_callback_phone")
    reason = check_length((reason or "").strip(), field="reason", max_length=TEXT_MAX)
    pk = task.pk if isinstance(task, CallbackTask) else task
    task = (
        CallbackTask.objects.select_related("order", "order__customer", "order__customer__station")
        .filter(pk=pk)
        .first()
    )
    if task is None or not wo_selectors.work_order_is_visible(actor, task.order):
        raise ApplicationError(_("回访任务不存在"), field="task", code="not_found", status=404)
    order = task.order
    note = f"{order.order_no} {reason}".strip()
    out = {"contact": order.contact_phone, "phone": "", "phone2": ""}
    customer = order.customer
    if customer is not None and can(actor, "customers.reveal", customer):
        data = customer_reveal_personal_data(actor=actor, customer=customer, reason=note)
        out["phone"], out["phone2"] = data["phone"], data["phone2"]
    if order.contact_phone and order.contact_phone not in (out["phone"], out["phone2"]):
        audit_record(
            actor=actor,
            action="escalation.callback_reveal_phone",
            obj=order,
            note=note,
            unit_path=order.unit_path,
        )
    return out
