"""Pages: the scorecard (tabs hall | unit | staff, period picker, Excel), the internal
evaluation's bottlenecks, the expert assessments (list, record, change, delete) and the
experts (appoint, end an appointment).

Views read through ``selectors`` and write only through the services; an
``ApplicationError`` becomes a message on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.authz import has_perm, requires
from gridcare.core.charts import Line, line_chart
from gridcare.core.errors import ApplicationError
from gridcare.core.exporting import write_workbook
from gridcare.core.listing import paginate
from gridcare.core.params import form_date, id_param
from gridcare.escalation.selectors import SATISFACTION_DEFINITION
from gridcare.hall.selectors import halls_for
from gridcare.org.choices import Role
from gridcare.org.selectors import staff_for, units_visible_to

from . import selectors, services
from .choices import Level
from .scoring import Period, parse_period, period_of

HALL_CHOICES_MAX = 300
STAFF_CHOICES_MAX = 500


def _period(request) -> Period:
    return parse_period(request.GET.get("period")) or selectors.default_period()


def _level(request) -> str:
    level = request.GET.get("level", Level.HALL)
    return level if level in Level.values else Level.HALL


def _period_choices(current: Period) -> list[str]:
    """The last eight quarters and the last twelve months, newest first."""
    today = timezone.localdate()
    q, m = period_of(today, quarter=True), period_of(today, quarter=False)
    labels = [
        q.label,
        *[p.label for p in q.previous_n(7)[::-1]],
        m.label,
        *[p.label for p in m.previous_n(11)[::-1]],
    ]
    if current.label not in labels:
        labels.insert(0, current.label)
    return labels


# ---------------------------------------------------------------------------- scorecard


@requires("evaluation.view")
def scorecard(request):
    period, level = _period(request), _level(request)
    data = selectors.scorecard(request.user, level=level, period=period)
    series = data["series"]
    chart = line_chart(
        data["series_periods"],
        [
            Line(_("综合得分"), series["score"]),
            Line(_("客户评价"), series["customer"], dashed=True),
            Line(_("专家评价"), series["expert"], dashed=True),
            Line(_("内部评价"), series["internal"], dashed=True),
        ],
        fluid=True,
    )
    return render(
        request,
        "evaluation/scorecard.html",
        {
            "data": data,
            "chart": chart,
            "level": level,
            "levels": Level.choices,
            "period": period,
            "periods": _period_choices(period),
            "satisfaction_definition": SATISFACTION_DEFINITION,
        },
    )


def scorecard_rows(data: dict) -> tuple[list, list]:
    """The scorecard as a table: one function for Excel (headers, rows)."""
    headers = [
        _("对象"),
        _("所属单位"),
        _("综合得分"),
        _("客户评价"),
        _("客户评价数据量"),
        _("专家评价"),
        _("专家评价数据量"),
        _("内部评价"),
        _("内部评价数据量"),
        _("缺项折算"),
        *[_("综合得分 %(period)s") % {"period": p} for p in data["trend_periods"]],
    ]
    rows = [
        [
            r["label"],
            r["unit_name"],
            r["score"],
            r["customer"],
            r["customer_n"],
            r["expert"],
            r["expert_n"],
            r["internal"],
            r["internal_n"],
            _("是") if r["renormalised"] else "",
            *[t["score"] for t in r["trend"]],
        ]
        for r in data["rows"]
    ]
    return headers, rows


@requires("evaluation.view")
def scorecard_xlsx(request):
    period, level = _period(request), _level(request)
    data = selectors.scorecard(request.user, level=level, period=period)
    headers, rows = scorecard_rows(data)
    content = write_workbook(None, [(_("三方评价记分卡"), headers, rows)])
    resp = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="evaluation-{level}-{period.label}.xlsx"'
    return resp


@requires("evaluation.view")
def internal(request):
    period = _period(request)
    return render(
        request,
        "evaluation/internal.html",
        {
            "data": selectors.bottlenecks(request.user, period=period),
            "period": period,
            "periods": _period_choices(period),
        },
    )


# -------------------------------------------------------------------------- assessments


@requires("evaluation.view")
def assessments(request):
    raw = request.GET.get("period", "")
    period = parse_period(raw) if raw else None
    ctx = paginate(request, selectors.assessments_for(request.user, period=period))
    ctx.update(
        {
            "period": period,
            "periods": _period_choices(period or selectors.default_period()),
            "can_assess": has_perm(request.user, "evaluation.assess"),
        }
    )
    return render(request, "evaluation/assessments.html", ctx)


def _scores(request, items) -> dict:
    return {i.code: (request.POST.get(f"score_{i.code}") or "").strip() for i in items}


def _form_context(request, items, values, scores, assessment=None) -> dict:
    return {
        "items": [{"item": i, "value": scores.get(i.code, "")} for i in items],
        "values": values,
        "assessment": assessment,
        "hall_targets": [
            (f"hall:{h.pk}", h.name) for h in halls_for(request.user).filter(active=True)[:HALL_CHOICES_MAX]
        ],
        "unit_targets": [
            (f"unit:{u.pk}", u.name) for u in selectors.units_assessable(request.user)[:HALL_CHOICES_MAX]
        ],
        "experts": selectors.experts_choosable(request.user),
    }


@requires("evaluation.assess")
def assessment_new(request):
    items = selectors.checklist()
    today = timezone.localdate()
    values = {"target": "", "period": today.strftime("%Y-%m"), "expert": str(request.user.pk), "note": ""}
    scores: dict = {}
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        scores = _scores(request, items)
        try:
            kind, _sep, pk = values["target"].partition(":")
            if kind not in ("hall", "unit") or id_param(pk) is None:
                raise ApplicationError(_("请选择评价对象（营业厅或单位）"), field="target", code="required")
            period = parse_period(values["period"])
            if period is None or period.is_quarter:
                raise ApplicationError(_("评价月份格式应为 YYYY-MM"), field="period", code="invalid")
            row = services.assessment_save(
                actor=request.user,
                scores=scores,
                period=period.start,
                hall=id_param(pk) if kind == "hall" else None,
                unit=id_param(pk) if kind == "unit" else None,
                expert=id_param(values["expert"]) or request.user,
                note=values["note"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记专家评价，总分 %(total)s") % {"total": row.total})
            return redirect("evaluation:assessments")
    ctx = _form_context(request, items, values, scores)
    return render(request, "evaluation/assessment_form.html", ctx)


def _assessment(request, pk):
    row = selectors.assessment_get(request.user, id_param(pk))
    if row is None:
        raise Http404
    return row


@requires("evaluation.assess")
def assessment_edit(request, pk):
    row = _assessment(request, pk)
    items = selectors.checklist()
    values = {"note": row.note, "expected_version": str(row.version)}
    scores = {k: str(v) for k, v in row.scores.items()}
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        scores = _scores(request, items)
        try:
            row = services.assessment_save(
                actor=request.user,
                assessment=row,
                scores=scores,
                note=values["note"],
                expected_version=id_param(values["expected_version"]),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已修改专家评价，总分 %(total)s") % {"total": row.total})
            return redirect("evaluation:assessments")
    ctx = _form_context(request, items, values, scores, assessment=row)
    return render(request, "evaluation/assessment_form.html", ctx)


@requires("evaluation.assess")
@require_POST
def assessment_delete(request, pk):
    row = _assessment(request, pk)
    try:
        services.assessment_delete(
            actor=request.user,
            assessment=row,
            expected_version=id_param(request.POST.get("expected_version")),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除专家评价"))
    return redirect("evaluation:assessments")


# ------------------------------------------------------------------------------ experts


@requires("evaluation.manage")
def experts(request):
    values = {
        "user": "",
        "unit": "",
        "valid_from": timezone.localdate().isoformat(),
        "valid_to": "",
        "note": "",
    }
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        try:
            unit = units_visible_to(request.user).filter(code=values["unit"][:32]).first()
            if unit is None:
                raise ApplicationError(_("请选择评价范围"), field="unit", code="required")
            user_pk = id_param(values["user"])
            staff = staff_for(request.user).filter(user_id=user_pk).first() if user_pk else None
            if staff is None:
                raise ApplicationError(_("请选择专家"), field="user", code="required")
            valid_from = form_date(values["valid_from"], "valid_from")
            if valid_from is None:
                raise ApplicationError(_("请填写聘任开始日期"), field="valid_from", code="required")
            services.expert_appoint(
                actor=request.user,
                user=staff.user,
                unit=unit,
                valid_from=valid_from,
                valid_to=form_date(values["valid_to"], "valid_to"),
                note=values["note"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已聘任评价专家"))
            return redirect("evaluation:experts")
    today = timezone.localdate()
    rows = list(selectors.appointments_for(request.user).order_by("-valid_from", "-id")[:STAFF_CHOICES_MAX])
    for a in rows:
        a.current = services.appointment_covers(a, a.unit_path, today)
    return render(
        request,
        "evaluation/experts.html",
        {
            "appointments": rows,
            "values": values,
            "staff_choices": staff_for(request.user)
            .exclude(role=Role.REPAIR_CREW)
            .order_by("unit__path", "display_name")[:STAFF_CHOICES_MAX],
            "units": units_visible_to(request.user)
            .order_by("path")
            .only("code", "name", "path")[:HALL_CHOICES_MAX],
        },
    )


@requires("evaluation.manage")
@require_POST
def expert_end(request, pk):
    a = selectors.appointment_get(request.user, id_param(pk))
    if a is None:
        raise Http404
    try:
        services.expert_appointment_end(
            actor=request.user, appointment=a, expected_version=id_param(request.POST.get("expected_version"))
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已结束聘任"))
    return redirect("evaluation:experts")
