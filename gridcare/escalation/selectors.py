"""Reads of the escalation domain, always scoped to what the acting user may see.

A user sees rows of their unit and below (``*_path`` prefix); escalations are seen by
the receiving unit (``to_path``) and those above it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.scoping import is_visible
from gridcare.customers.models import Customer
from gridcare.workorders.choices import ACTIVE_STATUSES
from gridcare.workorders.models import WorkOrder

from .choices import (
    SATISFIED_RESULTS,
    CallbackKind,
    CallbackResult,
    CallbackStatus,
    RecoveryKind,
    RecoveryStatus,
)
from .models import (
    CallbackTask,
    Escalation,
    Notification,
    NotificationDigestItem,
    OrderEscalation,
    RecoveryAction,
    RepeatLink,
    ServiceFailure,
    SlaWarning,
    SocialSupervisor,
    SupervisorConsultation,
    Urge,
)


def notifications_for(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    qs = Notification.objects.visible_to(user).select_related("order")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def digest_items_for(user, digest_id: int) -> QuerySet[NotificationDigestItem]:
    """What one of the user's daily digests bundled, in the order it happened."""
    return (
        NotificationDigestItem.objects.visible_to(user)
        .filter(digest_id=digest_id)
        .select_related("order")
        .order_by("created_at", "id")
    )


def unread_count(user) -> int:
    """Unread notifications: one COUNT on the inbox index (recipient, read_at, …)."""
    return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()


def escalations_for(user, *, open_only: bool = False, reason: str | None = None) -> QuerySet[Escalation]:
    """The escalation board: steps up to the user's unit or below it, newest first."""
    qs = Escalation.objects.visible_to(user).select_related("order", "from_unit", "to_unit", "warning")
    if open_only:
        qs = qs.filter(order__status__in=ACTIVE_STATUSES)
    if reason:
        qs = qs.filter(reason=reason)
    return qs.order_by("-at", "-id")


def order_can_go_up(order) -> bool:
    """Whether the order's supervision can still go one unit up (not at the top of the tree)."""
    from gridcare.org.models import OrgUnit

    state = OrderEscalation.objects.filter(order=order).values_list("unit_id", flat=True).first()
    unit_id = state if state is not None else order.unit_id
    return OrgUnit.objects.filter(pk=unit_id, parent__isnull=False).exists()


def escalations_between(user, *, since: dt.datetime, until: dt.datetime) -> QuerySet[Escalation]:
    """THE escalation count of dashboards and the manager's home: steps up to the user's unit
    or below it, taken in [since, until)."""
    return Escalation.objects.visible_to(user).filter(at__gte=since, at__lt=until)


def warnings_for(user) -> QuerySet[SlaWarning]:
    return SlaWarning.objects.visible_to(user).select_related("order", "level", "unit").order_by("-at", "-id")


def urges_for(user) -> QuerySet[Urge]:
    return Urge.objects.visible_to(user).select_related("order", "follow_up").order_by("-at", "-id")


def repeats_for(user) -> QuerySet[RepeatLink]:
    return RepeatLink.objects.visible_to(user).select_related("order", "earlier").order_by("-at", "-id")


def callback_tasks_for(user) -> QuerySet[CallbackTask]:
    return CallbackTask.objects.visible_to(user).select_related("order", "order__customer", "failure")


def callback_worklist(
    user, *, overdue_only: bool = False, now: dt.datetime | None = None
) -> QuerySet[CallbackTask]:
    """Pending callbacks the user's side owes, nearest deadline first."""
    qs = callback_tasks_for(user).filter(status=CallbackStatus.PENDING)
    if overdue_only:
        qs = qs.filter(due_at__lt=now or timezone.now())
    return qs.order_by("due_at", "id")


STORY_EVENTS = 8  # timeline entries the callback panel shows (the latest)


def callback_story(user, task: CallbackTask) -> dict:
    """What an agent needs on screen to call a customer back: the latest steps of the
    order's timeline, this task's earlier calls and the order's earlier callbacks (the
    request in the customer's words and the reply are on the order itself)."""
    order = task.order
    events = order.events.select_related("actor", "actor__staff").order_by("-at", "-id")
    latest = list(events[: STORY_EVENTS + 1])
    return {
        "events": list(reversed(latest[:STORY_EVENTS])),
        "more_events": len(latest) > STORY_EVENTS,
        "attempts": list(task.attempt_log.select_related("actor", "actor__staff").order_by("at", "id")),
        "earlier": list(
            callback_tasks_for(user).filter(order=order).exclude(pk=task.pk).order_by("-cycle_at", "-id")[:5]
        ),
    }


def failures_for(user) -> QuerySet[ServiceFailure]:
    return ServiceFailure.objects.visible_to(user).select_related("order", "responsible_unit")


def failure_is_visible(user, failure: ServiceFailure) -> bool:
    return is_visible(user, failure)


def recovery_actions_for(user) -> QuerySet[RecoveryAction]:
    return RecoveryAction.objects.visible_to(user).select_related(
        "failure", "failure__order", "proposed_by", "decided_by"
    )


def recovery_pending_approval(user) -> QuerySet[RecoveryAction]:
    return recovery_actions_for(user).filter(status=RecoveryStatus.PENDING_APPROVAL).order_by("proposed_at")


def supervisors_for(user) -> QuerySet[SocialSupervisor]:
    return SocialSupervisor.objects.visible_to(user).select_related("unit")


def consultations_for(user) -> QuerySet[SupervisorConsultation]:
    return SupervisorConsultation.objects.visible_to(user).prefetch_related("attendees")


def supervisor_candidates(user) -> QuerySet[Customer]:
    """Customers satisfied after a recovered complaint: people to invite as supervisors."""
    failures = failures_for(user).filter(satisfaction_after__in=list(SATISFIED_RESULTS))
    ids = failures.exclude(order__customer__isnull=True).values("order__customer_id")
    return Customer.objects.filter(pk__in=ids).exclude(
        pk__in=SocialSupervisor.objects.exclude(customer__isnull=True).values("customer_id")
    )


# ------------------------------------------------------------------------------ figures

# THE satisfaction figure (回访满意率). Every page, report, ranking and export that shows a
# satisfaction rate computes it here and shows this sentence beside it.
SATISFACTION_DEFINITION = _(
    "回访满意率 = 接通的工单回访中“满意”与“基本满意”所占比例；首次回访与返工后的再次回访都计入，"
    "联系不上的不计入。按回访完成时间统计。"
)
REACHED_RESULTS = frozenset(SATISFIED_RESULTS | {CallbackResult.UNSATISFIED})


def order_callbacks_done(
    *, since: dt.datetime, until: dt.datetime, scope_path: str = "", user=None
) -> QuerySet[CallbackTask]:
    """Order callbacks completed in [since, until) that reached the customer, in a unit's scope
    (``scope_path`` "" = the whole company; the handling or the accepting unit within it —
    ``CallbackTask.scope``, so for a ``user`` it is exactly what they may see)."""
    base = CallbackTask.objects.visible_to(user) if user is not None else CallbackTask.objects.all()
    qs = base.filter(
        kind=CallbackKind.ORDER,
        status=CallbackStatus.DONE,
        done_at__gte=since,
        done_at__lt=until,
        result__in=list(REACHED_RESULTS),
    )
    if scope_path:
        qs = qs.filter(Q(unit_path__startswith=scope_path) | Q(accepted_path__startswith=scope_path))
    return qs


def satisfaction_counts(callbacks: QuerySet[CallbackTask]) -> dict:
    """surveyed / satisfied / unsatisfied / rate (%, one decimal) of a set of callbacks."""
    agg = callbacks.aggregate(
        surveyed=Count("pk"), satisfied=Count("pk", filter=Q(result__in=list(SATISFIED_RESULTS)))
    )
    surveyed, satisfied = agg["surveyed"], agg["satisfied"]
    return {
        "surveyed": surveyed,
        "satisfied": satisfied,
        "unsatisfied": surveyed - satisfied,
        "rate": _rate(satisfied, surveyed),
    }


def satisfaction_by(callbacks: QuerySet[CallbackTask], field: str) -> dict:
    """``satisfaction_counts`` per value of ``field`` (e.g. ``order__area__station_id``)."""
    out = {}
    rows = (
        callbacks.values_list(field)
        .annotate(n=Count("pk"), s=Count("pk", filter=Q(result__in=list(SATISFIED_RESULTS))))
        .order_by()
    )
    for key, n, s in rows:
        out[key] = {"surveyed": n, "satisfied": s, "unsatisfied": n - s, "rate": _rate(s, n)}
    return out


# ----------------------------------------------------------------------------- dashboard


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def learning_dashboard(user, *, since: dt.datetime, until: dt.datetime) -> dict:
    """The figures of the learning dashboard for the user's scope and a period.

    Everything is grouped in the database (a handful of aggregate queries whatever
    the volume).
    """
    period = {"created_at__gte": since, "created_at__lt": until}
    failures = failures_for(user).filter(recorded_at__gte=since, recorded_at__lt=until)
    by_origin = list(failures.values("origin").annotate(n=Count("pk")).order_by("-n"))
    by_cause = list(failures.values("cause").annotate(n=Count("pk")).order_by("-n"))
    by_unit = list(
        failures.values("responsible_unit__code", "responsible_unit__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:20]
    )
    by_month = list(
        failures.annotate(month=TruncMonth("recorded_at"))
        .values("month", "cause")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    recurring = list(
        failures.values("responsible_unit__name", "cause")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n")[:20]
    )
    comp = recovery_actions_for(user).filter(
        kind=RecoveryKind.COMPENSATION, status=RecoveryStatus.DONE, done_at__gte=since, done_at__lt=until
    )
    compensation = comp.aggregate(total=Sum("amount"), n=Count("pk"))
    comp_by_kind = list(comp.values("compensation_kind").annotate(total=Sum("amount"), n=Count("pk")))

    # Recovery paradox: satisfaction after recovery vs orders that had no failure.
    after = failures.exclude(satisfaction_after="").values("satisfaction_after").annotate(n=Count("pk"))
    after_total = sum(r["n"] for r in after)
    after_ok = sum(r["n"] for r in after if r["satisfaction_after"] in SATISFIED_RESULTS)
    callbacks = order_callbacks_done(since=since, until=until, user=user)
    overall = satisfaction_counts(callbacks)
    plain = satisfaction_counts(callbacks.filter(order__service_failure__isnull=True))

    orders = WorkOrder.objects.visible_to(user).filter(**period)
    order_counts = {
        r["unit__name"]: r["n"] for r in orders.values("unit__name").annotate(n=Count("pk")).order_by()
    }
    warnings = warnings_for(user).filter(at__gte=since, at__lt=until)
    warn_by_unit: dict[str, dict[int, int]] = defaultdict(dict)
    for r in warnings.values("unit__name", "percent").annotate(n=Count("pk")).order_by():
        warn_by_unit[r["unit__name"]][r["percent"]] = r["n"]
    breached_orders = {
        r["unit__name"]: r["n"]
        for r in warnings.filter(percent=100)
        .values("unit__name")
        .annotate(n=Count("order", distinct=True))
        .order_by()
    }
    escalations = escalations_between(user, since=since, until=until)
    esc_by = list(
        escalations.values("to_unit__name", "to_unit__kind", "reason")
        .annotate(n=Count("pk"))
        .order_by("-n")[:50]
    )
    esc_by_level = list(escalations.values("level").annotate(n=Count("pk")).order_by("level"))
    compliance = [
        {
            "unit": unit,
            "orders": n,
            "breached": breached_orders.get(unit, 0),
            "compliance": _rate(n - breached_orders.get(unit, 0), n),
            "warnings": warn_by_unit.get(unit, {}),
        }
        for unit, n in sorted(order_counts.items(), key=lambda kv: -kv[1])
    ]
    urges = urges_for(user).filter(at__gte=since, at__lt=until)
    urge_by_unit = {
        r["order__unit__name"]: r["n"]
        for r in urges.values("order__unit__name").annotate(n=Count("pk")).order_by()
    }
    repeats = repeats_for(user).filter(at__gte=since, at__lt=until)
    repeat_by_unit = {
        r["order__unit__name"]: r["n"]
        for r in repeats.values("order__unit__name").annotate(n=Count("pk")).order_by()
    }
    per_unit = [
        {
            "unit": unit,
            "orders": n,
            "urges": urge_by_unit.get(unit, 0),
            "repeats": repeat_by_unit.get(unit, 0),
            "repeat_rate": _rate(repeat_by_unit.get(unit, 0), n),
        }
        for unit, n in sorted(order_counts.items(), key=lambda kv: -kv[1])
    ]
    return {
        "since": since,
        "until": until,
        "failures_total": failures.count(),
        "by_origin": by_origin,
        "by_cause": by_cause,
        "by_unit": by_unit,
        "by_month": by_month,
        "recurring": recurring,
        "compensation_total": compensation["total"] or 0,
        "compensation_count": compensation["n"],
        "compensation_by_kind": comp_by_kind,
        "paradox": {
            "after_recovery": _rate(after_ok, after_total),
            "after_recovery_n": after_total,
            "no_failure": plain["rate"],
            "no_failure_n": plain["surveyed"],
        },
        "satisfaction": overall,
        "compliance": compliance,
        "escalations": esc_by,
        "escalations_by_level": esc_by_level,
        "urges_total": urges.count(),
        "repeats_total": repeats.count(),
        "per_unit": per_unit,
    }
