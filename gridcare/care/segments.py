"""Segments and value (客户细分与价值), as pure functions of a customer's facts.

**Segments** follow master data by rule (several may apply; the first in ``SEGMENT_ORDER``
is the primary one): important and sensitive customers by their flags; large customers
(大客户) on high-voltage supply or with a contracted capacity at least the setting (315 kVA
by default, the usual threshold of a dedicated transformer); small businesses (小微企业):
the other low-voltage non-residential customers; households split into rural and urban by
their transformer area's class.

**Value** is an RFM-style grid adapted to a utility, where every customer buys every month
(recency says nothing). Four features, each scored 1–5:

- *consumption* (kWh over the last months) and *revenue* (yuan billed): what the customer
  means to the company. Both are ranked across all customers (quintiles), because the
  distribution is so skewed — a factory uses a thousand households' electricity — that raw
  thresholds would put everyone but the factories in the bottom band. Revenue is kept next
  to consumption because tariffs differ (agricultural kWh are cheap).
- *payment*: the share of the bills already due that were paid in full by their due date (100 % → 5, ≥ 90 % → 4,
  ≥ 75 % → 3, ≥ 50 % → 2, below → 1; no bills yet → 3). Absolute bands: most customers
  pay on time, so ranks would make one late bill look dramatic.
- *service load*: requests in the same months, a complaint counting twice (none → 5,
  1 → 4, 2 → 3, 3–4 → 2, 5 or more → 1): what it costs to serve them.

The score is the weighted mean of the four on 0–100 (weights are settings); tiers by two
thresholds. Everything the score came from is kept so the page can explain it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from decimal import Decimal

from .choices import SEGMENT_ORDER, Segment, ValueTier

HV_CATEGORIES = frozenset({"hv_single", "hv_dual"})
FEATURES = ("consumption", "revenue", "payment", "service")


@dataclass(frozen=True)
class SegmentRules:
    key_capacity_kva: int
    weights: dict[str, int]
    tier_high: int
    tier_medium: int
    months: int


def segments_of(
    *, category: str, capacity_kva, important: bool, sensitive: bool, area_class: str, rules: SegmentRules
) -> list[str]:
    """Every segment a customer is in, primary first."""
    found = set()
    if important:
        found.add(Segment.IMPORTANT)
    if sensitive:
        found.add(Segment.SENSITIVE)
    large = category in HV_CATEGORIES or Decimal(capacity_kva or 0) >= rules.key_capacity_kva
    if large:
        found.add(Segment.KEY)
    elif category == "lv_non_residential":
        found.add(Segment.SME)
    if category == "residential":
        found.add(Segment.RURAL if area_class in ("rural", "remote") else Segment.RESIDENTIAL)
    if not found:  # a low-voltage customer of no other kind (never happens with today's categories)
        found.add(Segment.SME)
    return [s for s in SEGMENT_ORDER if s in found]


class Quintiles:
    """Where a value falls among everyone's: 1 (bottom fifth) … 5 (top fifth), and its
    percentile. Built once per recompute from the sorted values."""

    def __init__(self, values):
        self.sorted = sorted(float(v) for v in values)

    def percentile(self, value) -> int:
        n = len(self.sorted)
        if n == 0:
            return 50
        below = bisect.bisect_left(self.sorted, float(value))
        same = bisect.bisect_right(self.sorted, float(value)) - below
        # mid-rank among equals; 0–99 ("above x % of customers" never reads 100 %)
        return min(99, int(100 * (below + same / 2) / n))

    def score(self, value) -> int:
        return 1 + self.percentile(value) // 20


def payment_score(bills: int, on_time: int) -> int:
    if bills == 0:
        return 3
    share = on_time / bills
    if share >= 1:
        return 5
    if share >= 0.9:
        return 4
    if share >= 0.75:
        return 3
    if share >= 0.5:
        return 2
    return 1


def service_score(orders: int, complaints: int) -> int:
    load = orders + complaints  # a complaint counts twice
    if load == 0:
        return 5
    if load == 1:
        return 4
    if load == 2:
        return 3
    if load <= 4:
        return 2
    return 1


def value_of(
    *,
    kwh,
    amount,
    bills: int,
    on_time: int,
    orders: int,
    complaints: int,
    consumption: Quintiles,
    revenue: Quintiles,
    rules: SegmentRules,
) -> tuple[int, str, dict]:
    """(score 0–100, tier, features) of one customer."""
    scores = {
        "consumption": consumption.score(kwh),
        "revenue": revenue.score(amount),
        "payment": payment_score(bills, on_time),
        "service": service_score(orders, complaints),
    }
    total_weight = sum(rules.weights.values()) or 1
    score = round(100 * sum(rules.weights[f] * (scores[f] - 1) / 4 for f in FEATURES) / total_weight)
    if score >= rules.tier_high:
        tier = ValueTier.HIGH
    elif score >= rules.tier_medium:
        tier = ValueTier.MEDIUM
    else:
        tier = ValueTier.LOW
    features = {
        "kwh": round(float(kwh), 1),
        "amount": round(float(amount), 2),
        "kwh_pct": consumption.percentile(kwh),
        "amount_pct": revenue.percentile(amount),
        "bills": bills,
        "on_time": on_time,
        "orders": orders,
        "complaints": complaints,
        "months": rules.months,
        "scores": scores,
        "weights": dict(rules.weights),
    }
    return score, str(tier), features
