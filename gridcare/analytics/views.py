"""Pages of service intelligence: hotspots (chart + map), planning feed, reports, consultation insight."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.authz import requires
from gridcare.core.charts import bar_chart, scatter_map
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import export_response, paginate
from gridcare.core.params import int_param
from gridcare.core.scoping import scope_path
from gridcare.outages.frequent import frequent_thresholds
from gridcare.proactive.selectors import planning_demand_rows
from gridcare.workorders.choices import Dimension, RequestType
from gridcare.workorders.selectors import work_orders_for

from .access import can_publish, can_see_insight, report_jobs_for, report_unit_for, reports_for
from .hotspots import JSON_FIELDS, LEVEL_LABELS, LEVELS, compute_hotspots
from .models import ReportKind
from .outage_evidence import OUTAGE_FIELDS
from .planning import FREQUENT_OUTAGES, planning_feed, planning_rows, planning_workbook
from .reports import parse_period
from .reports.progress import jobs_progress
from .reports.render import report_context
from .reports.services import report_job_request
from .topics import MAX_TOPIC_TEXTS, cluster_topics

CACHE_SECONDS = 600


def _require_insight(request):
    if not can_see_insight(request.user):
        raise PermissionDenied


def hotspot_params(request) -> dict:
    level = request.GET.get("level") if request.GET.get("level") in LEVELS else "area"
    dimension = request.GET.get("dimension") if request.GET.get("dimension") in Dimension.values else None
    return {"level": level, "days": int_param(request.GET.get("days"), 90, 7, 730), "dimension": dimension}


def cached_hotspots(user, *, level: str, days: int, dimension: str | None):
    """The user's hotspot run, cached for a few minutes per scope and parameters (the
    frequent-outage rule in force among them: a changed setting is seen at once)."""
    scope = scope_path(user)
    min_count, months = frequent_thresholds()
    raw = f"{scope}|{level}|{days}|{dimension}|{min_count}|{months}"
    key = "analytics:hotspots:" + hashlib.sha1(raw.encode()).hexdigest()
    run = cache.get(key)
    if run is None:
        run = compute_hotspots(
            level=level,
            days=days,
            dimension=dimension,
            scope_path=scope,
            frequent_min_count=min_count,
            frequent_months=months,
        )
        cache.set(key, run, CACHE_SECONDS)
    return run


FREQUENT_ON_PAGE = 20


@requires("analytics.view_insight")
def hotspots(request):
    _require_insight(request)
    params = hotspot_params(request)
    run = cached_hotspots(request.user, **params)
    items = run.hotspots
    top = items[:20]
    chart = bar_chart(
        [(f"{h['name'][:14]}·{h['dimension_label']}", h["count"]) for h in top], color="#d62728", width=720
    )
    chart_expected = bar_chart(
        [(f"{h['name'][:14]}·{h['dimension_label']}", h["expected"]) for h in top],
        color="#9aa9bd",
        width=720,
        value_format="{:.1f}",
    )
    map_svg = ""
    if params["level"] == "area":
        hot = {}
        for h in items:
            hot.setdefault(h["asset_id"], h)
        points = [
            {
                "lon": a.longitude,
                "lat": a.latitude,
                "label": f"{a.name}（{a.code}）"
                + (
                    f" {hot[pk]['dimension_label']} {hot[pk]['count']}/{hot[pk]['expected']}"
                    if pk in hot
                    else ""
                ),
                "hot": pk in hot,
                "size": (hot[pk]["ratio"] or 1) if pk in hot else 1,
            }
            for pk, a in run.assets.items()
        ]
        map_svg = scatter_map(points, width=720, height=520)
    page = paginate(request, items, per_page=50)
    planning_loop = _decisions_context(request, run)
    for h in page["page_obj"]:
        h["decision"] = planning_loop["decisions"].get((h["asset_id"], h["dimension"]))
    # The planning feed's frequent-outage items, strongest first (the feed lists them all).
    frequent = [r for r in planning_feed(run) if FREQUENT_OUTAGES in r["reasons"]]
    frequent.sort(key=lambda r: (-r["frequent_customers"], -r["customer_minutes"], r["code"]))
    return render(
        request,
        "analytics/hotspots.html",
        {
            **page,
            "run": run,
            "params": params,
            "levels": [(lv, LEVEL_LABELS[lv]) for lv in LEVELS],
            "dimensions": Dimension.choices,
            "chart": chart,
            "chart_expected": chart_expected,
            "map_svg": map_svg,
            "query": request.GET.urlencode(),
            "frequent": frequent[:FREQUENT_ON_PAGE],
            "frequent_total": len(frequent),
            "frequent_customers_total": sum(r["frequent_customers"] for r in frequent),
            **planning_loop,
        },
    )


def _decisions_context(request, run) -> dict:
    """The planning loop on the hotspot page: each shown hotspot's decision, the fixed
    items of this level with their before/after, whether the user may decide."""
    from gridcare.core.authz import has_perm, is_permission

    from .models import HotspotDecisionState
    from .planning import PLAN_PERMISSION, ActionCategory, decisions_by_hotspot, fix_effect

    decisions = decisions_by_hotspot(request.user, run.level)
    fixed = [d for d in decisions.values() if d.state == HotspotDecisionState.FIXED][:FIXED_ON_PAGE]
    for d in fixed:
        key = f"analytics:fix:{d.pk}:{d.version}:{timezone.localdate()}"
        effect = cache.get(key)
        if effect is None:
            effect = fix_effect(d)
            cache.set(key, effect, CACHE_SECONDS)
        d.effect = effect
    return {
        "decisions": decisions,
        "fixed_decisions": fixed,
        "can_plan": is_permission(PLAN_PERMISSION) and has_perm(request.user, PLAN_PERMISSION),
        "decision_states": HotspotDecisionState.choices,
        "action_categories": ActionCategory.choices,
    }


FIXED_ON_PAGE = 10


@requires("analytics.plan_hotspots")
@require_POST
def hotspot_decide(request):
    """Accept a hotspot into the plan, reject it, or mark it fixed (planning loop)."""
    from django.http import QueryDict

    from gridcare.core.params import form_date, id_param

    from .planning import baseline_of
    from .planning import hotspot_decide as decide

    post = request.POST
    back = QueryDict(request.POST.get("back", "")[:500]).urlencode()  # the page's filters, re-encoded
    target = redirect("analytics:hotspots")
    if back:
        target["Location"] += "?" + back
    try:
        day = form_date(post.get("fixed_at"), "fixed_at")
        fixed_at = None
        if day is not None:
            fixed_at = min(
                timezone.now(), dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())
            )
        level = post.get("level", "")
        asset_id = id_param(post.get("asset_id"))
        dimension = post.get("dimension", "")
        baseline = None
        if level in LEVELS and post.get("days"):
            run = cached_hotspots(
                request.user,
                level=level,
                days=int_param(post.get("days"), 90, 7, 730),
                dimension=dimension if dimension in Dimension.values else None,
            )
            hit = next(
                (h for h in run.hotspots if h["asset_id"] == asset_id and h["dimension"] == dimension), None
            )
            if hit:
                baseline = baseline_of(run, hit)
        version = post.get("expected_version", "")
        decide(
            actor=request.user,
            level=level,
            asset_id=asset_id or 0,
            dimension=dimension,
            state=post.get("state", ""),
            action=post.get("action", ""),
            action_category=post.get("action_category", ""),
            reason=post.get("reason", ""),
            fixed_at=fixed_at,
            baseline=baseline,
            expected_version=int(version) if version.isdigit() and len(version) < 10 else None,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录热点处理决定"))
    return target


@requires("analytics.view_insight")
def hotspot_actions(request):
    """The tracked planning actions: every decision on a hotspot in the user's units."""
    _require_insight(request)
    from .models import HotspotDecisionState
    from .planning import decisions_for, fix_effect

    state = request.GET.get("state")
    states = [state] if state in HotspotDecisionState.values else None
    page = paginate(request, decisions_for(request.user, states=states), per_page=50)
    for d in page["page_obj"]:
        d.level_label = LEVEL_LABELS.get(d.level, d.level)
        d.dimension_label = Dimension(d.dimension).label if d.dimension in Dimension.values else d.dimension
        d.baseline_count = (d.baseline or {}).get("count")
        d.baseline_expected = (d.baseline or {}).get("expected")
        d.effect = None
        if d.state == HotspotDecisionState.FIXED:
            key = f"analytics:fix:{d.pk}:{d.version}:{timezone.localdate()}"
            d.effect = cache.get(key)
            if d.effect is None:
                d.effect = fix_effect(d)
                cache.set(key, d.effect, CACHE_SECONDS)
    return render(
        request,
        "analytics/hotspot_actions.html",
        {**page, "states": HotspotDecisionState.choices, "state": state or ""},
    )


@requires("analytics.view_insight")
def hotspots_export(request, fmt: str):
    _require_insight(request)
    params = hotspot_params(request)
    run = cached_hotspots(request.user, **params)
    if fmt == "planning":
        resp = HttpResponse(
            planning_workbook(run, demands=planning_demand_rows(request.user)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        resp["Content-Disposition"] = (
            f'attachment; filename="planning-feed-{params["level"]}-{timezone.localdate():%Y%m%d}.xlsx"'
        )
        return resp
    if fmt not in ("csv", "xlsx"):
        raise Http404
    fields = [*JSON_FIELDS, "action", *OUTAGE_FIELDS]
    rows = planning_rows(run)
    return export_response(
        fmt, f"hotspots-{params['level']}", fields, ([r.get(f) for f in fields] for r in rows)
    )


@requires("analytics.view_reports")
def report_list(request):
    _require_insight(request)
    qs = reports_for(request.user).defer("data")
    kind = request.GET.get("kind", "")
    if kind in ReportKind.values:
        qs = qs.filter(kind=kind)
    return render(
        request,
        "analytics/report_list.html",
        {
            **paginate(request, qs, 30),
            "kinds": ReportKind.choices,
            "kind": kind,
            "can_publish": can_publish(request.user),
            **_jobs_context(request.user),
        },
    )


def _jobs_context(user) -> dict:
    jobs = list(report_jobs_for(user))
    jobs_progress(jobs)
    return {"jobs": jobs, "jobs_running": any(not j.finished for j in jobs), "poll_seconds": JOB_POLL_SECONDS}


JOB_POLL_SECONDS = 3


@requires("analytics.view_reports")
def report_jobs(request):
    """The report list's status rows of on-demand jobs (polled by htmx while one is unfinished)."""
    _require_insight(request)
    return render(request, "analytics/_report_jobs.html", _jobs_context(request.user))


@requires("analytics.view_reports")
def report_detail(request, pk: int):
    _require_insight(request)
    report = get_object_or_404(reports_for(request.user), pk=pk)
    return render(request, "analytics/report_detail.html", {"report": report, **report_context(report.data)})


@requires("analytics.view_reports")
def report_file(request, pk: int, fmt: str):
    _require_insight(request)
    report = get_object_or_404(reports_for(request.user).defer("data"), pk=pk)
    name = {"xlsx": report.xlsx_file, "pdf": report.pdf_file}.get(fmt)
    if not name:
        raise Http404
    path = (Path(settings.DATA_DIR) / name).resolve()
    if not path.is_file() or Path(settings.DATA_DIR).resolve() not in path.parents:
        raise Http404
    filename = f"report-{report.kind}-{report.period}.{fmt}"
    return FileResponse(path.open("rb"), as_attachment=fmt == "xlsx", filename=filename)


@requires("analytics.publish_report")
@require_POST
def report_publish_view(request):
    if not can_publish(request.user):
        raise PermissionDenied
    try:
        period = parse_period(request.POST.get("kind", ""), request.POST.get("period", ""))
        job = report_job_request(actor=request.user, period=period, unit=report_unit_for(request.user))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("analytics:reports")
    messages.success(
        request,
        _("已开始生成 %(kind)s %(period)s，完成后可在下方打开")
        % {"kind": job.get_kind_display(), "period": job.period},
    )
    return redirect("analytics:reports")


TOPIC_KINDS = (RequestType.CONSULTATION, RequestType.COMPLAINT)


@requires("analytics.view_insight")
def consultation(request):
    """Most-asked consultation (or complaint) topics: clusters of similar texts with their
    phrases and typical requests — knowledge-base articles and notices to write, causes to fix.
    Cached per scope, kind and period (clustering a few thousand texts takes seconds)."""
    _require_insight(request)
    days = int_param(request.GET.get("days"), 90, 7, 730)
    kind = request.GET.get("kind") if request.GET.get("kind") in TOPIC_KINDS else RequestType.CONSULTATION
    since = timezone.now() - dt.timedelta(days=days)
    scope = scope_path(request.user)
    key = "analytics:topics:" + hashlib.sha1(f"{scope}|{kind}|{days}".encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        qs = work_orders_for(request.user).filter(request_type=kind, created_at__gte=since)
        total = qs.count()
        texts = list(qs.order_by("-created_at").values_list("description", flat=True)[:MAX_TOPIC_TEXTS])
        topics = cluster_topics(texts)
        for t in topics:
            t["count"] = int(round(t["share"] * total))
        data = {"total": total, "topics": topics}
        cache.set(key, data, CACHE_SECONDS)
    chart = bar_chart([(t["label"], t["count"]) for t in data["topics"]], color="#9467bd", width=720)
    kinds = [(k, RequestType(k).label) for k in TOPIC_KINDS]
    return render(
        request,
        "analytics/consultation.html",
        {
            **data,
            "days": days,
            "chart": chart,
            "kind": kind,
            "kinds": kinds,
            "sampled": data["total"] > MAX_TOPIC_TEXTS,
            "max_texts": MAX_TOPIC_TEXTS,
        },
    )


@requires("analytics.suggest")
@require_POST
def suggest(request):
    """Intake helper: the suggested request type and dimension for the description typed so far."""
    from gridcare.workorders.choices import Dimension, RequestType

    from .classifier import classify_texts

    text = (request.POST.get("description") or request.POST.get("text") or "").strip()
    if len(text) < 4:
        return render(request, "analytics/_suggestion.html", {"p": None})
    p = classify_texts([text[:5000]])[0]
    return render(
        request,
        "analytics/_suggestion.html",
        {
            "p": p,
            "type_label": dict(RequestType.choices).get(p.request_type, p.request_type),
            "dimension_label": dict(Dimension.choices).get(p.dimension, p.dimension),
        },
    )
