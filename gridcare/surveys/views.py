"""Pages: the campaigns, a new campaign, one campaign (its figures per unit, send and
close), the CSI per unit for a period (page and Excel), and the customers' answer form
reached by the SMS link (public: no sign-in, the token is the authority).

Views read through ``selectors`` and write only through the services; an
``ApplicationError`` becomes a message on the page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gridcare.core.audit import audit_events_for
from gridcare.core.authz import public, requires
from gridcare.core.errors import ApplicationError
from gridcare.core.exporting import write_workbook
from gridcare.core.listing import paginate
from gridcare.core.params import DATE_MIN, date_param, form_date, id_param, int_param
from gridcare.customers.choices import CustomerCategory
from gridcare.org.selectors import units_visible_to

from . import selectors, services
from .choices import ASPECTS, Audience, CampaignStatus
from .models import SAMPLE_MAX, SAMPLE_MIN, SurveySetting

UNIT_CHOICES_MAX = 500
LEVEL_CHOICES = [
    ("station", gettext_lazy("供电所")),
    ("county", gettext_lazy("县公司")),
    ("city", gettext_lazy("市公司")),
]


def _campaign(request, pk):
    campaign = selectors.campaign_get(request.user, id_param(pk))
    if campaign is None:
        raise Http404
    return campaign


def _units(user):
    return units_visible_to(user).order_by("path").only("code", "name", "path")[:UNIT_CHOICES_MAX]


def _rows(per_unit: dict[str, dict]) -> list[dict]:
    names = selectors.unit_names(per_unit)
    return [{"path": p, "name": names.get(p, p), **f} for p, f in per_unit.items()]


def _with_units(answers: list) -> list:
    names = selectors.unit_names({a.invitation.unit_path for a in answers})
    for a in answers:
        a.unit_name = names.get(a.invitation.unit_path, "")
    return answers


# ------------------------------------------------------------------------------- list


@requires("surveys.view")
def campaign_list(request):
    status = request.GET.get("status", "")
    if status not in CampaignStatus.values:
        status = ""
    ctx = paginate(request, selectors.campaigns_for(request.user, status=status))
    ctx.update({"statuses": CampaignStatus.choices, "status": status})
    return render(request, "surveys/list.html", ctx)


# -------------------------------------------------------------------------------- new


@requires("surveys.manage")
def new(request):
    today = timezone.localdate()
    values = {
        "title": "",
        "unit": "",
        "category": "",
        "audience": Audience.ALL,
        "order_days": str(SurveySetting.get(SurveySetting.DEFAULT_ORDER_DAYS)),
        "sample_size": "200",
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=14)).isoformat(),
    }
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        try:
            code = values["unit"][:32]
            unit = units_visible_to(request.user).filter(code=code).first() if code else None
            if unit is None:
                raise ApplicationError(_("请选择调查范围"), field="unit", code="required")
            opens_on = form_date(values["opens_on"], "opens_on")
            closes_on = form_date(values["closes_on"], "closes_on")
            if opens_on is None or closes_on is None:
                raise ApplicationError(_("请填写开始和截止日期"), field="opens_on", code="required")
            campaign = services.campaign_create(
                actor=request.user,
                title=values["title"],
                unit=unit,
                category=values["category"],
                audience=values["audience"],
                order_days=int_param(values["order_days"], 0, 0, 10_000) if values["order_days"] else None,
                sample_size=int_param(values["sample_size"], 0, 0, 1_000_000),
                opens_on=opens_on,
                closes_on=closes_on,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已新建调查，确认后发送"))
            return redirect("surveys:detail", pk=campaign.pk)
    return render(
        request,
        "surveys/new.html",
        {
            "units": _units(request.user),
            "values": values,
            "categories": CustomerCategory.choices,
            "audiences": Audience.choices,
            "sample_min": SAMPLE_MIN,
            "sample_max": SAMPLE_MAX,
            "max_days": SurveySetting.get(SurveySetting.MAX_OPEN_DAYS),
            "today": today.isoformat(),
        },
    )


# ----------------------------------------------------------------------------- detail


@requires("surveys.view")
def detail(request, pk):
    campaign = _campaign(request, pk)
    overall, per_unit = selectors.campaign_csi(request.user, campaign)
    return render(
        request,
        "surveys/detail.html",
        {
            "campaign": campaign,
            "overall": overall,
            "rows": _rows(per_unit),
            "actions": selectors.allowed_actions(request.user, campaign),
            "aspects": selectors.campaign_aspects(request.user, campaign),
            "comments": _with_units(selectors.campaign_comments(request.user, campaign)),
            "events": audit_events_for(campaign)[:50],
            "definition": selectors.CSI_DEFINITION,
        },
    )


def _act(request, pk, run, ok: str):
    campaign = _campaign(request, pk)
    try:
        run(
            actor=request.user,
            campaign=campaign,
            expected_version=id_param(request.POST.get("expected_version")),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("surveys:detail", pk=campaign.pk)


@requires("surveys.manage")
@require_POST
def send(request, pk):
    return _act(request, pk, services.campaign_send, _("调查已发送，短信已排队"))


@requires("surveys.manage")
@require_POST
def close(request, pk):
    return _act(request, pk, services.campaign_close, _("调查已结束"))


# -------------------------------------------------------------------------------- CSI


def _period(request) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    end = date_param(request.GET.get("end"), today, lo=DATE_MIN, hi=today)
    start = date_param(request.GET.get("start"), end - dt.timedelta(days=89), lo=DATE_MIN, hi=end)
    level = request.GET.get("level", "station")
    if level not in dict(LEVEL_CHOICES):
        level = "station"
    return start, end, level


@requires("surveys.view")
def csi(request):
    start, end, level = _period(request)
    return render(
        request,
        "surveys/csi.html",
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "level": level,
            "levels": LEVEL_CHOICES,
            "rows": _rows(selectors.csi_by_unit(request.user, start=start, end=end, level=level)),
            "overall": selectors.csi_overall(request.user, start=start, end=end),
            "definition": selectors.CSI_DEFINITION,
        },
    )


def csi_table(rows: list[dict], overall: dict) -> tuple[list, list]:
    headers = [
        _("单位"),
        _("发送邀请"),
        _("已答复"),
        _("答复率(%)"),
        _("满意度指数"),
        _("95%置信下限"),
        _("95%置信上限"),
    ]
    out = [[r["name"], r["invited"], r["n"], r["response_rate"], r["csi"], r["low"], r["high"]] for r in rows]
    o = overall
    out.append([_("合计"), o["invited"], o["n"], o["response_rate"], o["csi"], o["low"], o["high"]])
    return headers, out


@requires("surveys.view")
def csi_xlsx(request):
    start, end, level = _period(request)
    rows = _rows(selectors.csi_by_unit(request.user, start=start, end=end, level=level))
    headers, body = csi_table(rows, selectors.csi_overall(request.user, start=start, end=end))
    content = write_workbook(None, [(_("客户满意度指数"), headers, body)])
    resp = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="csi-{start.isoformat()}-{end.isoformat()}.xlsx"'
    return resp


# ------------------------------------------------------------------- the answer form


def masked_name(name: str) -> str:
    """张** : the first character, the rest hidden."""
    name = (name or "").strip()
    return name[:1] + "*" * min(max(len(name) - 1, 1), 4) if name else ""


@public
@never_cache
def answer(request, token):
    """The customer's questionnaire (mobile first, no staff header). An unknown link: 404;
    an answered or ended one: 410 — each a friendly page saying only that."""
    try:
        inv = services.invitation_open(token)
    except ApplicationError as exc:
        return render(request, "surveys/answer_gone.html", {"message": exc.message}, status=exc.status)
    values = {"overall": "", "comment": "", **{k: "" for k in ASPECTS}}
    error = ""
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        try:
            services.answer_record(token=token, **values)
        except ApplicationError as exc:
            if exc.status in (404, 410):
                return render(
                    request, "surveys/answer_gone.html", {"message": exc.message}, status=exc.status
                )
            error = exc.message
        else:
            return render(request, "surveys/answer_thanks.html")
    return render(
        request,
        "surveys/answer.html",
        {
            "name": masked_name(inv.customer.name),
            "closes_on": inv.campaign.closes_on,
            "aspects": [(k, label, values[k]) for k, label in ASPECTS.items()],
            "values": values,
            "error": error,
            "scores": [5, 4, 3, 2, 1],
        },
    )
