"""Contact-volume forecasting on an *interval index* (pure Python, no Django).

Why: staffing needs the expected number of calls per interval for the next day(s). Contact
centres have closed hours (nights, weekends, holidays), so the series is handled as
operating days × open intervals (a "day matrix"), never as wall-clock time with gaps.

Input and validation (``load_counts`` / ``build_day_matrix``)
--------------------------------------------------------------
* A table ``start, calls``; naive timestamps are local time. Unsorted or duplicate
  timestamps, negative or missing counts are errors naming the first offending row.
* The input interval is inferred (the smallest step between consecutive timestamps);
  every timestamp must lie on that grid. The requested interval must be a multiple of it
  and divide a day, otherwise an error. Aggregation sums the input intervals inside each
  requested interval (a bucket that is only partly open — e.g. 21:00–21:30 when the last
  5-minute interval starts at 21:00 — holds what is open, the same every day).
* Open hours: a slot (time of day) is open on a weekday when it appears on at least half
  of that weekday's days. Days that do not appear at all are closed (weekends,
  holidays). **Gaps** — an open slot missing on an operating day — are filled with the
  mean of the same slot on the same weekday over the surrounding four weeks (a warning
  says how many); a day missing more than half of its open slots is dropped as closed.
* At least two weeks of history: every operating weekday must occur at least twice.

Models (all produce a (days × slots) matrix of expected calls)
--------------------------------------------------------------
* ``snaive_day`` — same interval on the previous operating day (baseline),
* ``snaive_week`` — same interval on the same weekday a week before (baseline),
* ``mean_4w`` / ``mean_5d`` — mean of the same interval over the last 4 same weekdays /
  last 5 operating days,
* ``daily_profile`` — GridCare's model, multiplicative: *daily total × intraday profile*.
  The log daily total is regressed (ridge on the calendar terms) on weekday effects and
  calendar effects — 1st/2nd/3rd and last operating day of the month, first day after and
  last day before an unexpected closed day (holiday) — with one fixed effect per week, so
  the effects are estimated within weeks, free of the moving level. The level is the
  exponentially weighted mean (half-life 5 operating days) of the log totals net of
  those effects. The profile (each interval's share of the day) is 0.7 × the mean of the
  last 8 same-weekday profiles + 0.3 × the mean of the last 20 days of the same day type
  (weekday/weekend). Hyper-parameters were chosen by rolling-origin backtest on origins
  41–100 of the bank-calls series, never on the last 20 origins that are reported.
* ``combo`` — mean of ``daily_profile`` and ``mean_4w`` (a candidate, kept only if it wins),
* statsforecast off-the-shelf models on the flattened interval index (``sf_mstl`` MSTL
  with seasons of one day and one week, ``sf_ets_ana`` / ``sf_ets_mnm`` AutoETS with a
  fixed model and a daily season). Comparison only, never chosen by ``auto``: statsforecast
  (with pyarrow, fugue, statsmodels) is the optional extra ``gridcare[forecast-compare]``,
  imported only when one of them is asked for.

Metrics (``backtest``)
----------------------
Day-ahead forecasts from each of the last ``origins`` operating days; per origin MAE,
RMSE, MAPE (over intervals with non-zero actuals, in %) and **MASE** = MAE divided by the
in-sample MAE, on the training part before that origin, of the naive forecast one day
back on the interval index (same interval on the previous operating day). Reported
figures are means over origins.

Prediction intervals: ``lo80``/``hi80`` are the 10 % / 90 % quantiles of a negative
binomial with the forecast as mean and variance ``f + φ·f²``; φ (over-dispersion) is
estimated by moments from the model's own day-ahead residuals on up to 20 origins before
the forecast origin.

Calendar and events: ``closed_dates`` are never forecast (holidays) and, when present in
history, are left out of the fit; ``special_dates`` (storm days, system outages) are
kept in the index but left out of the fit; ``uplift`` maps a date (whole day) or a
timestamp (one interval) to a multiplicative factor applied to the forecast and its
interval (e.g. 1.5 for an open outage expected to raise calls by half).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


class ForecastError(ValueError):
    """Input that cannot be forecast; the message names the row or value at fault."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# ---------------------------------------------------------------------------------------------------
# input


def parse_interval(text: str | int) -> int:
    """'30min', '30m', '30T', '1h', '60', 30 → minutes."""
    if isinstance(text, int):
        minutes = text
    else:
        m = re.fullmatch(r"\s*(\d+)\s*(min|m|t|minutes?|h|hours?)?\s*", str(text).lower())
        if not m:
            raise ForecastError(
                f"无法识别的时段长度 / cannot read interval {text!r}; use e.g. 30min or 1h", field="interval"
            )
        minutes = int(m.group(1)) * (60 if (m.group(2) or "").startswith("h") else 1)
    if minutes <= 0 or 1440 % minutes:
        raise ForecastError(
            f"时段长度须能整除一天 / the interval must divide a day (got {minutes} min)", field="interval"
        )
    return minutes


def load_counts(source) -> pd.Series:
    """Read ``start, calls`` (CSV path, file object or DataFrame) into a validated Series."""
    if isinstance(source, pd.DataFrame):
        df = source.copy()
    elif isinstance(source, pd.Series):
        df = source.rename("calls").rename_axis("start").reset_index()
    else:
        try:
            df = pd.read_csv(source, dtype=str, keep_default_na=False)
        except FileNotFoundError:
            raise ForecastError(f"文件不存在 / file not found: {source}", field="input")
        except pd.errors.EmptyDataError:
            raise ForecastError("文件为空 / empty file", field="input")
    df.columns = [str(c).strip().lower() for c in df.columns]
    if not {"start", "calls"} <= set(df.columns):
        raise ForecastError(
            f"需要列 start, calls / columns start, calls required (got {', '.join(df.columns)})",
            field="input",
        )
    if df.empty:
        raise ForecastError("没有数据行 / no data rows", field="input")
    starts = pd.to_datetime(df["start"].astype(str).str.strip(), errors="coerce", format="mixed")
    bad = starts.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ForecastError(
            f"第 {i + 2} 行时间无法识别 / row {i + 2}: bad start {df['start'].iloc[i]!r}", field="start"
        )
    if starts.dt.tz is not None:
        starts = starts.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    calls = pd.to_numeric(df["calls"].astype(str).str.strip(), errors="coerce")
    bad = calls.isna() | ~np.isfinite(calls)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ForecastError(
            f"第 {i + 2} 行来电量不是数字 / row {i + 2}: calls {df['calls'].iloc[i]!r} is not a number",
            field="calls",
        )
    neg = calls < 0
    if neg.any():
        i = int(np.flatnonzero(neg.to_numpy())[0])
        raise ForecastError(
            f"第 {i + 2} 行来电量为负数 / row {i + 2}: negative calls {calls.iloc[i]:g}", field="calls"
        )
    t = starts.to_numpy()
    dup = t[1:] == t[:-1]
    if dup.any() or starts.duplicated().any():
        i = int(np.flatnonzero(starts.duplicated().to_numpy())[0])
        raise ForecastError(
            f"第 {i + 2} 行时间重复 / row {i + 2}: duplicate timestamp {starts.iloc[i]}", field="start"
        )
    back = t[1:] < t[:-1]
    if back.any():
        i = int(np.flatnonzero(back)[0]) + 1
        raise ForecastError(
            f"第 {i + 2} 行时间早于上一行，数据未排序 / row {i + 2}: timestamps not sorted ({starts.iloc[i]} after {starts.iloc[i - 1]})",
            field="start",
        )
    return pd.Series(calls.to_numpy(dtype=float), index=pd.DatetimeIndex(starts), name="calls")


def infer_base_interval(series: pd.Series) -> int:
    """The input's interval in minutes: the smallest step between consecutive timestamps."""
    if len(series) < 2:
        raise ForecastError("数据太少 / too few rows to infer the interval", field="input")
    steps = np.diff(series.index.asi8) // 60_000_000_000
    steps = steps[steps > 0]
    base = int(steps.min())
    minutes = series.index.hour * 60 + series.index.minute
    if base <= 0 or 1440 % base or (np.asarray(minutes) % base).any() or (series.index.second != 0).any():
        raise ForecastError(
            f"时间点不在统一的 {base} 分钟网格上 / timestamps are not on one regular grid of {base} minutes",
            field="start",
        )
    return base


def aggregate(series: pd.Series, minutes: int) -> pd.Series:
    """Sum input intervals into ``minutes``-long intervals aligned to midnight."""
    base = infer_base_interval(series)
    if minutes % base:
        raise ForecastError(
            f"输入时段 {base} 分钟不能整除所需的 {minutes} 分钟 / the input interval ({base} min) does not divide "
            f"the requested interval ({minutes} min)",
            field="interval",
        )
    if minutes == base:
        return series
    return series.groupby(series.index.floor(f"{minutes}min")).sum()


# ---------------------------------------------------------------------------------------------------
# the day matrix


@dataclass
class DayMatrix:
    """History as operating days × open slots (minutes after midnight)."""

    dates: list[dt.date]
    slots: list[int]
    values: np.ndarray  # (n_days, n_slots); 0 where the slot is closed on that weekday
    open: np.ndarray  # (7, n_slots) bool
    interval_minutes: int
    warnings: list[str] = field(default_factory=list)

    def head(self, n: int) -> DayMatrix:
        return DayMatrix(self.dates[:n], self.slots, self.values[:n], self.open, self.interval_minutes, [])

    def select(self, keep: np.ndarray) -> DayMatrix:
        idx = np.flatnonzero(keep)
        return DayMatrix(
            [self.dates[i] for i in idx], self.slots, self.values[idx], self.open, self.interval_minutes, []
        )

    def day_mask(self, dates: Iterable[dt.date]) -> np.ndarray:
        """(len(dates), n_slots) bool: which cells of these days are open."""
        return np.array([self.open[d.weekday()] for d in dates]).reshape(-1, len(self.slots))

    @property
    def weekdays(self) -> set[int]:
        return {w for w in range(7) if self.open[w].any()}

    def timestamps(self, dates: Iterable[dt.date]) -> list[dt.datetime]:
        out = []
        for d in dates:
            for j, s in enumerate(self.slots):
                if self.open[d.weekday(), j]:
                    out.append(dt.datetime.combine(d, dt.time()) + dt.timedelta(minutes=s))
        return out


def build_day_matrix(series: pd.Series, interval_minutes: int) -> DayMatrix:
    """Reshape to days × slots at the input interval, fill gaps, then aggregate (see module doc)."""
    base = infer_base_interval(series)
    if interval_minutes % base:
        aggregate(series, interval_minutes)  # raises the explanatory error
    idx = series.index
    days = idx.normalize()
    slot = (idx.hour * 60 + idx.minute).to_numpy()
    dates = sorted({d.date() for d in days})
    slots = sorted(set(slot.tolist()))
    di = {d: i for i, d in enumerate(dates)}
    si = {s: j for j, s in enumerate(slots)}
    vals = np.full((len(dates), len(slots)), np.nan)
    vals[np.array([di[d.date()] for d in days]), np.array([si[s] for s in slot])] = series.to_numpy()
    wd = np.array([d.weekday() for d in dates])
    present = ~np.isnan(vals)
    open_ = np.zeros((7, len(slots)), dtype=bool)
    for w in range(7):
        if (wd == w).any():
            open_[w] = present[wd == w].mean(axis=0) >= 0.5
    notes: list[str] = []
    mask = open_[wd]
    missing = mask & ~present
    # a day with more than half of its open slots missing is dropped (treated as closed)
    frac = missing.sum(1) / np.maximum(mask.sum(1), 1)
    drop = frac > 0.5
    if drop.any():
        notes.append(
            f"{int(drop.sum())} 天缺失过半时段，按休息日处理 / {int(drop.sum())} day(s) missing more than half "
            f"of their open intervals were treated as closed: "
            + ", ".join(str(dates[i]) for i in np.flatnonzero(drop)[:5])
        )
    keep = ~drop
    dates = [d for d, k in zip(dates, keep, strict=True) if k]
    vals, mask, missing, wd = vals[keep], mask[keep], missing[keep], wd[keep]
    n_gaps = int(missing.sum())
    if n_gaps:
        for i, j in zip(*np.nonzero(missing), strict=True):
            near = [
                k
                for k in range(max(0, i - 28), min(len(dates), i + 29))
                if wd[k] == wd[i] and not missing[k, j] and abs((dates[k] - dates[i]).days) <= 28
            ]
            pool = vals[near, j] if near else vals[~missing[:, j] & mask[:, j], j]
            vals[i, j] = float(np.nanmean(pool)) if len(pool) else 0.0
        notes.append(
            f"{n_gaps} 个时段缺失，已用前后四周同星期同时段均值补齐 / {n_gaps} missing interval(s) inside "
            "operating days were filled with the mean of the same interval on the same weekday (±4 weeks)"
        )
    vals = np.nan_to_num(np.where(mask, vals, 0.0), nan=0.0)
    # aggregate columns into the requested interval (buckets aligned to midnight)
    buckets = sorted({s - s % interval_minutes for s in slots})
    bi = {b: k for k, b in enumerate(buckets)}
    agg = np.zeros((len(dates), len(buckets)))
    agg_open = np.zeros((7, len(buckets)), dtype=bool)
    for j, s in enumerate(slots):
        k = bi[s - s % interval_minutes]
        agg[:, k] += vals[:, j]
        agg_open[:, k] |= open_[:, j]
    dm = DayMatrix(dates, buckets, agg, agg_open, interval_minutes, notes)
    _check_history(dm)
    return dm


def _check_history(dm: DayMatrix) -> None:
    if not dm.dates:
        raise ForecastError("没有数据 / no data", field="input")
    counts = {w: sum(1 for d in dm.dates if d.weekday() == w) for w in dm.weekdays}
    short = [w for w, c in counts.items() if c < 2]
    if short or (dm.dates[-1] - dm.dates[0]).days < 7:
        raise ForecastError(
            "历史数据不足两周 / fewer than two weeks of history: every operating weekday must occur at least "
            f"twice (have {len(dm.dates)} day(s) from {dm.dates[0]} to {dm.dates[-1]})",
            field="input",
        )


# ---------------------------------------------------------------------------------------------------
# the operating calendar


@dataclass
class Calendar:
    """Which dates are operating days: known days from the data, then the weekly pattern.

    ``known`` are dates whose status the data already tells (operating if present);
    ``closed`` are declared non-operating dates (holidays); ``extra_open`` are declared
    operating dates outside the weekly pattern (make-up working days).
    """

    weekdays: set[int]
    known: set[dt.date]
    known_until: dt.date
    closed: frozenset[dt.date] = frozenset()
    extra_open: frozenset[dt.date] = frozenset()

    def is_open(self, d: dt.date) -> bool:
        if d in self.closed:
            return False
        if d <= self.known_until:
            return d in self.known
        return d.weekday() in self.weekdays or d in self.extra_open

    def next_days(self, after: dt.date, n: int) -> list[dt.date]:
        out, d = [], after
        for _ in range(3660):
            d += dt.timedelta(days=1)
            if self.is_open(d):
                out.append(d)
                if len(out) == n:
                    return out
        raise ForecastError("未来十年内没有营业日 / no operating day found", field="closed_dates")

    def is_regular(self, d: dt.date) -> bool:
        """Would ``d`` be open under the plain weekly pattern?"""
        return d.weekday() in self.weekdays


def calendar_for(
    dm: DayMatrix, closed: Iterable[dt.date] = (), extra_open: Iterable[dt.date] = ()
) -> Calendar:
    recent = [d for d in dm.dates if (dm.dates[-1] - d).days < 28]
    weekdays = {d.weekday() for d in recent} or dm.weekdays
    return Calendar(weekdays, set(dm.dates), dm.dates[-1], frozenset(closed), frozenset(extra_open))


def _calendar_features(days: list[dt.date], cal: Calendar) -> np.ndarray:
    """Columns: 1st, 2nd, 3rd and last operating day of the month, after/before a closed weekday."""
    out = np.zeros((len(days), 6))
    month_cache: dict[tuple[int, int], list[dt.date]] = {}
    for r, d in enumerate(days):
        key = (d.year, d.month)
        if key not in month_cache:
            first = dt.date(d.year, d.month, 1)
            nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
            month_cache[key] = [
                first + dt.timedelta(days=k)
                for k in range((nxt - first).days)
                if cal.is_open(first + dt.timedelta(days=k))
            ]
        month = month_cache[key]
        k = month.index(d) if d in month else -1
        if k >= 0:
            out[r, 0] = k == 0
            out[r, 1] = k == 1
            out[r, 2] = k == 2
            out[r, 3] = k == len(month) - 1
        # previous / next regular weekday closed (a holiday next to this day)
        prev = d - dt.timedelta(days=1)
        while not cal.is_regular(prev) and (d - prev).days < 7:
            prev -= dt.timedelta(days=1)
        nxt = d + dt.timedelta(days=1)
        while not cal.is_regular(nxt) and (nxt - d).days < 7:
            nxt += dt.timedelta(days=1)
        out[r, 4] = cal.is_regular(prev) and not cal.is_open(prev)
        out[r, 5] = cal.is_regular(nxt) and not cal.is_open(nxt)
    return out


# ---------------------------------------------------------------------------------------------------
# models

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
            f"比较模型 {names} 需要可选依赖 statsforecast / the comparison model(s) {names} "
            f"need the optional statsforecast package: {FORECAST_COMPARE_INSTALL}",
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


# ---------------------------------------------------------------------------------------------------
# backtest


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
            f"历史太短，无法回测 {origins} 个起点 / history too short for {origins} origins: need at least "
            f"{min_days + origins + horizon_days - 1} operating days, have {n}",
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


# ---------------------------------------------------------------------------------------------------
# prediction intervals


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


# ---------------------------------------------------------------------------------------------------
# prediction


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
            f"未知模型 / unknown model {model!r}; choose auto or one of {', '.join(models)}", field="model"
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
                f"放大系数须为非负数 / uplift factor must be ≥ 0 (got {factor!r})", field="uplift"
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
