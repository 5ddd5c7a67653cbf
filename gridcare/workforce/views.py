"""Pages: forecast against actual, required against planned agents, Excel export."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.http import HttpResponse
from django.shortcuts import render

from gridcare.core.authz import requires
from gridcare.core.charts import Line, line_chart
from gridcare.core.listing import paginate
from gridcare.core.params import float_param

from .erlang import ErlangError, staff_intervals
from .rostering import RosterError, default_templates, plan_shifts
from .selectors import LOCAL, contact_volume_series, latest_forecast_run

# Every staffing parameter is bounded: an average handling time of 1e9 s or a service
# level of 1.0 would ask Erlang for unbounded agent counts and pin a web worker.
PARAM_BOUNDS = {
    "aht": (240.0, 10.0, 3600.0),  # seconds
    "target": (0.8, 0.05, 0.99),  # share answered within the threshold
    "answer_within": (20.0, 1.0, 600.0),  # seconds
    "patience": (90.0, 0.0, 3600.0),  # seconds (0: no abandonment model)
    "shrinkage": (0.3, 0.0, 0.8),
}


def _float(request, name: str, default: float) -> float:
    _default, lo, hi = PARAM_BOUNDS[name]
    return float_param(request.GET.get(name), default, lo, hi)


def _overview_rows(request):
    """Rows of the latest cached forecast, with actuals, required and planned agents."""
    run = latest_forecast_run()
    params = {
        "aht": _float(request, "aht", 240),
        "target": _float(request, "target", 0.8),
        "answer_within": _float(request, "answer_within", 20),
        "patience": _float(request, "patience", 90),
        "shrinkage": _float(request, "shrinkage", 0.3),
    }
    if run is None:
        return run, params, [], None
    rows = run.result.get("rows", [])
    minutes = run.interval_minutes
    starts = [dt.datetime.fromisoformat(r["start"]) for r in rows]
    error = None
    if starts:
        lo = starts[0].replace(tzinfo=LOCAL)
        hi = starts[-1].replace(tzinfo=LOCAL) + dt.timedelta(minutes=minutes)
        actual = contact_volume_series(since=lo, until=hi)
        if len(actual):
            actual = actual.groupby(actual.index.floor(f"{minutes}min")).sum()
        mean = np.array([r["forecast"] for r in rows])
        try:
            staff = staff_intervals(
                mean,
                interval_seconds=minutes * 60,
                aht=params["aht"],
                target=params["target"],
                answer_within=params["answer_within"],
                patience=params["patience"] or None,
                shrinkage=params["shrinkage"],
            )
            required = np.array([s.agents for s in staff])
        except ErlangError as exc:
            error, required = exc.message, np.zeros(len(rows))
        planned = np.zeros(len(rows))
        for day in sorted({s.date() for s in starts}):
            idx = [i for i, s in enumerate(starts) if s.date() == day]
            first = starts[idx[0]]
            offset = (first.hour * 60 + first.minute) // minutes
            req_day = np.zeros(offset + len(idx))
            req_day[offset:] = required[idx]
            try:
                plan = plan_shifts(
                    req_day,
                    default_templates(1440, minutes),
                    interval_minutes=minutes,
                    mip_gap=0.02,
                    time_limit=5,
                )
                planned[idx] = plan.coverage[offset:]
            except RosterError as exc:
                error = exc.message
        out = []
        for i, (r, s) in enumerate(zip(rows, starts, strict=True)):
            a = actual.get(s) if actual is not None and len(actual) else None
            out.append(
                {
                    **r,
                    "start": s,
                    "actual": None if a is None else float(a),
                    "required": int(required[i]),
                    "planned": int(planned[i]),
                }
            )
        return run, params, out, error
    return run, params, [], error


def _svg(rows, key_a: str, key_b: str, key_c: str | None = None, width: int = 900, height: int = 220) -> str:
    """Line chart (inline SVG, core.charts) of up to three series over the intervals; the page
    draws the translated legend: ``key_a`` blue, ``key_b`` red, ``key_c`` dashed grey."""
    if not rows:
        return ""
    labels = [r["start"].strftime("%m-%d %H:%M") for r in rows]
    styles = [(key_a, "#1f77b4", False), (key_b, "#d62728", False), (key_c, "#aaaaaa", True)]
    series = [Line(key, [r.get(key) for r in rows], color, dashed) for key, color, dashed in styles if key]
    return line_chart(labels, series, width=width, height=height, legend=False, fluid=True)


OVERVIEW_ROWS_PER_PAGE = 48


@requires("workforce.view")
def overview(request):
    """Forecast vs actual and required vs planned agents for the latest cached forecast."""
    run, params, rows, error = _overview_rows(request)
    view = request.GET.get("view", "week")
    if view == "today":
        # Today's intraday view: today's intervals only, forecast against the calls so far.
        from django.utils import timezone

        today = timezone.localdate()
        rows = [r for r in rows if r["start"].date() == today]
    # The charts show every interval; the table is paged: a day per page for half-hour
    # intervals (at most OVERVIEW_ROWS_PER_PAGE rows for shorter ones).
    minutes = run.interval_minutes if run is not None and run.interval_minutes else 30
    per_page = max(1, min(OVERVIEW_ROWS_PER_PAGE, 1440 // minutes))
    return render(
        request,
        "workforce/overview.html",
        {
            **paginate(request, rows, per_page),
            "run": run,
            "view": view,
            "params": params,
            "rows": rows,
            "error": error,
            "volume_chart": _svg(rows, "forecast", "actual", "hi80"),
            "agents_chart": _svg(rows, "required", "planned"),
        },
    )


@requires("workforce.view")
def export_xlsx(request):
    """The overview table as an Excel file (core workbook writer, constant memory)."""
    from .exporters import forecast_workbook

    run, params, rows, _ = _overview_rows(request)
    resp = HttpResponse(
        forecast_workbook(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = 'attachment; filename="workforce-forecast.xlsx"'
    return resp
