"""Synthetic call series for tests (seeded; no shared data files)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

DOW = np.array([1.25, 1.05, 1.0, 0.97, 1.02, 0.6, 0.5])


def synthetic_counts(
    *,
    weeks: int = 8,
    start: dt.date = dt.date(2024, 3, 4),  # a Monday
    step_minutes: int = 5,
    open_from: int = 8 * 60,
    open_to: int = 18 * 60,
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4),
    daily: float = 3000.0,
    seed: int = 7,
) -> pd.DataFrame:
    """Poisson counts with a two-peak intraday profile and weekday effects."""
    rng = np.random.default_rng(seed)
    minutes = np.arange(open_from, open_to, step_minutes)
    x = (minutes - open_from) / (open_to - open_from)
    profile = 0.3 + np.exp(-((x - 0.25) ** 2) / 0.01) + 0.7 * np.exp(-((x - 0.7) ** 2) / 0.02)
    profile = profile / profile.sum()
    rows = []
    for k in range(weeks * 7):
        d = start + dt.timedelta(days=k)
        if d.weekday() not in weekdays:
            continue
        level = daily * DOW[d.weekday()] * (1 + 0.1 * np.sin(k / 20)) * rng.lognormal(0, 0.02)
        counts = rng.poisson(level * profile)
        for m, c in zip(minutes, counts, strict=True):
            rows.append((dt.datetime.combine(d, dt.time()) + dt.timedelta(minutes=int(m)), int(c)))
    return pd.DataFrame(rows, columns=["start", "calls"])


def write_csv(df: pd.DataFrame, path) -> str:
    out = df.copy()
    out["start"] = pd.to_datetime(out["start"]).dt.strftime("%Y-%m-%d %H:%M:%S")
    out.to_csv(path, index=False)
    return str(path)
