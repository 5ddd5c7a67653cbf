"""Pages: inspections recorded (filters, quarter figures), one inspection with its results,
files and the rectification items its failed items opened, recording an inspection, the
quarter rule (sites × the last four quarters, the missing ones marked; Excel), and the
published results every member of staff may read.

Views read through ``selectors`` and write only through the services; an
``ApplicationError`` becomes a message on the page with the form kept."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.authz import requires
from gridcare.core.calendar import local_tz
from gridcare.core.errors import ApplicationError
from gridcare.core.exporting import write_workbook
from gridcare.core.listing import paginate
from gridcare.core.params import id_param
from gridcare.core.uploads import RECORDING_MAX_BYTES, read_upload, serve_document

from . import selectors, services
from .choices import KINDS_FOR_SITE, InspectionKind, InspectionStatus, SiteKind
from .models import Checklist

NEW_FILES = 5


def _quarter(request, key: str = "quarter") -> selectors.Quarter:
    return selectors.Quarter.parse(request.GET.get(key, "")) or selectors.current_quarter()


def _inspection(request, pk):
    inspection = selectors.inspection_get(request.user, id_param(pk))
    if inspection is None:
        raise Http404
    return inspection


def _choice(value: str, choices) -> str:
    return value if value in choices else ""


@requires("inspections.view")
def inspection_list(request):
    """Inspections recorded in a quarter (default: this one), by site kind, inspection
    kind, status and verdict, with the quarter's figures."""
    quarter = _quarter(request)
    site_kind = _choice(request.GET.get("site_kind", ""), SiteKind.values)
    kind = _choice(request.GET.get("kind", ""), InspectionKind.values)
    status = _choice(request.GET.get("status", ""), InspectionStatus.values)
    verdict = request.GET.get("passed", "")
    passed = {"1": True, "0": False}.get(verdict)
    qs = selectors.inspections_for(
        request.user, site_kind=site_kind, kind=kind, status=status, passed=passed, quarter=quarter
    )
    ctx = paginate(request, qs)
    ctx.update(
        {
            "quarter": quarter,
            "quarters": selectors.last_quarters(8),
            "site_kinds": SiteKind.choices,
            "kinds": InspectionKind.choices,
            "statuses": InspectionStatus.choices,
            "site_kind": site_kind,
            "kind": kind,
            "status": status,
            "verdict": verdict if passed is not None else "",
            "figures": selectors.quarter_figures(request.user, quarter),
        }
    )
    return render(request, "inspections/list.html", ctx)


@requires("inspections.view")
def detail(request, pk):
    inspection = _inspection(request, pk)
    results = selectors.inspection_results(inspection)
    items = selectors.rectification_items(request.user, results)
    for r in results:
        r.rectification = items.get(r.rectification_id)
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            "results": results,
            "files": selectors.inspection_files(inspection),
            "can_publish": inspection.status == InspectionStatus.SUBMITTED,
            "files_max": services.FILES_MAX,
        },
    )


@requires("inspections.publish")
@require_POST
def publish(request, pk):
    inspection = _inspection(request, pk)
    try:
        services.inspection_publish(
            actor=request.user,
            inspection=inspection,
            expected_version=id_param(request.POST.get("expected_version")),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("检查结果已公布"))
    return redirect("inspections:detail", pk=inspection.pk)


def _uploads(request, field: str = "files") -> list[tuple[bytes, str]]:
    out = []
    for upload in request.FILES.getlist(field)[: services.FILES_MAX + 1]:
        content = read_upload(upload, field=field, max_bytes=RECORDING_MAX_BYTES)
        out.append((content, upload.name))
    return out


@requires("inspections.record")
@require_POST
def file_add(request, pk):
    inspection = _inspection(request, pk)
    try:
        services.inspection_file_add(
            actor=request.user,
            inspection=inspection,
            files=_uploads(request),
            expected_version=id_param(request.POST.get("expected_version")),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("附件已上传"))
    return redirect("inspections:detail", pk=inspection.pk)


@requires("inspections.view")
def file(request, pk, token):
    row = selectors.file_get(request.user, id_param(pk), (token or "")[:32])
    if row is None:
        raise Http404
    return serve_document(row.file, content_type=row.content_type, filename=row.filename)


def _parse_at(value: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        naive = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ApplicationError(_("检查时间格式应为 YYYY-MM-DD HH:MM"), field="at", code="invalid") from None
    if not 2000 <= naive.year <= 2100:
        raise ApplicationError(_("检查时间超出范围"), field="at", code="out_of_range")
    return naive.replace(tzinfo=local_tz()) if naive.tzinfo is None else naive


@requires("inspections.record")
def new(request):
    """Record an inspection: pick the site (``?site=``), the kind and the checklist, then
    the result of every item, the findings and the files."""
    sites = list(selectors.sites_for(request.user))
    site = next(
        (s for s in sites if s.pk == id_param(request.GET.get("site") or request.POST.get("site"))), None
    )
    checklists = list(Checklist.objects.filter(active=True, site_kind=site.kind)) if site else []
    checklist = next(
        (
            c
            for c in checklists
            if c.pk == id_param(request.POST.get("checklist") or request.GET.get("checklist"))
        ),
        checklists[0] if checklists else None,
    )
    items = list(checklist.items.filter(active=True).order_by("position", "id")) if checklist else []
    values = {
        "kind": request.POST.get("kind", ""),
        "at": request.POST.get("at", "") or timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "findings": request.POST.get("findings", ""),
    }
    for item in items:
        item.value = request.POST.get(f"result_{item.pk}", "")
        item.note_value = request.POST.get(f"note_{item.pk}", "")
    if request.method == "POST" and site is not None and checklist is not None:
        results = {}
        for item in items:
            value = request.POST.get(f"result_{item.pk}")
            results[item.pk] = {
                "passed": {"pass": True, "fail": False}.get(value),
                "note": request.POST.get(f"note_{item.pk}", ""),
            }
        try:
            inspection = services.inspection_record(
                actor=request.user,
                site=site,
                kind=values["kind"],
                checklist=checklist,
                at=_parse_at(values["at"]),
                results=results,
                findings=values["findings"],
                files=_uploads(request),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记检查 %(no)s") % {"no": inspection.number})
            return redirect("inspections:detail", pk=inspection.pk)
    kinds = [(k, InspectionKind(k).label) for k in KINDS_FOR_SITE[site.kind]] if site else []
    return render(
        request,
        "inspections/new.html",
        {
            "sites": sites,
            "site": site,
            "checklists": checklists,
            "checklist": checklist,
            "items": items,
            "kinds": kinds,
            "values": values,
            "files_max": services.FILES_MAX,
        },
    )


def _coverage(request):
    kind = _choice(request.GET.get("site_kind", ""), SiteKind.values)
    quarters = selectors.last_quarters()
    return kind, quarters, selectors.coverage(request.user, quarters, kind=kind)


@requires("inspections.view")
def plan(request):
    """The quarter rule: each site against the inspections it is owed in each of the last
    four quarters; missing ones marked (this quarter's until it ends)."""
    kind, quarters, rows = _coverage(request)
    current = selectors.current_quarter()
    return render(
        request,
        "inspections/plan.html",
        {
            "rows": rows,
            "quarters": quarters,
            "current": current,
            "site_kinds": SiteKind.choices,
            "site_kind": kind,
            "missing_now": sum(1 for r in rows if r["cells"][-1]["missing"]),
            "missed_before": sum(1 for r in rows if any(c["missing"] for c in r["cells"][:-1])),
        },
    )


@requires("inspections.view")
def plan_xlsx(request):
    kind, quarters, rows = _coverage(request)
    headers = [_("检查对象"), _("类型"), _("责任单位"), _("每季度至少")] + [str(q) for q in quarters]
    out = []
    for r in rows:
        site = r["site"]
        cells = [f"{c['count']}" + (f" {_('缺')}" if c["missing"] else "") for c in r["cells"]]
        out.append([site.name, site.get_kind_display(), site.unit.name, site.per_quarter, *cells])
    content = write_workbook(None, [(_("明查暗访季度覆盖"), headers, out)])
    resp = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = 'attachment; filename="inspection-coverage.xlsx"'
    return resp


@requires("inspections.manage")
@require_POST
def sites_sync(request):
    try:
        made = services.sites_sync(actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已同步检查对象：新增营业厅 %(hall)s、供电所 %(station)s、话务班组 %(hotline)s") % made,
        )
    return redirect("inspections:plan")


@requires("inspections.view_published")
def published(request):
    """Published inspection results (检查结果公示) of the user's units, by quarter."""
    quarter = selectors.Quarter.parse(request.GET.get("quarter", ""))
    ctx = paginate(request, selectors.published_for(request.user, quarter=quarter))
    ctx.update({"quarter": quarter, "quarters": selectors.last_quarters(8)})
    return render(request, "inspections/published.html", ctx)


@requires("inspections.view_published")
def published_detail(request, pk):
    inspection = selectors.published_for(request.user).filter(pk=id_param(pk)).first()
    if inspection is None:
        raise Http404
    return render(
        request,
        "inspections/published_detail.html",
        {"inspection": inspection, "results": selectors.inspection_results(inspection)},
    )
