"""Forecasting models (baselines, GridCare's daily profile, combinations, the optional statsforecast ones)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ..i18n import gettext as _
from .calendar import Calendar, _calendar_features
from .data import DayMatrix, ForecastError

ModelFn = Callable[[DayMatrix, Calendar, list[dt.date]], np.ndarray]


def _same_weekday(dm: DayMatrix, w: int) -> np.ndarray:
    return np.array([i for i, d in enumerate(dm.dates) if d.weekday() == w], dtype=int)


def snaive_day(dm: DayMatrix, cal: Calendar, targets: list[dt.date]) -> np.ndarray:
    return np.repeat(dm.values[-1:], len(targets), axis=0)


def snaive_week(dm: DayMatrix, cal: Calendar, targets: list[dt.date]) -> np.ndarray:
    out = []
    for d in targets:
        idx = _same_weekday(dm, d.weekday())
        out.append(dm.values[idx[-1]] if len(idx) else dm.values[-1])
    return np.array(out)


def mean_weeks(k: int) -> ModelFn:
    def model(dm: DayMatrix, cal: Calendar, targets: list[dt.date]) -> np.ndarray:
        out = []
        for d in targets:
            idx = _same_weekday(dm, d.weekday())[-k:]
            out.append(dm.values[idx].mean(0) if len(idx) else dm.values[-k:].mean(0))
        return np.array(out)

    return model


def mean_days(k: int) -> ModelFn:
    def model(dm: DayMatrix, cal: Calendar, targets: list[dt.date]) -> np.ndarray:
        return np.repeat(dm.values[-k:].mean(0, keepdims=True), len(targets), axis=0)

    return model


@dataclass(frozen=True)
class DailyProfileParams:
    level_half_life: float = 5.0  # operating days
    ridge: float = 0.3  # on the calendar effects (log scale)
    max_weeks: int = 52
    profile_weeks: int = 8
    profile_days: int = 20
    profile_same_weekday: float = 0.7


def daily_profile(params: DailyProfileParams = DailyProfileParams()) -> ModelFn:  # noqa: B008
    """Daily total (weekday + calendar effects, EW level) × intraday profile; see module doc."""

    def model(dm: DayMatrix, cal: Calendar, targets: list[dt.date]) -> np.ndarray:
        n_all = len(dm.dates)
        start = max(0, n_all - params.max_weeks * 7)
        dates = dm.dates[start:]
        vals = dm.values[start:]
        n = len(dates)
        tot = vals.sum(1)
        ok = tot > 0
        days = dates + list(targets)
        weekdays = sorted({d.weekday() for d in dates})
        ref = weekdays[0]
        wd_cols = [w for w in weekdays if w != ref]
        X_wd = np.array([[float(d.weekday() == w) for w in wd_cols] for d in days]).reshape(
            len(days), len(wd_cols)
        )
        X_cal = _calendar_features(days, cal)
        X = np.hstack([X_wd, X_cal])
        # week fixed effects for the history rows
        weeks = [d.isocalendar()[:2] for d in dates]
        uniq = {w: i for i, w in enumerate(dict.fromkeys(weeks))}
        W = np.zeros((n, len(uniq)))
        W[np.arange(n), [uniq[w] for w in weeks]] = 1.0
        A = np.hstack([X[:n], W])[ok]
        ly = np.log(np.maximum(tot[ok], 0.5))
        pen = np.r_[
            np.full(len(wd_cols), 1e-6), np.full(X_cal.shape[1], params.ridge), np.full(W.shape[1], 1e-6)
        ]
        beta = np.linalg.solve(A.T @ A + np.diag(pen), A.T @ ly)
        eff = X @ beta[: X.shape[1]]
        z = ly - eff[:n][ok]
        age = (n - 1 - np.flatnonzero(ok)).astype(float)
        w = 0.5 ** (age / params.level_half_life)
        level = float((w * z).sum() / w.sum())
        totals = np.exp(level + eff[n:])
        # intraday profile
        shares = np.zeros_like(vals)
        shares[ok] = vals[ok] / tot[ok, None]
        wd_arr = np.array([d.weekday() for d in dates])
        weekend = wd_arr >= 5
        out = []
        for d, total in zip(targets, totals, strict=True):
            same = np.flatnonzero((wd_arr == d.weekday()) & ok)[-params.profile_weeks :]
            typ = np.flatnonzero((weekend == (d.weekday() >= 5)) & ok)[-params.profile_days :]
            if len(typ) == 0:
                typ = np.flatnonzero(ok)[-params.profile_days :]
            p_typ = shares[typ].mean(0)
            if len(same):
                p = (
                    params.profile_same_weekday * shares[same].mean(0)
                    + (1 - params.profile_same_weekday) * p_typ
                )
            else:
                p = p_typ
            p = np.where(dm.open[d.weekday()], p, 0.0)
            s = p.sum()
            out.append(total * p / s if s > 0 else np.zeros_like(p))
        return np.array(out)

    return model


def combo(*models: ModelFn) -> ModelFn:
    def model(dm: DayMatrix, cal: Calendar, targets: list[dt.date]) -> np.ndarray:
        return np.mean([m(dm, cal, targets) for m in models], axis=0)

    return model


BASELINES = ("snaive_day", "snaive_week")


OFF_THE_SHELF = ("sf_mstl", "sf_ets_ana", "sf_ets_mnm")  # statsforecast, the optional extra


DEFAULT_MODEL = "daily_profile"


FORECAST_COMPARE_INSTALL = "pip install -c constraints.txt -e '.[forecast-compare]'"


def statsforecast_installed() -> bool:
    """Whether the optional extra ``forecast-compare`` (statsforecast) is installed."""
    return importlib.util.find_spec("statsforecast") is not None


def require_statsforecast(models: Iterable[str] = OFF_THE_SHELF) -> None:
    """Raise a ForecastError naming the extra when comparison models are asked for without it."""
    if not statsforecast_installed():
        names = ", ".join(models)
        raise ForecastError(
            _("比较模型 %(names)s 需要可选依赖 statsforecast：%(install)s")
            % {"names": names, "install": FORECAST_COMPARE_INSTALL},
            field="model",
        )


def _statsforecast(make: Callable[[int], object]) -> ModelFn:
    """Run a statsforecast model on the flattened open cells (the interval index)."""

    def model(dm: DayMatrix, cal: Calendar, targets: list[dt.date]) -> np.ndarray:
        mask = dm.day_mask(dm.dates)
        y = dm.values[mask].astype(float)
        season = int(np.median(mask.sum(1)))
        tmask = dm.day_mask(targets)
        h = int(tmask.sum())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = np.asarray(make(season).forecast(y=y, h=h)["mean"], dtype=float)
        out = np.zeros((len(targets), len(dm.slots)))
        out[tmask] = np.maximum(fc, 0.0)
        return out

    return model


def _sf_mstl(season: int):
    from statsforecast.models import MSTL

    return MSTL(season_length=[season, season * 5])


def _sf_ets(kind: str):
    def make(season: int):
        from statsforecast.models import AutoETS

        return AutoETS(season_length=season, model=kind)

    return make


def candidate_models(include_statsforecast: bool = True) -> dict[str, ModelFn]:
    """Every model the backtest compares, baselines first. Names are stable (CLI/JSON).

    ``include_statsforecast`` adds the comparison models; without the optional extra that
    raises a ForecastError saying how to install it.
    """
    models: dict[str, ModelFn] = {
        "snaive_day": snaive_day,
        "snaive_week": snaive_week,
        "mean_4w": mean_weeks(4),
        "mean_5d": mean_days(5),
        "daily_profile": daily_profile(),
        "combo": combo(daily_profile(), mean_weeks(4)),
    }
    if include_statsforecast:
        require_statsforecast()
        models["sf_mstl"] = _statsforecast(_sf_mstl)
        models["sf_ets_ana"] = _statsforecast(_sf_ets("ANA"))
        models["sf_ets_mnm"] = _statsforecast(_sf_ets("MNM"))
    return models
