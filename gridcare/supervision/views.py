"""Pages: social supervisors heard (plans, points, rewards), staff conduct (行为规范) with its
assessment figures and Excel, recurring failure causes and their improvement actions.

Views read through selectors and write only through services; an ``ApplicationError``
becomes a message on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.authz import has_perm, requires
from gridcare.core.errors import ApplicationError
from gridcare.core.exporting import write_workbook
from gridcare.core.listing import paginate
from gridcare.core.params import id_param
from gridcare.escalation import selectors as esc_selectors
from gridcare.org.models import OrgUnit
from gridcare.org.selectors import staff_for, units_visible_to

from . import selectors, services
from .choices import PeriodKind, PointStatus, RewardKind, ViolationSource
from .models import ConductNorm
from .periods import Period, parse_period, period_of

STAFF_CHOICES_MAX = 500


def _try(request, fn, ok: str):
    try:
        result = fn()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, ok)
    return result if result is not None else True


def _unit(request, code: str, field: str = "unit") -> OrgUnit:
    unit = units_visible_to(request.user).filter(code=code or "").first()
    if unit is None:
        raise ApplicationError(_("请选择单位"), field=field)
    return unit


def period_param(kind_raw: str | None, key_raw: str | None, *, today=None) -> Period:
    """The month or quarter asked for (``period=month|quarter``, ``at=2026-03|2026Q1``),
    the current one when missing or out of range (2000 to next year)."""
    today = today or timezone.localdate()
    kind = kind_raw if kind_raw in PeriodKind.values else PeriodKind.MONTH
    period = parse_period(kind, (key_raw or "").strip()) if key_raw else None
    if period is None or not 2000 <= period.start.year <= today.year:
        period = period_of(kind, today)
    return period


# ------------------------------------------------------------- supervisors heard


@requires("supervision.view")
def points(request):
    """监督意见: consultation plans and when each is due, open points with their age, every
    point (filter by status), rewards waiting for a decision and decided."""
    status = request.GET.get("status", "")
    if status not in PointStatus.values:
        status = ""
    ctx = paginate(request, selectors.points_for(request.user, status=status))
    rewards = list(selectors.rewards_for(request.user)[:50])
    for r in rewards:
        r.verbs = services.reward_verbs(request.user, r)
    can_record = has_perm(request.user, "supervision.record")
    ctx.update(
        {
            "status": status,
            "statuses": PointStatus.choices,
            "plans": selectors.plan_rows(request.user),
            "open_points": selectors.open_points(request.user)[:50],
            "rewards": rewards,
            "reward_kinds": RewardKind.choices,
            "can_record": can_record,
            "supervisors": list(esc_selectors.supervisors_for(request.user).filter(active=True)[:500])
            if can_record
            else [],
            "units": list(units_visible_to(request.user).order_by("path")[:500]) if can_record else [],
            "consultations": list(esc_selectors.consultations_for(request.user)[:20]) if can_record else [],
            "today": timezone.localdate(),
        }
    )
    return render(request, "supervision/points.html", ctx)


@requires("supervision.view")
def point_detail(request, pk):
    point = _point(request, pk)
    return render(
        request,
        "supervision/point.html",
        {
            "point": point,
            "rewards": list(point.rewards.all()),
            "reward_kinds": RewardKind.choices,
            "can_record": has_perm(request.user, "supervision.record"),
            "can_rectify": point.rectification_id is None
            and has_perm(request.user, "supervision.record")
            and has_perm(request.user, "rectification.open"),
        },
    )


@requires("supervision.record")
@require_POST
def plan_save(request):
    def run():
        services.consultation_plan_save(
            actor=request.user,
            unit=_unit(request, request.POST.get("unit", "")),
            every_months=request.POST.get("every_months", "3"),
            reminder_days=request.POST.get("reminder_days", "7"),
            first_due_on=request.POST.get("first_due_on") or None,
            active=request.POST.get("active", "1") == "1",
            expected_version=id_param(request.POST.get("version")),
        )

    _try(request, run, _("已保存座谈计划"))
    return redirect("supervision:points")


@requires("supervision.record")
@require_POST
def point_raise(request):
    def run():
        code = request.POST.get("unit", "")
        return services.point_raise(
            actor=request.user,
            supervisor=id_param(request.POST.get("supervisor")) or 0,
            text=request.POST.get("text", ""),
            raised_on=request.POST.get("raised_on") or None,
            unit=_unit(request, code) if code else None,
            consultation=esc_selectors.consultations_for(request.user)
            .filter(pk=id_param(request.POST.get("consultation")) or 0)
            .first(),
        )

    point = _try(request, run, _("已登记监督意见"))
    if point:
        return redirect("supervision:point", pk=point.pk)
    return redirect("supervision:points")


def _point(request, pk):
    point = selectors.points_for(request.user).filter(pk=id_param(pk) or 0).first()
    if point is None:
        raise Http404
    return point


@requires("supervision.record")
@require_POST
def point_answer(request, pk):
    point = _point(request, pk)
    _try(
        request,
        lambda: services.point_answer(
            actor=request.user,
            point=point,
            answer=request.POST.get("answer", ""),
            expected_version=id_param(request.POST.get("version")),
        ),
        _("已答复"),
    )
    return redirect("supervision:point", pk=point.pk)


@requires("supervision.record")
@require_POST
def point_rectify(request, pk):
    point = _point(request, pk)
    _try(request, lambda: services.point_rectify(actor=request.user, point=point), _("已登记整改事项"))
    return redirect("supervision:point", pk=point.pk)


@requires("supervision.record")
@require_POST
def reward_propose(request):
    def run():
        point = None
        point_id = id_param(request.POST.get("point"))
        if point_id is not None:
            point = _point(request, point_id)
        services.reward_propose(
            actor=request.user,
            supervisor=id_param(request.POST.get("supervisor")) or (point.supervisor_id if point else 0),
            kind=request.POST.get("kind", ""),
            amount=request.POST.get("amount") or 0,
            reason=request.POST.get("reason", ""),
            point=point,
        )

    _try(request, run, _("已提出奖励，待审批"))
    return redirect("supervision:points")


@requires("supervision.approve_reward")
@require_POST
def reward_decide(request, pk, verb):
    reward = selectors.rewards_for(request.user).filter(pk=id_param(pk) or 0).first()
    if reward is None or verb not in ("approve", "reject"):
        raise Http404
    _try(
        request,
        lambda: services.reward_decide(
            actor=request.user,
            reward=reward,
            approve=verb == "approve",
            note=request.POST.get("note", ""),
            expected_version=id_param(request.POST.get("version")),
        ),
        _("已批准") if verb == "approve" else _("已驳回"),
    )
    return redirect("supervision:points")


# ------------------------------------------------------------------------- conduct


def conduct_rows(data: dict) -> list[tuple[str, list, list]]:
    """The assessment figures as workbook sheets: per unit, per person."""
    units = [(r["unit_name"], r["unit"], r["violations"], r["points"]) for r in data["units"]]
    units.append((_("合计"), "", data["total"]["violations"], data["total"]["points"]))
    people = [(r["name"], r["unit_name"], r["violations"], r["points"]) for r in data["people"]]
    return [
        (_("单位考核"), [_("单位"), _("编码"), _("违规次数"), _("扣分")], units),
        (_("个人考核"), [_("员工"), _("单位"), _("违规次数"), _("扣分")], people),
    ]


@requires("supervision.view_conduct")
def conduct(request):
    """行为规范: the assessment of a month or quarter per unit and per person (Excel with
    ``format=xlsx``), the violations recorded, and the form to record one."""
    period = period_param(request.GET.get("period"), request.GET.get("at"))
    data = selectors.conduct_figures(request.user, period=period)
    if request.GET.get("format") == "xlsx":
        resp = HttpResponse(
            write_workbook(None, conduct_rows(data)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        resp["Content-Disposition"] = f'attachment; filename="conduct-{period.key}.xlsx"'
        return resp
    can_record = has_perm(request.user, "supervision.record_conduct")
    ctx = paginate(request, selectors.violations_for(request.user))
    ctx.update(
        {
            "d": data,
            "period": period,
            "prev": period.shift(-1),
            "next": period.shift(1) if period.shift(1).start <= timezone.localdate() else None,
            "kinds": PeriodKind.choices,
            "can_record": can_record,
            "norms": list(ConductNorm.objects.filter(active=True)) if can_record else [],
            "sources": ViolationSource.choices,
            "staff_choices": list(
                staff_for(request.user).order_by("unit__path", "display_name")[:STAFF_CHOICES_MAX]
            )
            if can_record
            else [],
            "today": timezone.localdate(),
        }
    )
    return render(request, "supervision/conduct.html", ctx)


@requires("supervision.record_conduct")
@require_POST
def violation_record(request):
    def run():
        staff = staff_for(request.user).filter(user_id=id_param(request.POST.get("staff"))).first()
        if staff is None:
            raise ApplicationError(_("请选择员工"), field="staff")
        services.violation_record(
            actor=request.user,
            staff=staff.user,
            norm=id_param(request.POST.get("norm")) or 0,
            source=request.POST.get("source", ""),
            source_ref=request.POST.get("source_ref", ""),
            found_on=request.POST.get("found_on", ""),
            detail=request.POST.get("detail", ""),
            points=request.POST.get("points") or None,
        )

    _try(request, run, _("已登记违规"))
    return redirect("supervision:conduct")


@requires("supervision.record_conduct")
@require_POST
def violation_withdraw(request, pk):
    v = selectors.violations_for(request.user).filter(pk=id_param(pk) or 0).first()
    if v is None:
        raise Http404
    _try(
        request,
        lambda: services.violation_withdraw(
            actor=request.user,
            violation=v,
            reason=request.POST.get("reason", ""),
            expected_version=id_param(request.POST.get("version")),
        ),
        _("已撤销"),
    )
    return redirect("supervision:conduct")


# ------------------------------------------------------------ recurring failure causes


@requires("supervision.view")
def causes(request):
    """失误原因整改: per responsible unit × cause, this period's failures against the previous
    period's, flagged at the threshold; the improvement item opened for a flagged row and
    the next period's count that verifies it."""
    period = period_param(request.GET.get("period"), request.GET.get("at"))
    if not request.GET.get("at"):  # causes are judged on the last complete month or quarter
        period = period.shift(-1)
    data = selectors.recurring_causes(request.user, period=period)
    today = timezone.localdate()
    return render(
        request,
        "supervision/causes.html",
        {
            "d": data,
            "period": period,
            "kinds": PeriodKind.choices,
            "next_shown": data["next"].start <= today,
            "can_open": has_perm(request.user, "supervision.record")
            and has_perm(request.user, "rectification.open"),
        },
    )


@requires("supervision.record")
@require_POST
def cause_open(request):
    period = period_param(request.POST.get("period"), request.POST.get("at"))

    def run():
        return services.improvement_open(
            actor=request.user,
            unit=_unit(request, request.POST.get("unit", "")),
            cause=request.POST.get("cause", ""),
            period=period,
        )

    _try(request, run, _("已登记整改事项"))
    return redirect(f"{reverse('supervision:causes')}?period={period.kind}&at={period.key}")
