"""Frequent-outage customers (频繁停电): customers with more than N interruptions in the last
M months (the industry rule "两个月内停电超过 3 次": N = 3, M = 2).

An interruption is what supply reliability counts (``reliability``): one ``OutageCustomer``
row, counted when it *started* inside the window, every kind of outage, and not when it
lasted less than the reliability threshold (``short_interruption_minutes()``) (its whole duration; a customer still out
is counted up to ``now``). The window is the last M calendar months up to ``now`` (local
time; the 31st of a short month falls back to its last day).

Scoped by the *customer* (the customer's supply station under the user's unit): a county
sees its customers' interruptions, whichever outage they belong to.

N and M are settings (``OutageSetting``: ``FREQUENT_MIN_COUNT``, ``FREQUENT_MONTHS``, edited on
the settings pages); every reader without its own values takes them from there
(``frequent_thresholds``). ``frequent_counts_by`` counts the same customers per grid asset
(the hotspot evidence and the planning feed of analytics).
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
from gridcare.customers.models import Customer

from .models import OutageCustomer, OutageSetting
from .reliability import short_interruption_minutes

# The seeded defaults and the bounds of the settings (one definition: the settings table's).
DEFAULT_MIN_COUNT = OutageSetting.SPEC[OutageSetting.FREQUENT_MIN_COUNT][0]  # more than this many ...
DEFAULT_MONTHS = OutageSetting.SPEC[OutageSetting.FREQUENT_MONTHS][0]  # ... within this many months
MIN_COUNT_RANGE = OutageSetting.SPEC[OutageSetting.FREQUENT_MIN_COUNT][1:]
MONTHS_RANGE = OutageSetting.SPEC[OutageSetting.FREQUENT_MONTHS][1:]
# The Customer column that places a customer under a grid asset of each level.
CUSTOMER_ASSET = {"area": "area_id", "feeder": "area__feeder_id", "station": "station_id"}

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
    *, since: dt.datetime, now: dt.datetime, threshold_minutes: float | None = None
) -> QuerySet[OutageCustomer]:
    """Customer interruptions that started in ``[since, now]`` and are not short ones (the
    reliability threshold, ``short_interruption_minutes()``, unless given)."""
    if threshold_minutes is None:
        threshold_minutes = short_interruption_minutes()
    threshold = dt.timedelta(minutes=threshold_minutes)
    return OutageCustomer.objects.filter(started_at__gte=since, started_at__lte=now).filter(
        Q(restored_at__isnull=True, started_at__lte=now - threshold)
        | Q(restored_at__gte=F("started_at") + threshold)
    )


def frequent_thresholds() -> tuple[int, int]:
    """(N, M) of the rule as set on the settings pages: more than N interruptions in M months."""
    return (
        OutageSetting.get(OutageSetting.FREQUENT_MIN_COUNT),
        OutageSetting.get(OutageSetting.FREQUENT_MONTHS),
    )


def resolve_thresholds(min_count: int | None, months: int | None) -> tuple[int, int]:
    """The given N and M, the settings' where not given."""
    if min_count is None or months is None:
        set_count, set_months = frequent_thresholds()
        min_count = set_count if min_count is None else min_count
        months = set_months if months is None else months
    return min_count, months


def _per_customer(*, months: int, now: dt.datetime) -> QuerySet:
    """The counted interruptions of the last ``months`` months, one group per customer
    (callers add the columns they need, then ``_frequent``)."""
    return counted_interruptions(since=months_ago(now, months), now=now).order_by()


def _frequent(grouped: QuerySet, min_count: int) -> QuerySet:
    """The groups of ``_per_customer`` with more than ``min_count`` interruptions."""
    return grouped.annotate(interruptions=Count("pk")).filter(interruptions__gt=min_count)


def duration_expression(now: dt.datetime) -> ExpressionWrapper:
    """An interruption's duration: to its restoration, or to ``now`` while still out."""
    finished = Coalesce("restored_at", Value(now, output_field=DateTimeField()), output_field=DateTimeField())
    return ExpressionWrapper(finished - F("started_at"), output_field=DurationField())


def frequent_customers(
    user,
    *,
    min_count: int | None = None,
    months: int | None = None,
    order: str = "count",
    now: dt.datetime | None = None,
) -> QuerySet:
    """One row (a dict) per customer ``user`` may see with more than ``min_count`` counted
    interruptions in the last ``months`` months (both default to the settings):
    ``customer__customer_no``, ``customer__name``, the customer's area and station (code,
    name), ``interruptions``, ``total_duration`` (a timedelta) and ``last_started``. One
    query: GROUP BY customer ... HAVING."""
    now = now or timezone.now()
    min_count, months = resolve_thresholds(min_count, months)
    path = scope_path(user)
    if path is None:
        return OutageCustomer.objects.none().values("customer_id")
    qs = _per_customer(months=months, now=now)
    if path:
        qs = qs.filter(customer__station__path__startswith=path)
    grouped = qs.values(
        "customer_id",
        "customer__customer_no",
        "customer__name",
        "customer__area__code",
        "customer__area__name",
        "customer__station__code",
        "customer__station__name",
    )
    return (
        _frequent(grouped, min_count)
        .annotate(total_duration=Sum(duration_expression(now)), last_started=Max("started_at"))
        .order_by(*ORDERS.get(order, ORDERS["count"]))
    )


def frequent_counts_by(
    level: str,
    *,
    min_count: int | None = None,
    months: int | None = None,
    now: dt.datetime | None = None,
) -> dict[int, int]:
    """Frequent-outage customers per grid asset of ``level`` (``CUSTOMER_ASSET``: the
    customer's transformer area, its feeder, or the customer's supply station), over every
    customer — an asset's figure, whoever looks; callers show only the assets the user may
    see. N and M default to the settings. {asset id: customers}; assets without any are
    left out. One query."""
    now = now or timezone.now()
    min_count, months = resolve_thresholds(min_count, months)
    frequent_ids = _frequent(_per_customer(months=months, now=now).values("customer_id"), min_count).values(
        "customer_id"
    )
    column = CUSTOMER_ASSET[level]
    rows = (
        Customer.objects.filter(pk__in=frequent_ids, **{f"{column}__isnull": False})
        .order_by()
        .values_list(column)
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def minutes_of(duration) -> float:
    """A summed duration (timedelta, or microseconds on some back ends) in minutes."""
    if duration is None:
        return 0.0
    if isinstance(duration, dt.timedelta):
        return duration.total_seconds() / 60
    return float(duration) / 60_000_000
