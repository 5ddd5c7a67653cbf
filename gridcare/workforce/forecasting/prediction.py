"""The forecast: model selection, prediction with intervals and uplifts."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..i18n import gettext as _
from .calendar import Calendar, calendar_for
from .data import DayMatrix, ForecastError, _check_history
from .evaluation import Score, _dispersion, _min_train_days, backtest, nb_interval
from .models import DEFAULT_MODEL, OFF_THE_SHELF, candidate_models, require_statsforecast


@dataclass
class Forecast:
    """Per-interval forecast for the next operating day(s)."""

    model: str
    interval_minutes: int
    starts: list[dt.datetime]
    mean: np.ndarray
    lo80: np.ndarray
    hi80: np.ndarray
    dispersion: float
    warnings: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"start": self.starts, "forecast": self.mean, "lo80": self.lo80, "hi80": self.hi80}
        )

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "interval_minutes": self.interval_minutes,
            "dispersion": self.dispersion,
            "warnings": self.warnings,
            "rows": [
                {"start": s.isoformat(), "forecast": float(m), "lo80": float(lo), "hi80": float(hi)}
                for s, m, lo, hi in zip(self.starts, self.mean, self.lo80, self.hi80, strict=True)
            ],
        }


def predict(
    dm: DayMatrix,
    *,
    horizon_days: int = 1,
    model: str = DEFAULT_MODEL,
    closed_dates: Iterable[dt.date] = (),
    extra_open_dates: Iterable[dt.date] = (),
    special_dates: Iterable[dt.date] = (),
    uplift: dict | None = None,
) -> Forecast:
    """Forecast the next ``horizon_days`` operating days after the history (see module doc)."""
    if horizon_days < 1:
        raise ForecastError("horizon_days must be ≥ 1", field="horizon_days")
    if model in OFF_THE_SHELF:
        require_statsforecast([model])
    models = candidate_models(include_statsforecast=model in OFF_THE_SHELF)
    if model != "auto" and model not in models:
        raise ForecastError(
            _("未知模型 %(model)s，请选择 auto 或 %(models)s 之一")
            % {"model": repr(model), "models": ", ".join(models)},
            field="model",
        )
    closed = set(closed_dates)
    special = set(special_dates)
    cal = calendar_for(dm, closed, extra_open_dates)
    fit = dm.select(np.array([d not in closed and d not in special for d in dm.dates]))
    _check_history(fit)
    if model == "auto":
        model = select_model(fit, cal)
    fn = models[model]
    targets = cal.next_days(dm.dates[-1], horizon_days)
    mean = fn(fit, cal, targets)
    phi = _dispersion(fit, fn, cal)
    lo, hi = nb_interval(mean, phi)
    factors = _uplift_factors(dm, targets, uplift or {})
    mean, lo, hi = mean * factors, lo * factors, hi * factors
    mask = dm.day_mask(targets)
    starts = dm.timestamps(targets)
    return Forecast(
        model, dm.interval_minutes, starts, mean[mask], lo[mask], hi[mask], phi, list(dm.warnings)
    )


def select_model(dm: DayMatrix, cal: Calendar | None = None, *, origins: int = 20) -> str:
    """The candidate (statsforecast excluded, for speed) with the lowest day-ahead MASE."""
    origins = min(origins, len(dm.dates) - _min_train_days(dm))
    if origins < 1:
        return DEFAULT_MODEL
    scores = backtest(dm, candidate_models(include_statsforecast=False), origins=origins, cal=cal)
    best = min(scores, key=lambda s: math.inf if math.isnan(s.mase) else s.mase)
    return best.model


def _uplift_factors(dm: DayMatrix, targets: list[dt.date], uplift: dict) -> np.ndarray:
    f = np.ones((len(targets), len(dm.slots)))
    for key, factor in uplift.items():
        if factor is None or not math.isfinite(float(factor)) or float(factor) < 0:
            raise ForecastError(
                _("放大系数须为非负数（现为 %(value)s）") % {"value": repr(factor)}, field="uplift"
            )
        if isinstance(key, dt.datetime):
            d = key.date()
            s = key.hour * 60 + key.minute
            if d in targets and s - s % dm.interval_minutes in dm.slots:
                f[targets.index(d), dm.slots.index(s - s % dm.interval_minutes)] *= float(factor)
        elif isinstance(key, dt.date) and key in targets:
            f[targets.index(key)] *= float(factor)
    return f


def backtest_with_coverage(
    dm: DayMatrix, scores: list[Score], model: str, *, origins: int, cal: Calendar | None = None
) -> None:
    """Fill ``coverage80`` of ``model``'s score: share of actuals inside its 80 % interval.

    Each origin's interval uses only residuals of day-ahead forecasts made before it.
    """
    cal = cal or calendar_for(dm)
    fn = candidate_models(include_statsforecast=model in OFF_THE_SHELF)[model]
    n = len(dm.dates)
    start = max(_min_train_days(dm), n - origins - 20)
    fcs = {o: fn(dm.head(o), cal, dm.dates[o : o + 1])[0] for o in range(start, n)}
    inside = total = 0
    for o in range(n - origins, n):
        num = den = 0.0
        for k in range(max(start, o - 20), o):
            m = dm.open[dm.dates[k].weekday()] & (fcs[k] > 0)
            f, y = fcs[k][m], dm.values[k][m]
            num += float(((y - f) ** 2 - f).sum())
            den += float((f**2).sum())
        phi = max(num / den, 1e-6) if den > 0 else 0.05**2
        lo, hi = nb_interval(fcs[o], phi)
        m = dm.open[dm.dates[o].weekday()]
        a = dm.values[o]
        inside += int(((a >= lo) & (a <= hi))[m].sum())
        total += int(m.sum())
    for s in scores:
        if s.model == model:
            s.coverage80 = inside / total if total else None
