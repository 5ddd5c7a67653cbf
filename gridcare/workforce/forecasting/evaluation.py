"""Backtests (MAE, RMSE, MAPE, MASE) and prediction-interval dispersion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..i18n import gettext as _
from .calendar import Calendar, calendar_for
from .data import DayMatrix, ForecastError
from .models import ModelFn


def mase_scale(dm: DayMatrix) -> float:
    """In-sample MAE of the one-day-back naive on the interval index (open cells only)."""
    mask = dm.day_mask(dm.dates)
    a, b = dm.values[1:], dm.values[:-1]
    both = mask[1:] & mask[:-1]
    diff = np.abs(a - b)[both]
    return float(diff.mean()) if diff.size else float("nan")


@dataclass
class Score:
    model: str
    mae: float
    rmse: float
    mape: float
    mase: float
    coverage80: float | None = None

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "mae": self.mae,
            "rmse": self.rmse,
            "mape": self.mape,
            "mase": self.mase,
            "coverage80": self.coverage80,
        }


def _score(
    actual: np.ndarray, fc: np.ndarray, mask: np.ndarray, scale: float
) -> tuple[float, float, float, float]:
    a, f = actual[mask], fc[mask]
    e = f - a
    mae = float(np.abs(e).mean())
    rmse = float(np.sqrt((e**2).mean()))
    nz = a > 0
    mape = float((np.abs(e[nz]) / a[nz]).mean() * 100) if nz.any() else float("nan")
    return mae, rmse, mape, mae / scale if scale > 0 else float("nan")


def backtest(
    dm: DayMatrix,
    models: dict[str, ModelFn],
    *,
    origins: int = 20,
    horizon_days: int = 1,
    cal: Calendar | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Score]:
    """Rolling-origin evaluation of each model over the last ``origins`` forecast days."""
    cal = cal or calendar_for(dm)
    n = len(dm.dates)
    first = n - origins - horizon_days + 1
    min_days = _min_train_days(dm)
    if origins < 1 or first < min_days:
        raise ForecastError(
            _("历史太短，无法回测 %(origins)s 个起点：至少需要 %(need)s 个营业日，现有 %(have)s 个")
            % {"origins": origins, "need": min_days + origins + horizon_days - 1, "have": n},
            field="origins",
        )
    scales = {o: mase_scale(dm.head(o)) for o in range(first, first + origins)}
    scores = []
    for name, model in models.items():
        rows = []
        for o in range(first, first + origins):
            hist = dm.head(o)
            targets = dm.dates[o : o + horizon_days]
            fc = model(hist, cal, targets)
            actual = dm.values[o : o + horizon_days]
            rows.append(_score(actual, fc, dm.day_mask(targets), scales[o]))
        r = np.array(rows)
        scores.append(Score(name, *(float(x) for x in np.nanmean(r, axis=0))))
        if progress:
            progress(name)
    return scores


def _min_train_days(dm: DayMatrix) -> int:
    return max(2 * len(dm.weekdays), 10)


def _dispersion(dm: DayMatrix, model: ModelFn, cal: Calendar, n_origins: int = 20) -> float:
    """Moment estimate of φ in Var = f + φ f² from day-ahead residuals before the origin."""
    n = len(dm.dates)
    first = max(_min_train_days(dm), n - n_origins)
    num, den = [], []
    for o in range(first, n):
        targets = dm.dates[o : o + 1]
        f = model(dm.head(o), cal, targets)[0]
        m = dm.day_mask(targets)[0] & (f > 0)
        y = dm.values[o][m]
        f = f[m]
        num.append(((y - f) ** 2 - f).sum())
        den.append((f**2).sum())
    if not den or sum(den) == 0:
        return 0.05**2
    return max(float(sum(num) / sum(den)), 1e-6)


def nb_interval(mean: np.ndarray, phi: float, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Central ``level`` interval of a negative binomial with this mean and Var = μ + φμ²."""
    from scipy import stats

    mu = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    r = 1.0 / phi
    p = r / (r + mu)
    q = (1 - level) / 2
    lo = stats.nbinom.ppf(q, r, p)
    hi = stats.nbinom.ppf(1 - q, r, p)
    zero = np.asarray(mean) <= 0
    return np.where(zero, 0.0, lo), np.where(zero, 0.0, hi)
