"""Writing the three-party evaluation: appointing experts (and ending an appointment),
recording an expert's assessment of a hall or a unit for a month (and changing or deleting
it). Keyword-only, atomic, permission checked, row locked, audited; a stale edit (the
``version`` the form was opened with is no longer the row's) is refused with a 409."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.scoping import is_visible
from gridcare.hall.models import Hall
from gridcare.org.models import OrgUnit, StaffProfile

from .choices import TargetKind
from .models import ExpertAppointment, ExpertAssessment, ExpertChecklistItem
from .scoring import expert_total

SCORE_MIN, SCORE_MAX = 0, 100
APPOINTMENT_MAX_DAYS = 366 * 5


# ----------------------------------------------------------------------- pure helpers


def _user(value, field: str):
    if value is None or hasattr(value, "pk"):
        return value
    user = get_user_model().objects.filter(pk=value, is_active=True).first()
    if user is None:
        raise ApplicationError(_("人员不存在"), field=field, code="not_found")
    return user


def appointment_covers(appointment: ExpertAppointment, unit_path: str, day: dt.date) -> bool:
    return (
        unit_path.startswith(appointment.unit_path)
        and appointment.valid_from <= day
        and (appointment.valid_to is None or day <= appointment.valid_to)
    )


def current_appointment(expert, unit_path: str, day: dt.date) -> ExpertAppointment | None:
    """The expert's appointment covering ``unit_path`` on ``day`` (None if none)."""
    for a in ExpertAppointment.objects.filter(user=expert).order_by("-valid_from"):
        if appointment_covers(a, unit_path, day):
            return a
    return None


def checklist_weights() -> dict[str, int]:
    """The active checklist items' weights (code -> 1–100)."""
    return dict(
        ExpertChecklistItem.objects.filter(active=True)
        .order_by("order", "code")
        .values_list("code", "weight")
    )


def clean_scores(raw: dict, weights: dict[str, int]) -> dict[str, int]:
    """Every active checklist item scored, each an integer 0–100; nothing else."""
    if not isinstance(raw, dict):
        raise ApplicationError(_("请逐项评分"), field="scores", code="invalid")
    unknown = sorted(set(raw) - set(weights))
    if unknown:
        raise ApplicationError(
            _("未知的评价项目：%(codes)s") % {"codes": ", ".join(unknown)},
            field="scores",
            code="unknown_item",
        )
    out = {}
    for code in weights:
        value = raw.get(code)
        if value in (None, ""):
            raise ApplicationError(
                _("请逐项评分（缺少“%(code)s”）") % {"code": code}, field=f"score_{code}", code="required"
            )
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise ApplicationError(_("评分须为整数"), field=f"score_{code}", code="invalid") from None
        if not SCORE_MIN <= number <= SCORE_MAX:
            raise ApplicationError(
                _("评分须在 %(lo)s～%(hi)s 之间") % {"lo": SCORE_MIN, "hi": SCORE_MAX},
                field=f"score_{code}",
                code="out_of_range",
            )
        out[code] = number
    if not out:
        raise ApplicationError(_("尚未配置专家评价细则"), field="scores", code="no_checklist")
    return out


def month_start(value: dt.date, *, today: dt.date) -> dt.date:
    if not isinstance(value, dt.date):
        raise ApplicationError(_("请选择评价月份"), field="period", code="required")
    first = value.replace(day=1)
    if first > today.replace(day=1):
        raise ApplicationError(_("不能评价未来的月份"), field="period", code="future")
    if first.year < 2000:
        raise ApplicationError(_("评价月份无效"), field="period", code="invalid")
    return first


def _target(
    actor, *, hall: Hall | int | None, unit: OrgUnit | int | None
) -> tuple[str, Hall | None, OrgUnit]:
    if hall is not None:
        if not isinstance(hall, Hall):
            hall = Hall.objects.select_related("unit").filter(pk=hall).first()
        if hall is None or not is_visible(actor, hall):
            raise ApplicationError(_("营业厅不存在或不在本单位范围内"), field="hall", code="out_of_scope")
        return TargetKind.HALL, hall, hall.unit
    if unit is not None:
        if not isinstance(unit, OrgUnit):
            unit = OrgUnit.objects.filter(pk=unit).first()
        if unit is None or not is_visible(actor, unit):
            raise ApplicationError(_("单位不存在或不在本单位范围内"), field="unit", code="out_of_scope")
        return TargetKind.UNIT, None, unit
    raise ApplicationError(_("请选择评价对象（营业厅或单位）"), field="hall", code="required")


# ------------------------------------------------------------------------ appointments


def expert_appoint(
    *,
    actor,
    user,
    unit: OrgUnit,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    note: str = "",
) -> ExpertAppointment:
    """Appoint ``user`` (an active member of staff) as an expert for ``unit`` and below."""
    require(actor, "evaluation.manage")
    user = _user(user, "user")
    if user is None or not StaffProfile.objects.filter(user=user, user__is_active=True).exists():
        raise ApplicationError(_("专家须为在岗员工"), field="user", code="invalid")
    if unit is None or not is_visible(actor, unit):
        raise ApplicationError(_("评价范围不在本单位范围内"), field="unit", code="out_of_scope")
    if not isinstance(valid_from, dt.date):
        raise ApplicationError(_("请填写聘任开始日期"), field="valid_from", code="required")
    if valid_to is not None and valid_to < valid_from:
        raise ApplicationError(_("聘任结束不能早于开始"), field="valid_to", code="invalid")
    if valid_to is not None and (valid_to - valid_from).days > APPOINTMENT_MAX_DAYS:
        raise ApplicationError(_("聘期最长五年"), field="valid_to", code="too_long")
    note = (note or "").strip()
    check_length(note, field="note", max_length=200)
    with transaction.atomic():
        a = ExpertAppointment.objects.create(
            user=user,
            unit=unit,
            unit_path=unit.path,
            valid_from=valid_from,
            valid_to=valid_to,
            appointed_by=actor,
            note=note,
        )
        audit_record(
            actor=actor,
            action="evaluation.appoint",
            obj=a,
            changes={
                "user": user.pk,
                "unit": unit.code,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
            },
            unit_path=unit.path,
        )
    return a


def expert_appointment_end(
    *,
    actor,
    appointment: ExpertAppointment | int,
    end: dt.date | None = None,
    expected_version: int | None = None,
) -> ExpertAppointment:
    """End an appointment on ``end`` (today by default; not before it started)."""
    require(actor, "evaluation.manage")
    pk = appointment.pk if isinstance(appointment, ExpertAppointment) else appointment
    with transaction.atomic():
        a = ExpertAppointment.objects.select_for_update().filter(pk=pk).first()
        if a is None or not is_visible(actor, a):
            raise ApplicationError(_("聘任记录不存在"), field="appointment", code="not_found", status=404)
        if expected_version is not None and a.version != expected_version:
            raise ConflictError(_("聘任记录已被他人修改，请刷新后重试"))
        end = end or timezone.localdate()
        if end < a.valid_from:
            end = a.valid_from
        old = a.valid_to
        a.valid_to = end if old is None else min(old, end)
        a.version += 1
        a.save(update_fields=["valid_to", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="evaluation.appointment_end",
            obj=a,
            changes={"valid_to": [old.isoformat() if old else None, a.valid_to.isoformat()]},
            unit_path=a.unit_path,
        )
    return a


# ------------------------------------------------------------------------- assessments


def assessment_save(
    *,
    actor,
    scores: dict,
    period: dt.date | None = None,
    hall: Hall | int | None = None,
    unit: OrgUnit | int | None = None,
    expert=None,
    note: str = "",
    assessment: ExpertAssessment | int | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ExpertAssessment:
    """Record (``assessment`` None) or change an expert's assessment of a hall or a unit for
    a month. The expert (the actor unless named) must hold an appointment covering the
    target's unit today; every active checklist item is scored 0–100; the total is the
    weighted mean with the weights copied. One per expert × target × month."""
    require(actor, "evaluation.assess")
    now = now or timezone.now()
    today = timezone.localdate(now)
    note = (note or "").strip()
    check_length(note, field="note", max_length=TEXT_MAX)
    weights = checklist_weights()
    clean = clean_scores(scores, weights)
    used = {k: weights[k] for k in clean}
    total = expert_total(clean, used)
    with transaction.atomic():
        if assessment is not None:
            pk = assessment.pk if isinstance(assessment, ExpertAssessment) else assessment
            row = ExpertAssessment.objects.select_for_update().filter(pk=pk).first()
            if row is None or not is_visible(actor, row):
                raise ApplicationError(_("专家评价不存在"), field="assessment", code="not_found", status=404)
            if expected_version is not None and row.version != expected_version:
                raise ConflictError(_("该评价已被他人修改，请刷新后重试"))
            if current_appointment(row.expert, row.unit_path, today) is None:
                raise ApplicationError(
                    _("专家当前没有覆盖该对象的聘任，不能修改评价"), field="expert", code="not_appointed"
                )
            before = {"scores": row.scores, "total": str(row.total), "note": row.note}
            row.scores, row.weights, row.total, row.note = clean, used, total, note
            row.assessed_at = now
            row.version += 1
            row.save(
                update_fields=["scores", "weights", "total", "note", "assessed_at", "version", "updated_at"]
            )
            audit_record(
                actor=actor,
                action="evaluation.assessment_change",
                obj=row,
                changes={
                    k: [before[k], v]
                    for k, v in {"scores": clean, "total": str(total), "note": note}.items()
                    if before[k] != v
                },
                unit_path=row.unit_path,
            )
            return row
        kind, hall_obj, unit_obj = _target(actor, hall=hall, unit=unit)
        first = month_start(period, today=today)
        expert = _user(expert, "expert") or actor
        if current_appointment(expert, unit_obj.path, today) is None:
            raise ApplicationError(
                _("专家须持有覆盖该对象所属单位的有效聘任"), field="expert", code="not_appointed"
            )
        target_key = f"hall:{hall_obj.pk}" if hall_obj else f"unit:{unit_obj.pk}"
        if ExpertAssessment.objects.filter(expert=expert, target_key=target_key, period=first).exists():
            raise ApplicationError(
                _("该专家本月已评价过该对象，请修改原评价"), field="period", code="duplicate", status=409
            )
        row = ExpertAssessment(
            target_kind=kind,
            hall=hall_obj,
            unit=unit_obj,
            unit_path=unit_obj.path,
            target_key=target_key,
            period=first,
            expert=expert,
            scores=clean,
            weights=used,
            total=total,
            note=note,
            assessed_at=now,
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise ApplicationError(
                _("该专家本月已评价过该对象，请修改原评价"), field="period", code="duplicate", status=409
            ) from None
        audit_record(
            actor=actor,
            action="evaluation.assess",
            obj=row,
            changes={
                "target": target_key,
                "period": first.isoformat(),
                "expert": expert.pk,
                "scores": clean,
                "total": str(total),
            },
            unit_path=unit_obj.path,
        )
    return row


def assessment_delete(
    *, actor, assessment: ExpertAssessment | int, expected_version: int | None = None
) -> None:
    require(actor, "evaluation.assess")
    if expected_version is None:  # a deletion names the version it saw: nothing goes unseen
        raise ApplicationError(_("删除时须提供所见的版本号"), field="expected_version", code="required")
    pk = assessment.pk if isinstance(assessment, ExpertAssessment) else assessment
    with transaction.atomic():
        row = ExpertAssessment.objects.select_for_update().filter(pk=pk).first()
        if row is None or not is_visible(actor, row):
            raise ApplicationError(_("专家评价不存在"), field="assessment", code="not_found", status=404)
        if row.version != expected_version:
            raise ConflictError(_("该评价已被他人修改，请刷新后重试"))
        audit_record(
            actor=actor,
            action="evaluation.assessment_delete",
            obj=row,
            changes={"target": row.target_key, "period": row.period.isoformat(), "total": str(row.total)},
            unit_path=row.unit_path,
        )
        row.delete()
