"""Bench: backtest on the bank-calls file, then time forecast + staffing for 7 days × 48 intervals.

    .venv/bin/python bench/forecast.py [--quick]   # --quick skips the statsforecast models

The statsforecast comparison models need the optional extra ``forecast-compare``; without
it they are skipped with a note.

Reads ../shared/data/bank_calls_train.csv relative to the repository root (skipped with a
message if missing). The forecast + staffing step uses a seeded synthetic 24/7 hotline
series at 30-minute intervals (48 a day) so it has the shape of 95598 traffic.
Goal: forecast + staffing under 10 s on 2 cores. No database is touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from gridcare.workforce import forecasting as fc  # noqa: E402
from gridcare.workforce.erlang import staff_intervals  # noqa: E402
from gridcare.workforce.rostering import default_templates, evaluate_plan, plan_shifts  # noqa: E402

BANK = ROOT.parent / "shared" / "data" / "bank_calls_train.csv"


def bank_backtest(quick: bool) -> None:
    if not BANK.exists():
        print(f"skipped backtest: {BANK} not found (it lives outside the repository, in ../shared/data)")
        return
    if not quick and not fc.statsforecast_installed():
        print(f"statsforecast models skipped: the optional extra is missing ({fc.FORECAST_COMPARE_INSTALL})")
        quick = True
    t0 = time.perf_counter()
    dm = fc.build_day_matrix(fc.load_counts(BANK), 30)
    scores = fc.backtest(dm, fc.candidate_models(include_statsforecast=not quick), origins=20)
    fc.backtest_with_coverage(dm, scores, fc.DEFAULT_MODEL, origins=20)
    took = time.perf_counter() - t0
    best_base = min((s for s in scores if s.model in fc.BASELINES), key=lambda s: s.mase)
    print(
        f"bank_calls_train.csv: {len(dm.dates)} days, 30-min intervals, day-ahead, last 20 origins ({took:.1f} s)"
    )
    print(f"{'model':<14} {'MAE':>8} {'RMSE':>8} {'MAPE%':>7} {'MASE':>7} {'vs best naive':>13} {'cov80':>6}")
    for s in scores:
        cov = f"{s.coverage80:.0%}" if s.coverage80 is not None else ""
        print(
            f"{s.model:<14} {s.mae:>8.2f} {s.rmse:>8.2f} {s.mape:>7.2f} {s.mase:>7.3f} "
            f"{(1 - s.mase / best_base.mase):>+13.1%} {cov:>6}"
        )


def hotline_series(weeks: int = 12, seed: int = 1) -> pd.Series:
    rng = np.random.default_rng(seed)
    minutes = np.arange(0, 1440, 30)
    x = minutes / 1440
    profile = 0.05 + np.exp(-((x - 0.42) ** 2) / 0.01) + 0.8 * np.exp(-((x - 0.65) ** 2) / 0.015)
    profile /= profile.sum()
    dow = [1.2, 1.05, 1.0, 1.0, 1.05, 0.8, 0.75]
    idx, vals = [], []
    start = dt.date(2025, 1, 6)
    for k in range(weeks * 7):
        d = start + dt.timedelta(days=k)
        counts = rng.poisson(12_000 * dow[d.weekday()] * rng.lognormal(0, 0.03) * profile)
        idx += [dt.datetime.combine(d, dt.time()) + dt.timedelta(minutes=int(m)) for m in minutes]
        vals += counts.tolist()
    return pd.Series(vals, index=pd.DatetimeIndex(idx), dtype=float)


def forecast_and_staffing() -> None:
    series = hotline_series()
    t0 = time.perf_counter()
    dm = fc.build_day_matrix(series, 30)
    t1 = time.perf_counter()
    f = fc.predict(dm, horizon_days=7, model="auto")
    t2 = time.perf_counter()
    staff = staff_intervals(
        f.mean,
        interval_seconds=1800,
        aht=240,
        target=0.8,
        answer_within=20,
        patience=90,
        shrinkage=0.3,
        max_abandon=0.05,
    )
    t3 = time.perf_counter()
    req = np.array([s.agents for s in staff]).reshape(7, 48)
    hours = 0.0
    abandoned = 0.0
    for day in range(7):
        plan = plan_shifts(
            req[day], default_templates(1440), interval_minutes=30, mip_gap=0.01, time_limit=10
        )
        evaluate_plan(plan, f.mean[day * 48 : (day + 1) * 48], aht=240, patience=90, shrinkage=0.3)
        hours += plan.agent_hours
        abandoned += plan.expected_abandoned
    t4 = time.perf_counter()
    print(f"\nforecast + staffing, 7 days × 48 intervals (synthetic 24/7 hotline, model {f.model}):")
    print(f"  build index    {t1 - t0:6.2f} s")
    print(f"  forecast       {t2 - t1:6.2f} s  (model choice by backtest + 80% intervals included)")
    print(f"  staffing       {t3 - t2:6.2f} s  (Erlang A, 336 intervals, peak {req.max()} agents)")
    print(f"  forecast+staff {t3 - t0:6.2f} s  (goal < 10 s on 2 cores)")
    print(
        f"  rostering      {t4 - t3:6.2f} s  (HiGHS, 7 day plans, {hours:.0f} agent-hours, "
        f"{abandoned:.0f} expected abandoned calls)"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="skip statsforecast models in the backtest")
    a = p.parse_args()
    print(f"cores available: {os.cpu_count()}")
    bank_backtest(a.quick)
    forecast_and_staffing()


if __name__ == "__main__":
    main()
