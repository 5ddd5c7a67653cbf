"""Frequent-outage customers (频繁停电): customers with more than N interruptions in the last
M months (the industry rule "两个月内停电超过 3 次": N = 3, M = 2).

An interruption is what supply reliability counts (``reliability``): one ``OutageCustomer``
row, counted when it *started* inside the window, every kind of outage, and not when it
lasted less than ``SHORT_INTERRUPTION_MINUTES`` (its whole duration; a customer still out
is counted up to ``now``). The window is the last M calendar months up to ``now`` (local
time; the 31st of a short month falls back to its last day).

Scoped by the *customer* (the customer's supply station under the user's unit): a county
sees its customers' interruptions, whichever outage they belong to.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from gridcare.core.scoping import scope_path

from .models import OutageCustomer
from .reliability import SHORT_INTERRUPTION_MINUTES

DEFAULT_MIN_COUNT = 3  # more than this many interruptions ...
DEFAULT_MONTHS = 2  # ... within this many months
MIN_COUNT_RANGE = (1, 50)
MONTHS_RANGE = (1, 24)

# sort key -> ORDER BY of the grouped rows (ties broken by customer number: a stable page order)
ORDERS = {
    "count": ("-interruptions", "-last_started", "customer__customer_no"),
    "minutes": ("-total_duration", "-interruptions", "customer__customer_no"),
    "last": ("-last_started", "customer__customer_no"),
    "customer": ("customer__customer_no",),
}


def months_ago(now: dt.datetime, months: int) -> dt.datetime:
    """The same local time ``months`` calendar months before ``now`` (day clipped to the month)."""
    local = timezone.localtime(now)
    years, month0 = divmod(local.month - 1 - months, 12)
    year, month = local.year + years, month0 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def counted_interruptions(
    *, since: dt.datetime, now: dt.datetime, threshold_minutes: float = SHORT_INTERRUPTION_MINUTES
) -> QuerySet[OutageCustomer]:
    """Customer interruptions that started in ``[since, now]`` and are not short ones."""
    threshold = dt.timedelta(minutes=threshold_minutes)
    return OutageCustomer.objects.filter(started_at__gte=since, started_at__lte=now).filter(
        Q(restored_at__isnull=True, started_at__lte=now - threshold)
        | Q(restored_at__gte=F("started_at") + threshold)
    )


def duration_expression(now: dt.datetime) -> ExpressionWrapper:
    """An interruption's duration: to its restoration, or to ``now`` while still out."""
    finished = Coalesce("restored_at", Value(now, output_field=DateTimeField()), output_field=DateTimeField())
    return ExpressionWrapper(finished - F("started_at"), output_field=DurationField())


def frequent_customers(
    user,
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    months: int = DEFAULT_MONTHS,
    order: str = "count",
    now: dt.datetime | None = None,
) -> QuerySet:
    """One row (a dict) per customer ``user`` may see with more than ``min_count`` counted
    interruptions in the last ``months`` months: ``customer__customer_no``, ``customer__name``,
    the customer's area and station (code, name), ``interruptions``, ``total_duration``
    (a timedelta) and ``last_started``. One query: GROUP BY customer ... HAVING."""
    now = now or timezone.now()
    path = scope_path(user)
    if path is None:
        return OutageCustomer.objects.none().values("customer_id")
    qs = counted_interruptions(since=months_ago(now, months), now=now)
    if path:
        qs = qs.filter(customer__station__path__startswith=path)
    return (
        qs.order_by()
        .values(
            "customer_id",
            "customer__customer_no",
            "customer__name",
            "customer__area__code",
            "customer__area__name",
            "customer__station__code",
            "customer__station__name",
        )
        .annotate(
            interruptions=Count("pk"),
            total_duration=Sum(duration_expression(now)),
            last_started=Max("started_at"),
        )
        .filter(interruptions__gt=min_count)
        .order_by(*ORDERS.get(order, ORDERS["count"]))
    )


def minutes_of(duration) -> float:
    """A summed duration (timedelta, or microseconds on some back ends) in minutes."""
    if duration is None:
        return 0.0
    if isinstance(duration, dt.timedelta):
        return duration.total_seconds() / 60
    return float(duration) / 60_000_000
