"""Outage evidence of hotspots and of the planning feed, per grid asset.

Every figure is read from the outages function that defines it, so the hotspot page, the
``hotspots`` CLI and the planning feed cannot disagree with the outages pages:

* ``frequent_customers``: the asset's customers who are frequent-outage customers
  (``outages.frequent``: more than N counted interruptions in the last M months up to the
  run's ``as_of``; N and M are the settings in force unless the caller gives them);
* ``interruptions`` (distinct outages), ``customer_interruptions`` and ``customer_minutes``:
  supply reliability's figures (``outages.reliability``) over the local days the hotspot
  window touches — reliability counts whole days, so the period runs from the day of
  ``since`` to the day of the window's last instant.

An asset's figures as a whole, whoever looks (as the hotspot counts are); callers show only
the assets the user may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.outages.frequent import frequent_counts_by, resolve_thresholds
from gridcare.outages.reliability import reliability

# The evidence fields every hotspot (and planning item) carries, in export order.
OUTAGE_LABELS = {
    "frequent_customers": _("频繁停电户"),
    "interruptions": _("停电事件数"),
    "customer_interruptions": _("停电户次"),
    "customer_minutes": _("停电时户数（分钟）"),
}
OUTAGE_FIELDS = tuple(OUTAGE_LABELS)


@dataclass(frozen=True)
class OutageWindow:
    """The rule and the period the evidence was read with (shown next to the figures)."""

    min_count: int  # frequent: more than this many interruptions ...
    months: int  # ... in this many months up to ``as_of``
    start: dt.date  # reliability period, both days included
    end: dt.date


def window_days(since: dt.datetime, as_of: dt.datetime) -> tuple[dt.date, dt.date]:
    """The local dates the window ``[since, as_of)`` touches."""
    start = timezone.localtime(since).date()
    end = timezone.localtime(as_of - dt.timedelta(microseconds=1)).date()
    return start, max(start, end)


def empty_evidence() -> dict:
    return {"frequent_customers": 0, "interruptions": 0, "customer_interruptions": 0, "customer_minutes": 0.0}


def outage_evidence(
    level: str,
    codes: dict[int, str],
    *,
    since: dt.datetime,
    as_of: dt.datetime,
    min_count: int | None = None,
    months: int | None = None,
) -> tuple[dict[int, dict], OutageWindow]:
    """{asset id: the ``OUTAGE_FIELDS``} for the assets of ``level`` in ``codes`` (id → code),
    and the window read. A handful of queries whatever the number of assets."""
    min_count, months = resolve_thresholds(min_count, months)
    frequent = frequent_counts_by(level, min_count=min_count, months=months, now=as_of)
    start, end = window_days(since, as_of)
    figures = {r.code: r for r in reliability(start=start, end=end, level=level, now=as_of)}
    out: dict[int, dict] = {}
    for pk, code in codes.items():
        item = empty_evidence()
        item["frequent_customers"] = frequent.get(pk, 0)
        row = figures.get(code)
        if row is not None:
            item["interruptions"] = row.interruptions
            item["customer_interruptions"] = row.customer_interruptions
            item["customer_minutes"] = round(row.customer_minutes, 1)
        out[pk] = item
    return out, OutageWindow(min_count=min_count, months=months, start=start, end=end)
