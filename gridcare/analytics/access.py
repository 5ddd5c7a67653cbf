"""Who may see the service-intelligence pages, and which published reports a user may read."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT

from gridcare.org.choices import Role
from gridcare.org.selectors import staff_of, user_role, user_scope_path

from .models import PublishedReport

# Hotspots, the planning feed, reports and consultation insight.
INSIGHT_ROLES = frozenset({Role.PLANNER, Role.MANAGER, Role.SUPERVISOR, Role.QUALITY_INSPECTOR, Role.ADMIN})
# Generating a report on demand.
PUBLISH_ROLES = frozenset({Role.MANAGER, Role.SUPERVISOR, Role.ADMIN})


def can_see_insight(user) -> bool:
    return user_role(user) in INSIGHT_ROLES and user_scope_path(user) is not None


def can_publish(user) -> bool:
    return user_role(user) in PUBLISH_ROLES


def report_unit_for(user):
    """The unit an on-demand report of ``user`` covers: None (the company) for top-level users."""
    staff = staff_of(user)
    if staff is None or staff.unit.parent_id is None:
        return None
    return staff.unit


def reports_for(user) -> QuerySet[PublishedReport]:
    """Published reports ``user`` may read: company-wide ones, and those of units within their scope.

    The figure set itself is deferred; ``total`` (orders in the period) is read from it.
    """
    qs = PublishedReport.objects.select_related("unit").annotate(total=KT("data__totals__count"))
    if not can_see_insight(user):
        return qs.none()
    path = user_scope_path(user)
    if path:
        qs = qs.filter(Q(scope_path="") | Q(scope_path__startswith=path))
    return qs.order_by("-period_start", "kind", "scope_path")
