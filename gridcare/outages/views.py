"""Pages: the outage board, one outage (start / restore / cancel), announcing an outage, and
supply reliability.

Views read through ``selectors`` and write only through the services; an ``ApplicationError``
becomes a message on the page (or an error on the form field it names).
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.audit import audit_events_for
from gridcare.core.authz import has_perm, requires
from gridcare.core.charts import bar_chart
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import paginate
from gridcare.core.params import id_param
from gridcare.grid.models import Feeder, TransformerArea
from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit
from gridcare.org.selectors import units_visible_to

from . import overdue, selectors, services
from .choices import TRANSITIONS, OutageStatus
from .forms import LEVEL_LABELS, OutageForm, ReliabilityForm, _BoundedDateTimeField
from .models import Outage, OutageArea
from .reliability import major_event_days, reliability, short_interruption_minutes
from .views_bursts import burst_panel_context

AREA_NAMES_SHOWN = 5
RECENT_RESTORED = 10
CHART_ROWS = 15


def _outage(request, outage_no: str) -> Outage:
    outage = selectors.outage_get(request.user, outage_no)
    if outage is None:
        raise Http404
    return outage


def _attach_area_names(outages) -> None:
    """``area_names`` (the first few) on each outage of a page: one query for the page."""
    outages = list(outages)
    names = defaultdict(list)
    for outage_id, name in (
        OutageArea.objects.filter(outage__in=[o.pk for o in outages])
        .order_by("outage_id", "area__code")
        .values_list("outage_id", "area__name")
    ):
        names[outage_id].append(name)
    for o in outages:
        o.area_names = names[o.pk][:AREA_NAMES_SHOWN]
        o.more_areas = max(0, len(names[o.pk]) - AREA_NAMES_SHOWN)


# ------------------------------------------------------------------------------ board


@requires("outages.view")
def board(request):
    """Active outages (announced and in progress) and the recently restored; ``?status=``
    lists the outages of one status instead."""
    status = request.GET.get("status") or ""
    if status not in OutageStatus.values:
        status = ""
    ctx = {"statuses": OutageStatus.choices, "status": status}
    if status:
        ctx.update(paginate(request, selectors.outages_for(request.user, status=status)))
        _attach_area_names(ctx["page_obj"])
        overdue.attach_restoration_state(ctx["page_obj"])
    else:
        active = list(selectors.outages_for(request.user, active=True)[:200])
        recent = list(
            selectors.outages_for(request.user, status=OutageStatus.RESTORED).order_by("-restored_at", "-id")[
                :RECENT_RESTORED
            ]
        )
        _attach_area_names(active + recent)
        overdue.attach_restoration_state(active + recent)
        ctx.update(
            {
                "active": active,
                "recent": recent,
                "customers_off": sum(o.customers_off for o in active),
            }
        )
    ctx.update(burst_panel_context(request.user))
    return render(request, "outages/board.html", ctx)


# ----------------------------------------------------------------------------- detail


@requires("outages.view")
def detail(request, outage_no):
    outage = _outage(request, outage_no)
    areas = selectors.outage_area_rows(outage)
    manage = has_perm(request.user, "outages.manage")
    allowed = TRANSITIONS[outage.status]
    overdue.attach_restoration_state([outage])
    return render(
        request,
        "outages/outage_detail.html",
        {
            "outage": outage,
            "areas": areas,
            "crew": selectors.outage_crew_times(request.user, outage),
            "warnings": list(overdue.outage_warnings(outage)),
            "events": audit_events_for(outage)[:50],
            "can_start": manage and OutageStatus.IN_PROGRESS in allowed,
            "can_cancel": manage and OutageStatus.CANCELLED in allowed,
            "can_restore": manage and outage.status == OutageStatus.IN_PROGRESS,
            "can_isolate": manage and outage.status in (OutageStatus.IN_PROGRESS, OutageStatus.RESTORED),
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )


def _when(request):
    """The optional time typed on an action form (``at``), or an error naming it."""
    raw = (request.POST.get("at") or "").strip()
    if not raw:
        return None
    try:
        return _BoundedDateTimeField(required=False).clean(raw)
    except ValidationError:
        raise ApplicationError(_("时间格式无效"), field="at", code="invalid") from None


def _act(request, outage_no, run, ok: str):
    outage = _outage(request, outage_no)
    try:
        run(outage, expected_version=id_param(request.POST.get("expected_version")), at=_when(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("outages:detail", outage_no=outage.outage_no)


@requires("outages.manage")
@require_POST
def start(request, outage_no):
    def run(outage, **kw):
        services.outage_start(actor=request.user, outage=outage, **kw)

    return _act(request, outage_no, run, _("已开始停电，停电客户已记录"))


@requires("outages.manage")
@require_POST
def restore(request, outage_no):
    codes = [c for c in request.POST.getlist("area") if c]

    def run(outage, **kw):
        services.outage_restore(actor=request.user, outage=outage, areas=codes or None, **kw)

    return _act(request, outage_no, run, _("已恢复送电"))


@requires("outages.manage")
@require_POST
def isolate(request, outage_no):
    def run(outage, **kw):
        services.outage_isolate(actor=request.user, outage=outage, **kw)

    return _act(request, outage_no, run, _("已记录故障隔离时间"))


@requires("outages.manage")
@require_POST
def cancel(request, outage_no):
    reason = (request.POST.get("reason") or "").strip()[:1000]

    def run(outage, at=None, **kw):
        services.outage_cancel(actor=request.user, outage=outage, reason=reason, **kw)

    return _act(request, outage_no, run, _("已取消停电"))


# -------------------------------------------------------------------------------- new


@requires("outages.manage")
def new(request):
    form = OutageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outage = services.outage_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已发布停电事件 %(no)s") % {"no": outage.outage_no})
            return redirect("outages:detail", outage_no=outage.outage_no)
    return render(request, "outages/outage_new.html", {"form": form})


# ------------------------------------------------------------------------ reliability


def _visible_codes(user, level: str) -> set[str] | None:
    """Codes of the assets of ``level`` the user may see (None: all)."""
    if level == "area":
        qs = TransformerArea.objects.visible_to(user)
    elif level == "feeder":
        qs = Feeder.objects.visible_to(user)
    else:
        qs = units_visible_to(user)
    return set(qs.values_list("code", flat=True))


def _sees_whole_system(user) -> bool:
    """Whether the user sees every company (the whole system the major event days cover)."""
    companies = OrgUnit.objects.filter(kind=UnitKind.COMPANY)
    visible = units_visible_to(user).filter(kind=UnitKind.COMPANY).values("pk")
    return not companies.exclude(pk__in=visible).exists()


@requires("outages.view")
def reliability_page(request):
    """Supply reliability (SAIFI, SAIDI, CAIDI, ASAI, ASAI RS-3) per asset of a level over a
    period; for users who see the whole system, the period's major event days and the company
    figures without them."""
    form = ReliabilityForm(
        request.GET if "start" in request.GET else None, initial=ReliabilityForm.defaults()
    )
    params = form.cleaned_data if form.is_bound and form.is_valid() else ReliabilityForm.defaults()
    threshold = short_interruption_minutes()
    rows = []
    med = None
    company_rows = []
    if not form.is_bound or form.is_valid():
        period = {"start": params["start"], "end": params["end"]}
        now = timezone.now()
        # Major event days are a figure of the whole system: only for who sees all of it.
        if _sees_whole_system(request.user):
            med = major_event_days(threshold_minutes=threshold, now=now, **period)
        visible = _visible_codes(request.user, params["level"])
        rows = [
            r
            for r in reliability(
                level=params["level"], threshold_minutes=threshold, now=now, major_events=med, **period
            )
            if r.code in visible
        ]
        if med is not None:
            company_rows = (
                rows
                if params["level"] == "company"
                else reliability(
                    level="company", threshold_minutes=threshold, now=now, major_events=med, **period
                )
            )
    ranked = sorted((r for r in rows if r.saidi_minutes), key=lambda r: -r.saidi_minutes)[:CHART_ROWS]
    chart = bar_chart(
        [(f"{r.name}", round(r.saidi_minutes, 2)) for r in ranked],
        title=_("户均停电时间 SAIDI（分钟）"),
        value_format="{:g}",
    )
    return render(
        request,
        "outages/reliability.html",
        {
            "form": form,
            "rows": rows,
            "chart": chart,
            "level_label": LEVEL_LABELS[params["level"]],
            "threshold": threshold,
            "med": med,
            "company_rows": company_rows,
        },
    )
