"""Reads of the analytics domain."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ClassifierModel


def classifier_versions() -> QuerySet[ClassifierModel]:
    """All trained classifier versions, newest first (model management is staff-only)."""
    return ClassifierModel.objects.order_by("-created_at", "-id")


# ------------------------------------------------------------------- the manager's KPIs


def kpi_periods(today):
    """This month so far and the same days of last month (the home page's comparison).

    Both stretches have the same number of days (clipped at a shorter last month), so counts
    compare as fairly as rates.
    """
    import datetime as dt

    from .reports.periods import Period, month_period

    month = month_period(today.year, today.month)
    current = Period("monthly", month.label, month.start, today)
    last = month.previous()
    end = min(last.start + dt.timedelta(days=today.day - 1), last.end)
    return current, Period("monthly", last.label, last.start, end)


KPI_BETTER = {"compliance": "up", "satisfaction": "up", "repeats": "down", "escalations": "down"}


def _kpi_figures(user, period, path: str) -> dict:
    """The four figures of one period, each from the one function that defines it (the
    report's compliance, satisfaction and repeats; the dashboards' escalations)."""
    from gridcare.escalation.selectors import escalations_between

    from .reports.build import compliance_figures, repeat_counts, satisfaction_figures

    compliance = compliance_figures(period, path)
    satisfaction = satisfaction_figures(period, path)
    return {
        "compliance": compliance["rate"],
        "compliance_due": compliance["due"],
        "compliance_overdue": compliance["overdue"],
        "satisfaction": satisfaction["rate"],
        "surveyed": satisfaction["surveyed"],
        "repeats": repeat_counts(period, path)["customers"],
        "escalations": escalations_between(user, since=period.since, until=period.until).count(),
    }


def manager_kpis(user, current, previous) -> list[dict] | None:
    """Time-limit compliance, satisfaction, repeated requests and escalations in ``user``'s
    scope for ``current``, each with its change against ``previous`` (None: no scope).

    ``trend`` is ``up``/``down``/``flat`` (None when either side has no figure) and ``good``
    says whether the change is for the better. A few aggregate queries per period.
    """
    from gridcare.core.scoping import scope_path

    path = scope_path(user)
    if path is None:
        return None
    now, before = _kpi_figures(user, current, path), _kpi_figures(user, previous, path)
    out = []
    for key, better in KPI_BETTER.items():
        value, prev = now[key], before[key]
        delta = None if value is None or prev is None else round(value - prev, 1)
        trend = None if delta is None else ("up" if delta > 0 else "down" if delta < 0 else "flat")
        out.append(
            {
                "key": key,
                "value": value,
                "previous": prev,
                "delta": delta,
                "trend": trend,
                "good": None if trend in (None, "flat") else (trend == better),
                "is_rate": key in ("compliance", "satisfaction"),
            }
        )
    figures = {k["key"]: k for k in out}
    figures["compliance"]["detail"] = {"due": now["compliance_due"], "overdue": now["compliance_overdue"]}
    figures["satisfaction"]["detail"] = {"surveyed": now["surveyed"]}
    return out
