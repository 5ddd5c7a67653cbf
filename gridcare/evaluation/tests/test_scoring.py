"""The scorecard arithmetic, hand-computed: weights, renormalisation of missing parts,
rounding, the rating scale, the expert total, periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gridcare.evaluation.scoring import (
    Period,
    combine,
    expert_total,
    parse_period,
    rating_score,
    round_half_up,
    scorecard_row,
    share_score,
)

W = {
    "w_customer": 50,
    "w_expert": 30,
    "w_internal": 20,
    "c_ratings": 40,
    "c_callbacks": 40,
    "c_surveys": 20,
    "i_wait": 25,
    "i_stages": 25,
    "i_orders_on_time": 25,
    "i_rework": 25,
}


def test_combine_weighted_mean_and_renormalisation():
    full = combine({"a": 80, "b": 60, "c": 90}, {"a": 50, "b": 30, "c": 20})
    assert full.score == 76.0  # (40 + 18 + 18) / 1
    assert not full.renormalised and full.missing == ()
    part = combine({"a": 80, "b": None, "c": 90}, {"a": 50, "b": 30, "c": 20})
    assert part.score == round((80 * 50 + 90 * 20) / 70, 1) == 82.9  # 5800 / 70 = 82.857…
    assert part.renormalised and part.missing == ("b",)
    assert part.shares == {"a": 50 / 70, "c": 20 / 70}
    # a zero weight is not "missing"; all missing or all zero: no score
    assert not combine({"a": 70, "b": None}, {"a": 10, "b": 0}).renormalised
    assert combine({"a": None}, {"a": 10}).score is None
    assert combine({"a": 50}, {"a": 0}).score is None


def test_rounding_half_up():
    assert round_half_up(82.85, 1) == 82.9  # float round() would give 82.8
    assert round_half_up(Decimal("0.125"), 2) == 0.13
    assert combine({"a": 82.8, "b": 82.9}, {"a": 1, "b": 1}).score == 82.9  # 82.85 up


def test_rating_and_share_scales():
    assert rating_score(5) == 100.0 and rating_score(1) == 0.0 and rating_score(3) == 50.0
    assert rating_score(4.67) == 91.8  # 3.67 × 25 = 91.75 → 91.8
    assert rating_score(None) is None
    assert share_score(2, 3) == 66.7 and share_score(0, 0) is None


def test_expert_total_weighted_by_checklist():
    scores = {"env": 90, "conduct": 80, "eff": 70}
    weights = {"env": 15, "conduct": 15, "eff": 10}
    assert expert_total(scores, weights) == Decimal("81.25")  # (1350 + 1200 + 700) / 40
    assert expert_total({"a": 77, "b": 78}, {"a": 1, "b": 2}) == Decimal("77.67")  # 233/3 = 77.666…


def test_scorecard_row_hand_computed():
    measures = {
        "ratings": (90.0, 120),
        "callbacks": (95.0, 40),
        "surveys": (80.0, 30),
        "expert": (85.5, 2),
        "wait": (88.0, 500),
        "stages": (75.0, 20),
        "orders_on_time": (92.0, 60),
        "rework": (97.0, 80),
    }
    row = scorecard_row(measures, W)
    # customer = (90×40 + 95×40 + 80×20) / 100 = 90.0
    assert row["customer"] == 90.0 and row["customer_n"] == 190
    assert row["expert"] == 85.5 and row["expert_n"] == 2
    # internal = (88 + 75 + 92 + 97) / 4 = 88.0
    assert row["internal"] == 88.0 and row["internal_n"] == 660
    # combined = (90×50 + 85.5×30 + 88×20) / 100 = 45 + 25.65 + 17.6 = 88.25 → 88.3
    assert row["score"] == 88.3
    assert not row["renormalised"] and row["missing"] == []


def test_scorecard_row_missing_parts_renormalised():
    measures = {"ratings": (80.0, 10), "callbacks": (None, 0), "surveys": (None, 0), "wait": (70.0, 50)}
    row = scorecard_row(measures, W)
    assert row["customer"] == 80.0 and row["customer_n"] == 10  # only ratings
    assert row["expert"] is None and row["expert_n"] == 0
    assert row["internal"] == 70.0 and row["internal_n"] == 50
    # expert missing: (80×50 + 70×20) / 70 = 77.142… → 77.1
    assert row["score"] == 77.1 and row["missing"] == ["expert"] and row["renormalised"]
    assert row["missing_measures"] == ["callbacks", "surveys", "expert", "stages", "orders_on_time", "rework"]
    empty = scorecard_row({}, W)
    assert (
        empty["score"] is None
        and empty["customer"] is None
        and empty["missing"]
        == [
            "customer",
            "expert",
            "internal",
        ]
    )
    # weights change the result: customer only
    only_customer = dict(W, w_expert=0, w_internal=0)
    assert scorecard_row(measures, only_customer)["score"] == 80.0


@pytest.mark.parametrize(
    ("raw", "label", "start", "end"),
    [
        ("2026-Q3", "2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026-q4", "2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2026-02", "2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2026-12", "2026-12", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    ],
)
def test_periods(raw, label, start, end):
    p = parse_period(raw)
    assert p.label == label and p.start == start and p.end == end


def test_period_parsing_and_previous():
    for bad in ("", "2026", "2026-13", "2026-Q5", "1999-Q1", "2026-7", "x"):
        assert parse_period(bad) is None
    assert [p.label for p in Period(2026, quarter=1).previous_n(3)] == ["2025-Q2", "2025-Q3", "2025-Q4"]
    assert [p.label for p in Period(2026, month=2).previous_n(3)] == ["2025-11", "2025-12", "2026-01"]
    assert Period(2026, quarter=3).months == [dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)]
