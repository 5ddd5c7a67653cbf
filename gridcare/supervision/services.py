"""Every write of supervision (one service per action: keyword-only, atomic, permission
checked, row locked, transition validated, audited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.messages import msg
from gridcare.core.scoping import is_visible
from gridcare.escalation.choices import FailureCause, NotificationKind
from gridcare.escalation.models import SocialSupervisor, SupervisorConsultation
from gridcare.escalation.services import notification_create_many
from gridcare.org.choices import Role
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.org.selectors import unit_is_visible
from gridcare.rectification.services import rectification_open

from . import selectors
from .choices import (
    POINT_TRANSITIONS,
    REWARD_TRANSITIONS,
    PeriodKind,
    ReminderKind,
    RewardKind,
    ViolationSource,
)
from .models import (
    POINTS_MAX,
    REWARD_MAX,
    ConductNorm,
    ConductViolation,
    ConsultationPlan,
    ConsultationReminder,
    SupervisionSetting,
    SupervisorPoint,
    SupervisorReward,
)
from .periods import Period

FAILURE_CAUSE_SOURCE = "failure_cause"
SUPERVISOR_POINT_SOURCE = "supervisor_point"
EARLIEST = dt.date(2000, 1, 1)


def _now(now):
    return now or timezone.now()


def _text(value, *, field: str, required: bool, max_length: int, label=None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(label or _("请填写此项"), field=field, code="required")
    check_length(value, field=field, max_length=max_length)
    return value


def _int(value, *, field: str, lo: int, hi: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApplicationError(_("请填写整数"), field=field, code="invalid") from None
    if not lo <= number <= hi:
        raise ApplicationError(
            _("取值范围 %(lo)s～%(hi)s") % {"lo": lo, "hi": hi}, field=field, code="out_of_range"
        )
    return number


def _day(value, *, field: str, today: dt.date, future_ok: bool = False) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ApplicationError(_("日期格式为 YYYY-MM-DD"), field=field, code="invalid") from None
    if not isinstance(value, dt.date):
        raise ApplicationError(_("请填写日期"), field=field, code="required")
    hi = today + dt.timedelta(days=366) if future_ok else today
    if not EARLIEST <= value <= hi:
        raise ApplicationError(_("日期超出范围"), field=field, code="out_of_range")
    return value


def _check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != obj.version:
        raise ConflictError(_("该记录已被他人修改，请刷新后重试"), field="version")


def _transition(table: dict, current: str, verb: str, field: str = "status") -> str:
    target = table.get((current, verb))
    if target is None:
        raise ConflictError(_("当前状态不能执行此操作"), field=field, code="invalid_transition")
    return target


# ---------------------------------------------------------------- consultation plans


def consultation_plan_save(
    *,
    actor,
    unit: OrgUnit,
    every_months: int = 3,
    reminder_days: int = 7,
    first_due_on: dt.date | str | None = None,
    active: bool = True,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ConsultationPlan:
    """Create or change a unit's consultation plan (every 1–12 months, reminded 0–60 days
    before). An edit of an existing plan with a stale ``expected_version`` is refused."""
    require(actor, "supervision.record")
    if not unit_is_visible(actor, unit):
        raise PermissionDeniedError(_("单位不在本单位范围内"), field="unit")
    every_months = _int(every_months, field="every_months", lo=1, hi=12)
    reminder_days = _int(reminder_days, field="reminder_days", lo=0, hi=60)
    now = _now(now)
    today = timezone.localdate(now)
    first = _day(first_due_on, field="first_due_on", today=today, future_ok=True) if first_due_on else today
    with transaction.atomic():
        plan = ConsultationPlan.objects.select_for_update().filter(unit=unit).first()
        if plan is None:
            try:
                with transaction.atomic():
                    plan = ConsultationPlan.objects.create(
                        unit=unit,
                        unit_path=unit.path,
                        every_months=every_months,
                        reminder_days=reminder_days,
                        first_due_on=first,
                        active=active,
                    )
            except IntegrityError:
                raise ConflictError(_("该单位已有座谈计划，请刷新后重试"), field="unit") from None
            changes = {"every_months": every_months, "reminder_days": reminder_days}
        else:
            _check_version(plan, expected_version)
            changes = {
                "every_months": [plan.every_months, every_months],
                "reminder_days": [plan.reminder_days, reminder_days],
                "active": [plan.active, bool(active)],
            }
            plan.every_months, plan.reminder_days, plan.active = every_months, reminder_days, bool(active)
            if first_due_on:
                plan.first_due_on = first
            plan.version += 1
            plan.save()
        audit_record(
            actor=actor, action="supervision.plan_save", obj=plan, changes=changes, unit_path=unit.path
        )
        return plan


def consultation_reminders_send(*, today: dt.date | None = None, now: dt.datetime | None = None) -> dict:
    """Tell each unit's supervisors (in-app) that a consultation with the social
    supervisors is due soon (within the plan's reminder days) or overdue. One reminder per
    plan, due date and kind: reruns and other workers tell nobody twice."""
    now = _now(now)
    today = today or timezone.localdate(now)
    sent = {"soon": 0, "overdue": 0, "people": 0}
    for plan in ConsultationPlan.objects.filter(active=True).select_related("unit"):
        due = selectors.plan_next_due(plan)
        kind = selectors.plan_state(plan, due=due, today=today)
        if kind not in (ReminderKind.SOON, ReminderKind.OVERDUE):
            continue
        try:
            with transaction.atomic():
                reminder = ConsultationReminder.objects.create(plan=plan, due_on=due, kind=kind, sent_at=now)
                people = list(
                    StaffProfile.objects.filter(unit=plan.unit, role=Role.SUPERVISOR).values_list(
                        "user_id", flat=True
                    )
                )
                code = (
                    "supervision.consultation_overdue"
                    if kind == ReminderKind.OVERDUE
                    else "supervision.consultation_due"
                )
                told = notification_create_many(
                    recipients=people,
                    kind=NotificationKind.SUPERVISION,
                    text=msg(code, unit=plan.unit.name, due=due.isoformat()),
                    now=now,
                    url=reverse("supervision:points") + "#plans",
                )
                reminder.recipients = told
                reminder.save(update_fields=["recipients"])
        except IntegrityError:  # this due date was told already
            continue
        sent[kind] += 1
        sent["people"] += told
    return sent


# -------------------------------------------------------------------------- points


def _visible_supervisor(actor, supervisor: SocialSupervisor | int) -> SocialSupervisor:
    pk = supervisor.pk if isinstance(supervisor, SocialSupervisor) else supervisor
    found = SocialSupervisor.objects.filter(pk=pk).select_related("unit").first()
    if found is None or not is_visible(actor, found):
        raise ApplicationError(_("监督员不存在"), field="supervisor", code="not_found", status=404)
    return found


def point_raise(
    *,
    actor,
    supervisor: SocialSupervisor | int,
    text: str,
    raised_on: dt.date | str | None = None,
    unit: OrgUnit | None = None,
    consultation: SupervisorConsultation | None = None,
    now: dt.datetime | None = None,
) -> SupervisorPoint:
    """Record a point a social supervisor raised (optionally at a consultation), owned by
    ``unit`` (the supervisor's liaison unit by default) until answered."""
    require(actor, "supervision.record")
    sup = _visible_supervisor(actor, supervisor)
    text = _text(text, field="text", required=True, max_length=TEXT_MAX, label=_("请填写意见内容"))
    now = _now(now)
    today = timezone.localdate(now)
    raised_on = _day(raised_on or today, field="raised_on", today=today)
    unit = unit or sup.unit
    if not unit_is_visible(actor, unit):
        raise PermissionDeniedError(_("责任单位不在本单位范围内"), field="unit")
    if consultation is not None and not is_visible(actor, consultation):
        raise ApplicationError(_("座谈记录不存在"), field="consultation", code="not_found")
    point = SupervisorPoint.objects.create(
        supervisor=sup,
        consultation=consultation,
        text=text,
        raised_on=raised_on,
        unit=unit,
        unit_path=unit.path,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="supervision.point_raise",
        obj=point,
        changes={"supervisor": sup.pk, "unit": unit.code},
        note=text,
        unit_path=unit.path,
    )
    return point


def _lock(model, actor, obj, *, field: str, missing):
    pk = obj.pk if isinstance(obj, model) else obj
    found = model.objects.select_for_update().filter(pk=pk).first()
    if found is None or not is_visible(actor, found):
        raise ApplicationError(missing, field=field, code="not_found", status=404)
    return found


def point_answer(
    *,
    actor,
    point: SupervisorPoint | int,
    answer: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> SupervisorPoint:
    """Answer a point (open → answered)."""
    require(actor, "supervision.record")
    answer = _text(answer, field="answer", required=True, max_length=TEXT_MAX, label=_("请填写答复"))
    now = _now(now)
    with transaction.atomic():
        p = _lock(SupervisorPoint, actor, point, field="point", missing=_("监督意见不存在"))
        _check_version(p, expected_version)
        p.status = _transition(POINT_TRANSITIONS, p.status, "answer")
        p.answer, p.answered_by, p.answered_at = answer, actor, now
        p.version += 1
        p.save()
        audit_record(
            actor=actor, action="supervision.point_answer", obj=p, note=answer, unit_path=p.unit_path
        )
        return p


def point_rectify(
    *, actor, point: SupervisorPoint | int, due_date: dt.date | None = None, now: dt.datetime | None = None
):
    """Open a rectification item from a point (source ``supervisor_point``); once only."""
    require(actor, "supervision.record")
    with transaction.atomic():
        p = _lock(SupervisorPoint, actor, point, field="point", missing=_("监督意见不存在"))
        if p.rectification_id is not None:
            raise ConflictError(_("已为该意见登记过整改事项"), field="point", code="duplicate")
        item = rectification_open(
            actor=actor,
            source_kind=SUPERVISOR_POINT_SOURCE,
            source_ref=str(p.pk),
            title=p.text[:200],
            detail=p.text,
            unit=p.unit,
            due_date=due_date,
            now=now,
        )
        p.rectification = item
        p.version += 1
        p.save(update_fields=["rectification", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="supervision.point_rectify",
            obj=p,
            changes={"rectification": item.pk},
            unit_path=p.unit_path,
        )
        return item


# ------------------------------------------------------------------------- rewards


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ApplicationError(_("金额格式不正确"), field="amount", code="invalid") from None
    if not amount.is_finite() or not Decimal("0") <= amount <= REWARD_MAX:
        raise ApplicationError(
            _("金额须在 0～%(max)s 元之间") % {"max": f"{REWARD_MAX:,.0f}"},
            field="amount",
            code="out_of_range",
        )
    return amount


def reward_propose(
    *,
    actor,
    supervisor: SocialSupervisor | int,
    kind: str,
    reason: str,
    amount=0,
    point: SupervisorPoint | None = None,
    now: dt.datetime | None = None,
) -> SupervisorReward:
    """Propose a reward (证书/奖金/礼品, 0–10,000 yuan) for a social supervisor; it waits for
    someone else's approval."""
    require(actor, "supervision.record")
    sup = _visible_supervisor(actor, supervisor)
    if kind not in RewardKind.values:
        raise ApplicationError(
            _("未知的奖励方式：%(value)s") % {"value": kind}, field="kind", code="invalid_choice"
        )
    amount = _amount(amount)
    if kind == RewardKind.BONUS and amount <= 0:
        raise ApplicationError(_("奖金须填写金额"), field="amount", code="required")
    reason = _text(reason, field="reason", required=True, max_length=300, label=_("请填写奖励理由"))
    if point is not None and (point.supervisor_id != sup.pk or not is_visible(actor, point)):
        raise ApplicationError(_("该意见不是此监督员提出的"), field="point", code="mismatch")
    reward = SupervisorReward.objects.create(
        supervisor=sup,
        point=point,
        kind=kind,
        amount=amount,
        reason=reason,
        unit_path=sup.unit_path,
        proposed_by=actor,
        proposed_at=_now(now),
    )
    audit_record(
        actor=actor,
        action="supervision.reward_propose",
        obj=reward,
        changes={"kind": kind, "amount": str(amount), "supervisor": sup.pk},
        note=reason,
        unit_path=sup.unit_path,
    )
    return reward


def reward_verbs(user, reward: SupervisorReward) -> list[str]:
    """What ``user`` may do with the reward now (the page's buttons = what the service accepts)."""
    from gridcare.core.authz import has_perm

    if reward.status != "proposed" or not has_perm(user, "supervision.approve_reward"):
        return []
    if reward.proposed_by_id == getattr(user, "pk", None):
        return []
    return ["approve", "reject"]


def reward_decide(
    *,
    actor,
    reward: SupervisorReward | int,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> SupervisorReward:
    """Approve or reject a proposed reward; never by the person who proposed it."""
    require(actor, "supervision.approve_reward")
    note = _text(note, field="note", required=not approve, max_length=300, label=_("请填写驳回理由"))
    with transaction.atomic():
        r = _lock(SupervisorReward, actor, reward, field="reward", missing=_("奖励记录不存在"))
        _check_version(r, expected_version)
        if r.proposed_by_id == actor.pk:
            raise PermissionDeniedError(_("不能审批自己提出的奖励"), field="reward", code="own_proposal")
        r.status = _transition(REWARD_TRANSITIONS, r.status, "approve" if approve else "reject")
        r.decided_by, r.decided_at, r.decision_note = actor, _now(now), note
        r.version += 1
        r.save()
        audit_record(
            actor=actor,
            action="supervision.reward_approve" if approve else "supervision.reward_reject",
            obj=r,
            note=note,
            unit_path=r.unit_path,
        )
        return r


# ------------------------------------------------------------------------- conduct


def violation_record(
    *,
    actor,
    staff,
    norm: ConductNorm | int,
    source: str,
    found_on: dt.date | str,
    detail: str = "",
    points: int | None = None,
    source_ref: str = "",
    now: dt.datetime | None = None,
) -> ConductViolation:
    """Record a staff member's breach of a conduct norm; the points are the norm's default
    unless given (0–100). The staff member's unit must be within the actor's."""
    require(actor, "supervision.record_conduct")
    profile = StaffProfile.objects.select_related("unit").filter(user=staff).first()
    if profile is None or not unit_is_visible(actor, profile.unit):
        raise ApplicationError(_("员工不存在"), field="staff", code="not_found")
    norm_pk = norm.pk if isinstance(norm, ConductNorm) else norm
    norm = ConductNorm.objects.filter(pk=norm_pk, active=True).first()
    if norm is None:
        raise ApplicationError(_("请选择行为规范"), field="norm", code="invalid_choice")
    if source not in ViolationSource.values:
        raise ApplicationError(
            _("未知的发现途径：%(value)s") % {"value": source}, field="source", code="invalid_choice"
        )
    now = _now(now)
    found_on = _day(found_on, field="found_on", today=timezone.localdate(now))
    points = (
        norm.default_points if points in (None, "") else _int(points, field="points", lo=0, hi=POINTS_MAX)
    )
    detail = _text(detail, field="detail", required=False, max_length=TEXT_MAX)
    source_ref = _text(source_ref, field="source_ref", required=False, max_length=64)
    v = ConductViolation.objects.create(
        staff=profile.user,
        unit=profile.unit,
        unit_path=profile.unit.path,
        norm=norm,
        source=source,
        source_ref=source_ref,
        found_on=found_on,
        detail=detail,
        points=points,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="supervision.violation_record",
        obj=v,
        changes={"staff": profile.user_id, "norm": norm.code, "points": points, "source": source},
        note=detail,
        unit_path=v.unit_path,
    )
    return v


def violation_withdraw(
    *,
    actor,
    violation: ConductViolation | int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ConductViolation:
    """Withdraw a violation found to be wrong (the reason is required); it no longer counts."""
    require(actor, "supervision.record_conduct")
    reason = _text(reason, field="reason", required=True, max_length=300, label=_("请填写撤销原因"))
    with transaction.atomic():
        v = _lock(ConductViolation, actor, violation, field="violation", missing=_("违规记录不存在"))
        _check_version(v, expected_version)
        if v.withdrawn:
            raise ConflictError(_("该记录已撤销"), field="violation", code="withdrawn")
        v.withdrawn, v.withdraw_reason, v.withdrawn_by, v.withdrawn_at = True, reason, actor, _now(now)
        v.version += 1
        v.save()
        audit_record(
            actor=actor, action="supervision.violation_withdraw", obj=v, note=reason, unit_path=v.unit_path
        )
        return v


# ------------------------------------------------------------ recurring failure causes


def improvement_ref(unit: OrgUnit, cause: str, period: Period) -> str:
    return f"{unit.code}:{cause}:{period.key}"


def improvement_open(
    *,
    actor,
    unit: OrgUnit,
    cause: str,
    period: Period,
    due_date: dt.date | None = None,
    now: dt.datetime | None = None,
):
    """Open an improvement action (a rectification item, source ``failure_cause``) for a
    cause that recurred at a unit in a period: only when its count reached the threshold.
    Opening it again returns the same item."""
    require(actor, "supervision.record")
    if cause not in FailureCause.values:
        raise ApplicationError(
            _("未知的失误原因：%(value)s") % {"value": cause}, field="cause", code="invalid_choice"
        )
    if period.kind not in PeriodKind.values:
        raise ApplicationError(_("未知的统计周期"), field="period", code="invalid_choice")
    if not unit_is_visible(actor, unit):
        raise PermissionDeniedError(_("责任单位不在本单位范围内"), field="unit")
    n = selectors.failure_count(unit=unit, cause=cause, period=period)
    threshold = SupervisionSetting.get(SupervisionSetting.RECURRING_THRESHOLD)
    if n < threshold:
        raise ApplicationError(
            _("该原因本期仅 %(n)s 次，未达到 %(t)s 次，无需整改") % {"n": n, "t": threshold},
            field="cause",
            code="below_threshold",
        )
    with translation.override(settings.LANGUAGE_CODE):  # the item's title, in the house language
        label = str(FailureCause(cause).label)
        title = _("%(unit)s“%(cause)s”反复发生（%(period)s 共 %(n)s 次）") % {
            "unit": unit.name,
            "cause": label,
            "period": period.key,
            "n": n,
        }
    item = rectification_open(
        actor=actor,
        source_kind=FAILURE_CAUSE_SOURCE,
        source_ref=improvement_ref(unit, cause, period),
        title=title,
        unit=unit,
        due_date=due_date,
        now=now,
    )
    audit_record(
        actor=actor,
        action="supervision.improvement_open",
        obj=item,
        changes={"unit": unit.code, "cause": cause, "period": period.key, "count": n},
        unit_path=unit.path,
    )
    return item
