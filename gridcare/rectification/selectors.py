"""Reads behind the rectification pages and API: items scoped to the user, the overdue
figure (one definition), closing rates per unit, the actions a user may take on an item.

**Overdue** (``overdue_q``): waiting for the fix (open or reopened) past the due date — a
fix waiting for its verification is not overdue (the owner has done their part).
**Closing rate** of a unit: verified items over the items it was given (cancelled ones
left out), with how many of those closed on time (fixed by the end of the due date of the
cycle that was verified).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from gridcare.core.authz import can

from .choices import ACTION_PERMISSIONS, ACTION_TARGETS, AWAITING_FIX, TRANSITIONS, RectificationStatus
from .models import RectificationEvidence, RectificationItem, RectificationWarning
from .sources import closes_only_verified

S = RectificationStatus
CLOSING_RATE_ROWS = 200


def overdue_q(today: dt.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status__in=AWAITING_FIX, due_date__lt=today)


def items_for(
    user,
    *,
    status: str = "",
    overdue: bool = False,
    unit_path: str = "",
    source_kind: str = "",
    owner=None,
    today: dt.date | None = None,
) -> QuerySet[RectificationItem]:
    """The items ``user`` may see, filtered; ``status="active"``: not closed yet."""
    qs = RectificationItem.objects.visible_to(user).select_related("unit", "owner__staff")
    if status == "active":
        qs = qs.exclude(status__in=[S.VERIFIED, S.CANCELLED])
    elif status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_q(today))
    if unit_path:
        qs = qs.filter(unit_path__startswith=unit_path)
    if source_kind:
        qs = qs.filter(source_kind=source_kind)
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.order_by("due_date", "id") if overdue or status in ("active", S.OPEN, S.REOPENED) else qs


def item_get(user, pk: int | None) -> RectificationItem | None:
    if pk is None:
        return None
    return (
        RectificationItem.objects.visible_to(user)
        .select_related("unit", "owner__staff", "opened_by__staff", "fixed_by__staff", "verified_by__staff")
        .filter(pk=pk)
        .first()
    )


def items_by_id(user, ids) -> dict[int, RectificationItem]:
    """The items among ``ids`` that ``user`` may see, by id (one query) — for another
    app's page that shows the items its records opened."""
    ids = [pk for pk in ids if pk]
    if not ids:
        return {}
    return {i.pk: i for i in RectificationItem.objects.visible_to(user).filter(pk__in=ids)}


def verified_count(ids) -> int:
    """How many of the items ``ids`` are closed by a verified fix."""
    ids = [pk for pk in ids if pk]
    return (
        RectificationItem.objects.filter(pk__in=ids, status=RectificationStatus.VERIFIED).count()
        if ids
        else 0
    )


def item_evidence(item: RectificationItem) -> list[RectificationEvidence]:
    return list(item.evidence.select_related("by__staff").order_by("-at", "-id"))


def evidence_get(user, item_pk: int | None, token: str) -> RectificationEvidence | None:
    if item_pk is None:
        return None
    return (
        RectificationEvidence.objects.visible_to(user)
        .filter(item_id=item_pk, token=token)
        .exclude(file="")
        .first()
    )


def item_warnings(item: RectificationItem):
    return (
        RectificationWarning.objects.filter(item=item)
        .select_related("escalated_to")
        .order_by("cycle", "percent")
    )


def allowed_actions(user, item: RectificationItem) -> list[str]:
    """The actions ``user`` may take on ``item`` now — pages and API offer exactly these,
    and the services accept exactly these (``tests/test_services.py``)."""
    out = []
    for action, target in ACTION_TARGETS.items():
        if target not in TRANSITIONS[item.status] or not can(user, ACTION_PERMISSIONS[action], item):
            continue
        if action in ("verify", "reopen") and item.fixed_by_id == getattr(user, "pk", None):
            continue
        if action == "cancel" and closes_only_verified(item.source_kind):
            continue
        out.append(action)
    return out


def closing_rates(user, *, since: dt.date | None = None, today: dt.date | None = None) -> list[dict]:
    """Per owning unit the user may see (items opened since ``since``, if given): items
    given, verified, verified on time, cancelled, still open, overdue, and the closing rate
    (verified / given without the cancelled); one grouped query, the units with most
    items first (at most ``CLOSING_RATE_ROWS``)."""
    today = today or timezone.localdate()
    qs = RectificationItem.objects.visible_to(user)
    if since is not None:
        qs = qs.filter(opened_at__date__gte=since)
    on_time = Q(status=S.VERIFIED) & Q(fixed_date__lte=F("due_date"))
    rows = (
        qs.annotate(fixed_date=TruncDate("fixed_at"))
        .values("unit_id", "unit__name", "unit__code", "unit_path")
        .annotate(
            total=Count("id"),
            verified=Count("id", filter=Q(status=S.VERIFIED)),
            on_time=Count("id", filter=on_time),
            cancelled=Count("id", filter=Q(status=S.CANCELLED)),
            not_closed=Count("id", filter=~Q(status__in=[S.VERIFIED, S.CANCELLED])),
            overdue=Count("id", filter=overdue_q(today)),
        )
        .order_by("-total", "unit_path")[:CLOSING_RATE_ROWS]
    )
    out = []
    for r in rows:
        counted = r["total"] - r["cancelled"]
        out.append(
            {
                "unit_id": r["unit_id"],
                "unit_name": r["unit__name"],
                "unit_code": r["unit__code"],
                "total": counted,
                "verified": r["verified"],
                "on_time": r["on_time"],
                "not_closed": r["not_closed"],
                "overdue": r["overdue"],
                "rate": round(100.0 * r["verified"] / counted, 1) if counted else None,
            }
        )
    return out
