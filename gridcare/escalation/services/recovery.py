"""Service failures and their recovery (服务补救), within each role's authority."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.calendar import add_working_days
from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.limits import DESCRIPTION_MAX, TEXT_MAX, check_field_lengths, check_length
from gridcare.core.messages import msg
from gridcare.org.models import OrgUnit
from gridcare.org.selectors import staff_of, unit_is_visible, user_role
from gridcare.workorders.choices import RequestType
from gridcare.workorders.models import WorkOrder

from ..choices import (
    RECOVERY_TRANSITIONS,
    CallbackKind,
    CallbackStatus,
    CompensationKind,
    FailureCause,
    FailureOrigin,
    FailureSource,
    NotificationKind,
    RecoveryKind,
    RecoveryStatus,
)
from ..models import AuthorityLimit, CallbackTask, EscalationSetting, RecoveryAction, ServiceFailure
from ._common import now_or, supervisors_at, visible_order
from .notifications import notification_create_many

UNLIMITED = None


# Amounts are stored with 12 digits, 2 after the point.
AMOUNT_LIMIT = Decimal("10000000000")
DECISION_NOTE_MAX = RecoveryAction._meta.get_field("decision_note").max_length


def authority_limit_for(user) -> Decimal | None:
    """The compensation ``user`` may grant alone; None means no limit.

    Most specific ``AuthorityLimit`` row wins: (role, unit kind), then (role, any), then
    (any, unit kind), then (any, any). No row at all: zero.
    """
    role = user_role(user) or ""
    staff = staff_of(user)
    kind = staff.unit.kind if staff is not None else ""
    rows = {
        (r.role, r.unit_kind): r
        for r in AuthorityLimit.objects.filter(role__in=[role, ""], unit_kind__in=[kind, ""])
    }
    for key in ((role, kind), (role, ""), ("", kind), ("", "")):
        if key in rows:
            return rows[key].max_amount
    return Decimal("0")


def _within(limit: Decimal | None, amount: Decimal) -> bool:
    return limit is None or amount <= limit


def compensation_totals(failure: ServiceFailure, *, now: dt.datetime, exclude_pk: int | None = None) -> dict:
    """Compensation already granted (approved or done; pending and rejected ones are not):
    for this failure, and for the failure's customer within the configured period.

    Authority limits apply to these totals plus the new amount, so ten ¥200 compensations
    for one failure are judged as ¥2,000 — splitting cannot bypass approval.
    """
    counted = RecoveryAction.objects.filter(
        kind=RecoveryKind.COMPENSATION, status__in=[RecoveryStatus.APPROVED, RecoveryStatus.DONE]
    )
    if exclude_pk is not None:
        counted = counted.exclude(pk=exclude_pk)
    per_failure = counted.filter(failure=failure).aggregate(t=Sum("amount"))["t"] or Decimal("0")
    per_customer = Decimal("0")
    customer_id = failure.order.customer_id if failure.order_id is not None else None
    if customer_id is not None:
        days = EscalationSetting.get(EscalationSetting.COMPENSATION_CUSTOMER_PERIOD_DAYS)
        per_customer = counted.filter(
            failure__order__customer_id=customer_id, proposed_at__gte=now - dt.timedelta(days=days)
        ).aggregate(t=Sum("amount"))["t"] or Decimal("0")
    return {"failure": per_failure, "customer": per_customer}


def _covers(limit: Decimal | None, failure: ServiceFailure, amount: Decimal, *, now, exclude_pk=None) -> bool:
    """Whether ``limit`` covers ``amount`` on top of what was already granted (see above)."""
    if limit is None or amount == 0:
        return True
    totals = compensation_totals(failure, now=now, exclude_pk=exclude_pk)
    return amount + max(totals["failure"], totals["customer"]) <= limit


def service_failure_record(
    *,
    actor,
    order: WorkOrder | int | None,
    origin: str,
    cause: str,
    responsible_unit: OrgUnit,
    description: str,
    responsible_person: str = "",
    source: str = FailureSource.COMPLAINT,
    now: dt.datetime | None = None,
) -> ServiceFailure:
    """Record a service failure (at most one per order). ``source`` says how it came to
    light; a substantiated complaint (``complaint``, the default) needs its complaint order,
    any other source may have an order or none (an inspection's finding, a supervisor's
    report): then the responsible unit alone scopes it."""
    require(actor, "escalation.record_failure")
    if source not in FailureSource.values:
        raise ApplicationError(
            _("未知的发现途径：%(value)s") % {"value": source}, field="source", code="invalid_choice"
        )
    if origin not in FailureOrigin.values:
        raise ApplicationError(
            _("未知的失误来源：%(value)s") % {"value": origin}, field="origin", code="invalid_choice"
        )
    if cause not in FailureCause.values:
        raise ApplicationError(
            _("未知的失误原因：%(value)s") % {"value": cause}, field="cause", code="invalid_choice"
        )
    description = (description or "").strip()
    if not description:
        raise ApplicationError(_("请填写失误经过"), field="description", code="required")
    check_length(description, field="description", max_length=DESCRIPTION_MAX)
    check_field_lengths(ServiceFailure, responsible_person=responsible_person)
    if not unit_is_visible(actor, responsible_unit):
        raise PermissionDeniedError(_("责任单位不在本单位范围内"), field="responsible_unit")
    now = now_or(now)
    if order is None and source == FailureSource.COMPLAINT:
        raise ApplicationError(_("投诉属实须指定投诉工单"), field="order", code="required")
    with transaction.atomic():
        current = visible_order(actor, order, lock=True) if order is not None else None
        if (
            current is not None
            and source == FailureSource.COMPLAINT
            and current.request_type != RequestType.COMPLAINT
        ):
            raise ApplicationError(_("只有属实的投诉才能认定为服务失误"), field="order", code="not_complaint")
        try:
            with transaction.atomic():
                failure = ServiceFailure.objects.create(
                    order=current,
                    source=source,
                    origin=origin,
                    cause=cause,
                    responsible_unit=responsible_unit,
                    unit_path=responsible_unit.path,
                    responsible_person=responsible_person.strip(),
                    description=description,
                    recorded_by=actor,
                    recorded_at=now,
                )
        except IntegrityError:
            raise ConflictError(
                _("工单 %(no)s 已认定过服务失误") % {"no": current.order_no}, code="duplicate", field="order"
            )
        audit_record(
            actor=actor,
            action="escalation.failure_record",
            obj=failure,
            changes={"source": source, "origin": origin, "cause": cause, "unit": responsible_unit.code},
            note=description,
            unit_path=responsible_unit.path,
        )
        return failure


def _visible_failure(actor, failure: ServiceFailure | int, *, lock: bool) -> ServiceFailure:
    pk = failure.pk if isinstance(failure, ServiceFailure) else failure
    qs = ServiceFailure.objects.select_related("order", "responsible_unit")
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=pk).first()
    if found is None:
        raise ApplicationError(_("服务失误记录不存在"), field="failure", code="not_found", status=404)
    from ..selectors import failure_is_visible

    if not failure_is_visible(actor, found):
        raise ApplicationError(_("服务失误记录不存在"), field="failure", code="not_found", status=404)
    return found


def recovery_action_propose(
    *,
    actor,
    failure: ServiceFailure | int,
    kind: str,
    description: str = "",
    amount: Decimal | str | int = 0,
    compensation_kind: str = "",
    now: dt.datetime | None = None,
) -> RecoveryAction:
    """Add a recovery step. Within the actor's authority it may be carried out at once;
    a compensation above it waits for approval (``pending_approval``)."""
    require(actor, "escalation.propose_recovery")
    if kind not in RecoveryKind.values:
        raise ApplicationError(
            _("未知的补救措施：%(value)s") % {"value": kind}, field="kind", code="invalid_choice"
        )
    check_length(description, field="description", max_length=TEXT_MAX)
    try:
        amount = Decimal(str(amount or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ApplicationError(_("金额格式不正确"), field="amount", code="invalid")
    if not amount.is_finite() or abs(amount) >= AMOUNT_LIMIT:  # NaN; the column's 12 digits
        raise ApplicationError(
            _("金额须小于 %(limit)s 元") % {"limit": f"{AMOUNT_LIMIT:,.0f}"}, field="amount", code="invalid"
        )
    if kind == RecoveryKind.COMPENSATION:
        if amount <= 0:
            raise ApplicationError(_("经济补偿须填写大于0的金额"), field="amount", code="required")
        if compensation_kind not in CompensationKind.values:
            raise ApplicationError(_("请选择补偿方式"), field="compensation_kind", code="required")
    else:
        if amount != 0:
            raise ApplicationError(_("只有经济补偿可以填写金额"), field="amount", code="invalid")
        compensation_kind = ""
    now = now_or(now)
    with transaction.atomic():
        failure = _visible_failure(actor, failure, lock=True)
        limit = authority_limit_for(actor)
        totals = compensation_totals(failure, now=now) if amount else {"failure": 0, "customer": 0}
        needed = amount + max(totals["failure"], totals["customer"])
        within = _within(limit, needed)
        action = RecoveryAction.objects.create(
            failure=failure,
            kind=kind,
            description=(description or "").strip(),
            amount=amount,
            compensation_kind=compensation_kind,
            status=RecoveryStatus.APPROVED if within else RecoveryStatus.PENDING_APPROVAL,
            proposed_by=actor,
            proposed_at=now,
            authority_limit=limit,
        )
        audit_record(
            actor=actor,
            action="escalation.recovery_propose",
            obj=action,
            changes={
                "kind": kind,
                "amount": str(amount),
                "limit": None if limit is None else str(limit),
                "status": action.status,
            },
            unit_path=failure.unit_path,
        )
        if not within:
            approvers = _approvers(failure.responsible_unit, needed)
            notification_create_many(
                recipients=approvers,
                kind=NotificationKind.RECOVERY,
                text=msg(
                    "notify.recovery_approval",
                    no=failure.order.order_no if failure.order_id is not None else f"#{failure.pk}",
                    amount=str(amount),
                    limit=str(limit),
                ),
                order=failure.order if failure.order_id is not None else None,
                exclude=actor.pk,
                now=now,
            )
        return action


def _approvers(unit: OrgUnit, amount: Decimal) -> list[int]:
    """Supervisors on the unit's chain (the unit and its ancestors) whose limit covers ``amount``."""
    from django.contrib.auth import get_user_model

    ids = supervisors_at([u.pk for u in unit.ancestors()])
    users = get_user_model().objects.filter(pk__in=ids).select_related("staff__unit")
    return [u.pk for u in users if _within(authority_limit_for(u), amount)]


def _move(action: RecoveryAction, verb: str) -> str:
    to = RECOVERY_TRANSITIONS.get((action.status, verb))
    if to is None:
        raise ConflictError(
            _("补救措施当前为“%(status)s”，不能执行该操作") % {"status": RecoveryStatus(action.status).label},
            code="invalid_transition",
            field="status",
        )
    return to


def _lock_action(actor, action: RecoveryAction | int) -> RecoveryAction:
    pk = action.pk if isinstance(action, RecoveryAction) else action
    found = (
        RecoveryAction.objects.select_for_update(of=("self",)).select_related("failure").filter(pk=pk).first()
    )
    if found is None:
        raise ApplicationError(_("补救措施不存在"), field="action", code="not_found", status=404)
    _visible_failure(actor, found.failure_id, lock=False)
    return found


def recovery_action_decide(
    *,
    actor,
    action: RecoveryAction | int,
    approve: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> RecoveryAction:
    """Approve or reject a compensation above its proposer's authority.

    The approver's own limit must cover the amount, and nobody approves their own proposal.
    """
    require(actor, "escalation.approve_recovery" if approve else "escalation.reject_recovery")
    note = check_length((note or "").strip(), field="note", max_length=DECISION_NOTE_MAX)
    now = now_or(now)
    with transaction.atomic():
        action = _lock_action(actor, action)
        to = _move(action, "approve" if approve else "reject")
        if action.proposed_by_id == actor.pk:
            raise PermissionDeniedError(_("不能审批自己提出的补救措施"))
        limit = authority_limit_for(actor)
        if approve and not _covers(limit, action.failure, action.amount, now=now, exclude_pk=action.pk):
            raise PermissionDeniedError(
                _("补偿 ¥%(amount)s 超出您的审批权限（¥%(limit)s），请上报上级审批")
                % {"amount": action.amount, "limit": limit}
            )
        before = action.status
        action.status = to
        action.decided_by = actor
        action.decided_at = now
        action.decision_note = note
        action.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=actor,
            action="escalation.recovery_" + ("approve" if approve else "reject"),
            obj=action,
            changes={"status": [before, to]},
            note=note,
            unit_path=action.failure.unit_path,
        )
        return action


def recovery_action_complete(
    *, actor, action: RecoveryAction | int, note: str = "", now: dt.datetime | None = None
) -> RecoveryAction:
    """Carry out an approved step. When the plan has nothing left open, the post-recovery
    callback is scheduled (due the next working day)."""
    require(actor, "escalation.complete_recovery")
    check_length(note, field="note", max_length=TEXT_MAX)
    now = now_or(now)
    with transaction.atomic():
        action = _lock_action(actor, action)
        if action.status == RecoveryStatus.PENDING_APPROVAL:
            raise PermissionDeniedError(_("补偿金额超出权限，未经审批不能执行"), code="approval_required")
        to = _move(action, "complete")
        action.status = to
        action.done_by = actor
        action.done_at = now
        action.save(update_fields=["status", "done_by", "done_at"])
        audit_record(
            actor=actor,
            action="escalation.recovery_complete",
            obj=action,
            changes={"status": [RecoveryStatus.APPROVED, to], "amount": str(action.amount)},
            note=note,
            unit_path=action.failure.unit_path,
        )
        failure = action.failure
        open_left = failure.actions.filter(
            status__in=[RecoveryStatus.PENDING_APPROVAL, RecoveryStatus.APPROVED]
        ).exists()
        if not open_left and failure.order_id is not None:  # no order: no customer to call back
            order = failure.order
            CallbackTask.objects.get_or_create(
                failure=failure,
                kind=CallbackKind.RECOVERY,
                defaults={
                    "order": order,
                    "cycle_at": now,
                    "due_at": add_working_days(now, 1),
                    "status": CallbackStatus.PENDING,
                    "unit_path": order.unit_path,
                    "accepted_path": order.accepted_path,
                    "created_at": now,
                },
            )
        return action


def recovery_action_verbs(user, action: RecoveryAction, *, now: dt.datetime | None = None) -> list[str]:
    """What ``user`` may do to ``action`` now (approve / reject / complete): the buttons the
    pages offer, by the same rules ``recovery_action_decide`` and ``recovery_action_complete``
    apply — the permission table, the transition table, nobody decides their own proposal,
    and an approver's limit must cover the running total."""
    from gridcare.core.authz import has_perm

    verbs = []
    if action.status == RecoveryStatus.PENDING_APPROVAL and action.proposed_by_id != user.pk:
        if has_perm(user, "escalation.approve_recovery") and _covers(
            authority_limit_for(user), action.failure, action.amount, now=now_or(now), exclude_pk=action.pk
        ):
            verbs.append("approve")
        if has_perm(user, "escalation.reject_recovery"):
            verbs.append("reject")
    if action.status == RecoveryStatus.APPROVED and has_perm(user, "escalation.complete_recovery"):
        verbs.append("complete")
    return verbs
