"""Pages of proactive care: the care lists, campaigns (new, one campaign with its customers
and actions) and the potential-demand records. Reads through ``selectors``, writes only
through ``services``; an ``ApplicationError`` becomes a message or a form error."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.audit import audit_events_for
from gridcare.core.authz import can, has_perm, requires
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import paginate
from gridcare.core.params import id_param

from . import selectors, services
from .choices import CAMPAIGN_TRANSITIONS, CampaignKind, CampaignStatus, CareList, DemandStatus, TargetStatus
from .forms import CampaignForm, CareListForm, DemandForm, TaskOutcomeForm
from .rules import care_rules, rotation_cutoff


def _campaign(request, pk):
    campaign = selectors.campaign_get(request.user, pk)
    if campaign is None:
        raise Http404
    return campaign


def _demand(request, pk):
    demand = selectors.demand_get(request.user, pk)
    if demand is None:
        raise Http404
    return demand


# ------------------------------------------------------------------------------ lists


@requires("proactive.view")
def lists(request):
    """A care list (meters due for rotation, old boxes, or both), by station or area."""
    form = CareListForm(request.GET or None, user=request.user)
    filters = {"care_list": CareList.ANY, "station": None, "area": None}
    if form.is_bound and form.is_valid():
        filters.update(form.cleaned_data)
    rules = care_rules()
    today = timezone.localdate()
    qs = selectors.care_list_meters(request.user, rules=rules, today=today, **filters)
    page = paginate(request, qs)
    cutoff = rotation_cutoff(rules, today)
    for m in page["page_obj"]:
        m.due = m.installed_on <= cutoff
        m.old_box = m.box_condition in rules.old_boxes
    ctx = {
        **page,
        "form": form,
        "rules": rules,
        "cutoff": cutoff,
        "counts": selectors.care_list_counts(request.user, rules=rules, today=today),
        "filters": filters,
        "can_campaign": has_perm(request.user, "proactive.manage_campaigns"),
    }
    if ctx["can_campaign"]:
        initial = {
            "care_list": filters["care_list"],
            "station": filters["station"].code if filters["station"] else "",
            "area": filters["area"].code if filters["area"] else "",
            "kind": CampaignKind.NOTICE,
        }
        ctx["campaign_form"] = CampaignForm(initial=initial, user=request.user)
    return render(request, "proactive/lists.html", ctx)


# -------------------------------------------------------------------------- campaigns


@requires("proactive.view")
def campaigns(request):
    status = request.GET.get("status") or ""
    if status not in CampaignStatus.values:
        status = ""
    page = paginate(request, selectors.campaigns_for(request.user, status=status))
    selectors.attach_progress(page["page_obj"])
    return render(
        request,
        "proactive/campaigns.html",
        {**page, "status": status, "statuses": CampaignStatus.choices},
    )


@requires("proactive.manage_campaigns")
def campaign_new(request):
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("已发起活动，清单已冻结：%(n)s 户。核对后请点击“启动”") % {"n": campaign.total}
            )
            return redirect("proactive:campaign", pk=campaign.pk)
    return render(request, "proactive/campaign_new.html", {"form": form})


@requires("proactive.view")
def campaign(request, pk):
    c = _campaign(request, pk)
    status = request.GET.get("status") or ""
    if status not in TargetStatus.values:
        status = ""
    page = paginate(request, selectors.campaign_targets(request.user, c, status=status))
    manage = can(request.user, "proactive.manage_campaigns", c)
    allowed = CAMPAIGN_TRANSITIONS[c.status]
    return render(
        request,
        "proactive/campaign_detail.html",
        {
            **page,
            "campaign": c,
            "status": status,
            "statuses": TargetStatus.choices,
            "progress": selectors.campaign_progress(c),
            "can_launch": manage and CampaignStatus.ACTIVE in allowed,
            "can_close": manage and c.status == CampaignStatus.ACTIVE,
            "can_cancel": manage and CampaignStatus.CANCELLED in allowed,
            "can_record": c.kind == CampaignKind.FIELD_TASK
            and c.status == CampaignStatus.ACTIVE
            and has_perm(request.user, "proactive.record_task"),
            "outcomes": TaskOutcomeForm.base_fields["outcome"].choices,
            "events": audit_events_for(c)[:30],
        },
    )


def _act(request, pk, run, ok: str):
    c = _campaign(request, pk)
    try:
        run(c, id_param(request.POST.get("expected_version")))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("proactive:campaign", pk=c.pk)


@requires("proactive.manage_campaigns")
@require_POST
def campaign_launch(request, pk):
    def run(c, version):
        services.campaign_launch(actor=request.user, campaign=c, expected_version=version)

    return _act(request, pk, run, _("活动已启动"))


@requires("proactive.manage_campaigns")
@require_POST
def campaign_close(request, pk):
    def run(c, version):
        services.campaign_close(actor=request.user, campaign=c, expected_version=version)

    return _act(request, pk, run, _("活动已结束"))


@requires("proactive.manage_campaigns")
@require_POST
def campaign_cancel(request, pk):
    reason = (request.POST.get("reason") or "").strip()[:1000]

    def run(c, version):
        services.campaign_cancel(actor=request.user, campaign=c, reason=reason, expected_version=version)

    return _act(request, pk, run, _("活动已取消"))


@requires("proactive.record_task")
@require_POST
def campaign_record(request, pk):
    c = _campaign(request, pk)
    form = TaskOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理结果"))
        return redirect("proactive:campaign", pk=c.pk)
    target = selectors.campaign_target_get(request.user, c, form.cleaned_data["customer_no"])
    if target is None:
        raise Http404
    try:
        services.campaign_target_record(
            actor=request.user,
            target=target,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记"))
    return redirect("proactive:campaign", pk=c.pk)


# --------------------------------------------------------------------- potential demand


@requires("proactive.view_demand")
def demands(request):
    status = request.GET.get("status") or ""
    if status not in DemandStatus.values:
        status = ""
    page = paginate(request, selectors.demands_for(request.user, status=status))
    return render(
        request,
        "proactive/demands.html",
        {
            **page,
            "status": status,
            "statuses": DemandStatus.choices,
            "can_manage": has_perm(request.user, "proactive.manage_demand"),
        },
    )


@requires("proactive.manage_demand")
def demand_new(request):
    form = DemandForm(request.POST or None, user=request.user, initial={"status": DemandStatus.EXPECTED})
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.demand_create(actor=request.user, data=form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已登记潜在用电需求"))
            return redirect("proactive:demand", pk=demand.pk)
    return render(request, "proactive/demand_form.html", {"form": form, "demand": None})


@requires("proactive.view_demand")
def demand(request, pk):
    d = _demand(request, pk)
    return render(
        request,
        "proactive/demand_detail.html",
        {
            "demand": d,
            "can_manage": can(request.user, "proactive.manage_demand", d),
            "events": audit_events_for(d)[:30],
        },
    )


@requires("proactive.manage_demand")
def demand_edit(request, pk):
    d = _demand(request, pk)
    initial = {
        "title": d.title,
        "source": d.source,
        "source_detail": d.source_detail,
        "station": d.station.code,
        "area": d.area.code if d.area_id else "",
        "location": d.location,
        "expected_kw": d.expected_kw,
        "expected_date": d.expected_date,
        "status": d.status,
        "note": d.note,
    }
    form = DemandForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.demand_update(
                actor=request.user,
                demand=d,
                data=form.cleaned_data,
                expected_version=id_param(request.POST.get("expected_version")),
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("proactive:demand", pk=d.pk)
    return render(request, "proactive/demand_form.html", {"form": form, "demand": d})


@requires("proactive.manage_demand")
@require_POST
def demand_delete(request, pk):
    d = _demand(request, pk)
    try:
        services.demand_delete(
            actor=request.user, demand=d, expected_version=id_param(request.POST.get("expected_version"))
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("proactive:demand", pk=d.pk)
    messages.success(request, _("已删除"))
    return redirect("proactive:demands")
