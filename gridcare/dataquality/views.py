"""Pages of data quality: the dashboard (open findings per check and station, the trend by
run, "run now"), the worklist (filtered, paginated, bulk assign) and one finding with its
actions. Reads through ``selectors``, writes only through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.audit import audit_events_for
from gridcare.core.authz import can, has_perm, requires
from gridcare.core.charts import line_chart
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import paginate
from gridcare.core.params import id_list_param, id_param

from . import selectors, services
from .choices import TRANSITIONS, FindingStatus, RunTrigger
from .forms import FindingFilterForm


def _finding(request, pk):
    finding = selectors.finding_get(request.user, pk)
    if finding is None:
        raise Http404
    return finding


def _assignee(request, name: str = "assignee"):
    """The user picked in an assign form (the service checks they may take the finding)."""
    pk = id_param(request.POST.get(name))
    return get_user_model().objects.filter(pk=pk).first() if pk is not None else None


@requires("dataquality.view")
def dashboard(request):
    data = selectors.dashboard(request.user)
    chart = ""
    if len(data["trend"]) > 1:
        labels = [timezone.localtime(t["run"].started_at).strftime("%m-%d %H:%M") for t in data["trend"]]
        series = [
            (str(label), [t["counts"][i] for t in data["trend"]])
            for i, (_c, label) in enumerate(data["checks"])
        ]
        chart = line_chart(labels, series, fluid=True)
    return render(
        request,
        "dataquality/dashboard.html",
        {**data, "chart": chart, "can_run": has_perm(request.user, "dataquality.run")},
    )


@requires("dataquality.run")
@require_POST
def run_now(request):
    try:
        run = services.data_quality_run(actor=request.user, trigger=RunTrigger.MANUAL)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        c = run.counts
        messages.success(
            request,
            _("检查完成：发现 %(found)s 个问题，新增 %(new)s 个，自动关闭 %(closed)s 个")
            % {
                "found": sum(v["found"] for v in c.values()),
                "new": sum(v["new"] for v in c.values()),
                "closed": sum(v["closed"] for v in c.values()),
            },
        )
    return redirect("dataquality:dashboard")


@requires("dataquality.view")
def findings(request):
    form = FindingFilterForm(request.GET or None, user=request.user)
    page = paginate(request, selectors.findings_for(request.user, **form.filters()))
    selectors.attach_text(page["page_obj"])
    can_assign = has_perm(request.user, "dataquality.assign")
    return render(
        request,
        "dataquality/findings.html",
        {
            **page,
            "form": form,
            "can_assign": can_assign,
            "candidates": list(selectors.assignee_candidates(request.user)[:200]) if can_assign else [],
            "next": request.get_full_path(),
        },
    )


def _back(request, default: str):
    nxt = request.POST.get("next") or ""
    if nxt.startswith("/data-quality/") and "//" not in nxt:
        return redirect(nxt)
    return redirect(default)


@requires("dataquality.assign")
@require_POST
def bulk_assign(request):
    ids = id_list_param(request.POST.getlist("id"))
    assignee = _assignee(request)
    if not ids:
        messages.error(request, _("请先勾选问题"))
        return _back(request, "dataquality:findings")
    try:
        result = services.findings_assign_bulk(actor=request.user, ids=ids, assignee=assignee)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已分派 %(assigned)s 条，跳过 %(skipped)s 条") % result)
    return _back(request, "dataquality:findings")


@requires("dataquality.view")
def finding(request, pk):
    f = _finding(request, pk)
    selectors.attach_text([f])
    allowed = TRANSITIONS[f.status]
    can_assign = can(request.user, "dataquality.assign", f) and FindingStatus.ASSIGNED in allowed
    can_work = can(request.user, "dataquality.work", f)
    return render(
        request,
        "dataquality/finding_detail.html",
        {
            "finding": f,
            "can_assign": can_assign,
            "can_resolve": can_work and FindingStatus.RESOLVED in allowed,
            "can_dismiss": can_work and FindingStatus.DISMISSED in allowed,
            "candidates": list(selectors.assignee_candidates(request.user)[:200]) if can_assign else [],
            "events": audit_events_for(f)[:30],
            "rectification": selectors.rectification_of(request.user, f),
        },
    )


@requires("dataquality.rectify")
@require_POST
def rectify(request, pk):
    f = _finding(request, pk)
    try:
        item = services.finding_rectify(actor=request.user, finding=f)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记整改事项 %(no)s") % {"no": item.number})
    return redirect("dataquality:finding", pk=f.pk)


def _act(request, pk, run, ok: str):
    f = _finding(request, pk)
    try:
        run(f, id_param(request.POST.get("expected_version")))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("dataquality:finding", pk=f.pk)


@requires("dataquality.assign")
@require_POST
def assign(request, pk):
    def run(f, version):
        services.finding_assign(
            actor=request.user, finding=f, assignee=_assignee(request), expected_version=version
        )

    return _act(request, pk, run, _("已分派"))


@requires("dataquality.work")
@require_POST
def resolve(request, pk):
    def run(f, version):
        services.finding_resolve(
            actor=request.user, finding=f, note=request.POST.get("note", "")[:2000], expected_version=version
        )

    return _act(request, pk, run, _("已标记为解决"))


@requires("dataquality.work")
@require_POST
def dismiss(request, pk):
    def run(f, version):
        services.finding_dismiss(
            actor=request.user, finding=f, note=request.POST.get("note", "")[:2000], expected_version=version
        )

    return _act(request, pk, run, _("已忽略"))
