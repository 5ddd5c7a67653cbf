"""Crew times against commitments (抢修时效): fault-repair orders accepted in one month,
grouped by responsible unit, by handler (crew member) or by area class.

"Met on time" is the one rule of time-limit compliance that reports and the manager's home
count with too (``workorders.selectors.clock_compliance_counts``): a clock is *on time*
when ``met_at <= due_at``, *late* when ``met_at > due_at``, *open* while ``met_at`` is
empty; the compliance rate is on-time clocks over the clocks that are due (met, or unmet
and past ``due_at`` at ``now``) — an open clock not yet due is not counted against anyone.
Arrival compliance uses the ``arrival`` clock; restoration compliance the
``restoration`` clock, which starts at the crew's arrival.

Times come from the crew's own records on the order: acceptance (``created_at``) to
arrival, arrival to restoration, departure to arrival, arrival to fault isolation (the
optional ``isolated_at`` given with the restoration), in minutes. Median is the middle
value (the mean of the two middle ones for an even count); the 90th percentile is the
nearest-rank value (the ⌈0.9·n⌉-th smallest). Orders without both ends of an interval do
not count for it.

Two queries whatever the number of orders: one grouped aggregate over the orders and their
clocks, one ``values_list`` of the times.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.calendar import local_tz
from gridcare.grid.choices import AreaClass
from gridcare.workorders.choices import ClockKind, RequestType
from gridcare.workorders.models import WorkOrder
from gridcare.workorders.selectors import clock_compliance_counts, compliance_rate

from .reliability import period_bounds

GROUPS = {
    "unit": _("责任单位"),
    "handler": _("处理人"),
    "area_class": _("区域类别"),
}
DEFAULT_GROUP = "unit"

# group -> (key field, label field or None)
_GROUP_FIELDS = {
    "unit": ("unit_id", "unit__name"),
    "handler": ("handler_id", "handler__staff__display_name"),
    "area_class": ("area_class", None),
}


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local month containing ``month``: [first day 00:00, next month's first day)."""
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return period_bounds(first, last)


def current_month(now: dt.datetime | None = None) -> dt.date:
    local = (now or timezone.now()).astimezone(local_tz())
    return dt.date(local.year, local.month, 1)


def _minutes(start, end) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def p90(values: list[float]) -> float | None:
    """Nearest-rank 90th percentile: the ⌈0.9·n⌉-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(math.ceil(0.9 * len(ordered)), 1) - 1], 1)


def repair_times(user, *, month: dt.date, group: str = DEFAULT_GROUP, now: dt.datetime | None = None) -> dict:
    """Per group (and in total) for ``user``'s visible fault-repair orders accepted in ``month``:
    orders; arrival clocks on time / late / open and arrival compliance %; restoration
    compliance %; median and p90 minutes acceptance→arrival, arrival→isolation and
    arrival→restoration; median departure→arrival. Rows sorted by label."""
    if group not in _GROUP_FIELDS:
        raise ValueError(group)
    now = now or timezone.now()
    since, until = month_bounds(month)
    key_field, label_field = _GROUP_FIELDS[group]
    orders = WorkOrder.objects.visible_to(user).filter(
        request_type=RequestType.FAULT_REPAIR, created_at__gte=since, created_at__lt=until
    )
    value_fields = [key_field] + ([label_field] if label_field else [])
    aggregates = (
        orders.order_by()
        .values(*value_fields)
        .annotate(
            orders=Count("id", distinct=True),
            **clock_compliance_counts(now, via="clocks", kind=ClockKind.ARRIVAL, prefix="arrival_"),
            **clock_compliance_counts(now, via="clocks", kind=ClockKind.RESTORATION, prefix="restoration_"),
        )
    )
    times = defaultdict(lambda: {"to_arrival": [], "to_restoration": [], "travel": [], "to_isolation": []})
    for key, created, departed, arrived, isolated, restored in orders.order_by().values_list(
        key_field, "created_at", "departed_at", "arrived_at", "isolated_at", "restored_at"
    ):
        for bucket in (times[key], times["__total__"]):
            for name, value in (
                ("to_arrival", _minutes(created, arrived)),
                ("to_restoration", _minutes(arrived, restored)),
                ("travel", _minutes(departed, arrived)),
                ("to_isolation", _minutes(arrived, isolated)),
            ):
                if value is not None:
                    bucket[name].append(value)

    rows = []
    total = defaultdict(int)
    count_keys = [
        f"{kind}_{what}"
        for kind in (ClockKind.ARRIVAL, ClockKind.RESTORATION)
        for what in ("due", "on_time", "late", "open", "overdue")
    ]
    for agg in aggregates:
        key = agg[key_field]
        for k in ["orders", *count_keys]:
            total[k] += agg[k]
        rows.append(
            _row(key, _label(group, key, agg.get(label_field) if label_field else None), agg, times[key])
        )
    rows.sort(key=lambda r: (r["key"] is None or r["key"] == "", str(r["label"])))
    return {
        "since": since,
        "until": until,
        "group": group,
        "rows": rows,
        "total": _row(None, _("合计"), total, times["__total__"]),
    }


def _label(group: str, key, label):
    if group == "area_class":
        return AreaClass(key).label if key in AreaClass.values else _("未分类")
    if key is None:
        return _("未指定处理人") if group == "handler" else _("未分类")
    return label or str(key)


def _row(key, label, c, t) -> dict:
    arrival_due = c["arrival_due"]
    restoration_due = c["restoration_due"]
    return {
        "key": key,
        "label": label,
        "orders": c["orders"],
        "arrival_on_time": c["arrival_on_time"],
        "arrival_late": c["arrival_late"],
        "arrival_open": c["arrival_open"],
        "arrival_rate": compliance_rate(c["arrival_on_time"], arrival_due),
        "restoration_on_time": c["restoration_on_time"],
        "restoration_due": restoration_due,
        "restoration_rate": compliance_rate(c["restoration_on_time"], restoration_due),
        "to_arrival_median": median(t["to_arrival"]),
        "to_arrival_p90": p90(t["to_arrival"]),
        "to_restoration_median": median(t["to_restoration"]),
        "to_restoration_p90": p90(t["to_restoration"]),
        "travel_median": median(t["travel"]),
        "to_isolation_median": median(t["to_isolation"]),
        "to_isolation_p90": p90(t["to_isolation"]),
    }
