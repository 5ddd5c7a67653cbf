"""Which published reports a user may read, and which unit an on-demand report covers.

Who may see the service-intelligence pages is the permission table's business
(``analytics.view_insight``, ``analytics.view_reports``, ``analytics.publish_report``).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.fields.json import KT

from gridcare.core.authz import has_perm
from gridcare.org.selectors import staff_of

from .models import PublishedReport, ReportJob


def can_see_insight(user) -> bool:
    return has_perm(user, "analytics.view_insight")


def can_publish(user) -> bool:
    return has_perm(user, "analytics.publish_report")


def report_unit_for(user):
    """The unit an on-demand report of ``user`` covers: None (the company) for top-level users."""
    staff = staff_of(user)
    if staff is None or staff.unit.parent_id is None:
        return None
    return staff.unit


def reports_for(user) -> QuerySet[PublishedReport]:
    """Published reports ``user`` may read: company-wide ones, and those of units within their
    scope (``PublishedReport.scope``). The figure set itself is deferred; ``total`` (orders in
    the period) is read from it."""
    if not has_perm(user, "analytics.view_reports"):
        return PublishedReport.objects.none()
    return (
        PublishedReport.objects.visible_to(user)
        .select_related("unit")
        .annotate(total=KT("data__totals__count"))
        .order_by("-period_start", "kind", "scope_path")
    )


JOBS_SHOWN = 5
JOBS_RECENT_HOURS = 24


def report_jobs_for(user) -> QuerySet[ReportJob]:
    """On-demand report jobs of the last day in ``user``'s scope, newest first, at most a few
    (the report list's status rows)."""
    import datetime as dt

    from django.utils import timezone

    if not has_perm(user, "analytics.view_reports"):
        return ReportJob.objects.none()
    since = timezone.now() - dt.timedelta(hours=JOBS_RECENT_HOURS)
    return (
        ReportJob.objects.visible_to(user)
        .filter(created_at__gte=since)
        .select_related("unit", "requested_by", "requested_by__staff")
        .order_by("-created_at", "-id")[:JOBS_SHOWN]
    )
