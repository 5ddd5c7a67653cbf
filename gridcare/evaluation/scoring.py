"""The arithmetic of the three-party evaluation — pure functions, no database.

- A **part** (customer / expert / internal) and a **measure** inside a part are scores
  0–100, or ``None`` when there is no data behind them.
- ``combine``: the weighted mean of the scores present; the weights of missing scores are
  left out and the rest renormalised (shares of their own sum), and the result says so
  (``renormalised`` and ``missing``). No score present, or only zero weights: ``None``.
- Rounding: half up, one decimal for scores, two for an expert assessment's total.
- Counter ratings (1–5) become 0–100 linearly: 1 → 0, 3 → 50, 5 → 100.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float | Decimal, places: int = 1) -> float:
    q = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(q, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Combined:
    score: float | None
    shares: dict  # name -> share of the weight actually used (0–1), present scores only
    missing: tuple  # names with a weight > 0 but no score
    renormalised: bool


def combine(scores: dict, weights: dict) -> Combined:
    """The weighted mean of ``scores`` (name -> 0–100 or None) with ``weights`` (name -> ≥ 0)."""
    present = {k: v for k, v in scores.items() if v is not None and weights.get(k, 0) > 0}
    missing = tuple(k for k, v in scores.items() if v is None and weights.get(k, 0) > 0)
    total = sum(weights[k] for k in present)
    if not total:
        return Combined(None, {}, missing, bool(missing))
    value = sum(Decimal(str(weights[k])) * Decimal(str(v)) for k, v in present.items()) / Decimal(total)
    return Combined(
        round_half_up(value, 1),
        {k: weights[k] / total for k in present},
        missing,
        bool(missing),
    )


def rating_score(average: float | None) -> float | None:
    """A counter rating average (1–5) as 0–100 (1 → 0, 5 → 100)."""
    if average is None:
        return None
    return round_half_up((Decimal(str(average)) - 1) * 25, 1)


def share_score(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, one decimal; None when ``whole`` is 0."""
    if not whole:
        return None
    return round_half_up(Decimal(part) * 100 / Decimal(whole), 1)


def expert_total(scores: dict, weights: dict) -> Decimal:
    """An expert assessment's total: the item scores (0–100) weighted by the checklist's
    weights (1–100), two decimals half up."""
    den = sum(weights[k] for k in scores)
    if not den:
        raise ValueError("no weight")
    num = sum(Decimal(weights[k]) * Decimal(str(scores[k])) for k in scores)
    return (num / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def weighted_average(pairs) -> tuple[float | None, int]:
    """((value, n), …) -> (the mean weighted by n, total n)."""
    n = sum(c for _v, c in pairs if _v is not None)
    if not n:
        return None, 0
    return sum(Decimal(str(v)) * c for v, c in pairs if v is not None) / n, n


# ----------------------------------------------------------------------------- periods

PERIOD_RE = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


@dataclass(frozen=True)
class Period:
    """A month (``2026-07``) or a quarter (``2026-Q3``); ``start``/``end`` are days, end included."""

    year: int
    month: int = 0  # 1–12 for a month
    quarter: int = 0  # 1–4 for a quarter

    @property
    def is_quarter(self) -> bool:
        return bool(self.quarter)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}" if self.quarter else f"{self.year:04d}-{self.month:02d}"

    @property
    def first_month(self) -> int:
        return (self.quarter - 1) * 3 + 1 if self.quarter else self.month

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        months = 3 if self.quarter else 1
        m = self.first_month + months
        y = self.year + (m - 1) // 12
        m = (m - 1) % 12 + 1
        return dt.date(y, m, 1) - dt.timedelta(days=1)

    @property
    def months(self) -> list[dt.date]:
        """The first day of each month in the period."""
        n = 3 if self.quarter else 1
        return [dt.date(self.year, self.first_month + i, 1) for i in range(n)]

    def previous(self) -> Period:
        if self.quarter:
            return (
                Period(self.year - 1, quarter=4)
                if self.quarter == 1
                else Period(self.year, quarter=self.quarter - 1)
            )
        return Period(self.year - 1, month=12) if self.month == 1 else Period(self.year, month=self.month - 1)

    def previous_n(self, n: int) -> list[Period]:
        """The ``n`` periods before this one, oldest first."""
        out, p = [], self
        for _ in range(n):
            p = p.previous()
            out.append(p)
        return out[::-1]


def parse_period(raw: str | None) -> Period | None:
    """``YYYY-MM`` or ``YYYY-Qn`` (years 2000–2100), else None."""
    m = PERIOD_RE.match((raw or "").strip().upper())
    if not m:
        return None
    year = int(m.group(1))
    if not 2000 <= year <= 2100:
        return None
    if m.group(3):
        return Period(year, quarter=int(m.group(3)))
    return Period(year, month=int(m.group(2)))


def period_of(day: dt.date, *, quarter: bool = True) -> Period:
    if quarter:
        return Period(day.year, quarter=(day.month - 1) // 3 + 1)
    return Period(day.year, month=day.month)


# --------------------------------------------------------------------- the scorecard row

# measure -> the setting key of its weight within its part
CUSTOMER_MEASURES = {"ratings": "c_ratings", "callbacks": "c_callbacks", "surveys": "c_surveys"}
INTERNAL_MEASURES = {
    "wait": "i_wait",
    "stages": "i_stages",
    "orders_on_time": "i_orders_on_time",
    "rework": "i_rework",
}
PART_WEIGHTS = {"customer": "w_customer", "expert": "w_expert", "internal": "w_internal"}


def _part(measures: dict, names: dict, weights: dict) -> tuple[Combined, int]:
    scores = {m: measures.get(m, (None, 0))[0] for m in names}
    combined = combine(scores, {m: weights.get(key, 0) for m, key in names.items()})
    n = sum(measures.get(m, (None, 0))[1] for m in names if scores[m] is not None)
    return combined, n


def scorecard_row(measures: dict, weights: dict) -> dict:
    """THE scorecard arithmetic. ``measures``: name -> (score 0–100 or None, data points)
    for ``ratings``, ``callbacks``, ``surveys`` (customer part), ``expert``, and ``wait``,
    ``stages``, ``orders_on_time``, ``rework`` (internal part); ``weights``: the setting
    keys (``w_customer``… ``c_ratings``… ``i_wait``…) -> 0–100.

    Each part is the weighted mean of its measures present; the combined score the weighted
    mean of the parts present. Missing ones are left out and the weights of the rest
    renormalised; ``missing`` names the parts left out, ``renormalised`` is true when a
    part or a measure with a weight was missing."""
    customer, customer_n = _part(measures, CUSTOMER_MEASURES, weights)
    internal, internal_n = _part(measures, INTERNAL_MEASURES, weights)
    expert_score, expert_n = measures.get("expert", (None, 0))
    expert_score = None if expert_score is None else round_half_up(expert_score, 1)
    parts = {"customer": customer.score, "expert": expert_score, "internal": internal.score}
    total = combine(parts, {p: weights.get(key, 0) for p, key in PART_WEIGHTS.items()})
    return {
        "customer": customer.score,
        "customer_n": customer_n,
        "expert": expert_score,
        "expert_n": expert_n if expert_score is not None else 0,
        "internal": internal.score,
        "internal_n": internal_n,
        "score": total.score,
        "missing": list(total.missing),
        "missing_measures": [
            *customer.missing,
            *(["expert"] if expert_score is None and weights.get("w_expert", 0) > 0 else []),
            *internal.missing,
        ],
        "renormalised": total.renormalised or customer.renormalised or internal.renormalised,
        "measures": {k: (None if v[0] is None else round_half_up(v[0], 1)) for k, v in measures.items()},
    }
