"""Input and the day matrix: reading counts, intervals, open hours, gaps."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..i18n import gettext as _


class ForecastError(ValueError):
    """Input that cannot be forecast; the message names the row or value at fault."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def parse_interval(text: str | int) -> int:
    """'30min', '30m', '30T', '1h', '60', 30 → minutes."""
    if isinstance(text, int):
        minutes = text
    else:
        m = re.fullmatch(r"\s*(\d+)\s*(min|m|t|minutes?|h|hours?)?\s*", str(text).lower())
        if not m:
            raise ForecastError(
                _("无法识别的时段长度 %(value)s，请写成 30min 或 1h") % {"value": repr(text)},
                field="interval",
            )
        minutes = int(m.group(1)) * (60 if (m.group(2) or "").startswith("h") else 1)
    if minutes <= 0 or 1440 % minutes:
        raise ForecastError(
            _("时段长度须能整除一天（现为 %(minutes)s 分钟）") % {"minutes": minutes}, field="interval"
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
            raise ForecastError(_("文件不存在：%(path)s") % {"path": source}, field="input")
        except pd.errors.EmptyDataError:
            raise ForecastError(_("文件为空"), field="input")
    df.columns = [str(c).strip().lower() for c in df.columns]
    if not {"start", "calls"} <= set(df.columns):
        raise ForecastError(
            _("需要列 start, calls（现有 %(columns)s）") % {"columns": ", ".join(df.columns)},
            field="input",
        )
    if df.empty:
        raise ForecastError(_("没有数据行"), field="input")
    starts = pd.to_datetime(df["start"].astype(str).str.strip(), errors="coerce", format="mixed")
    bad = starts.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ForecastError(
            _("第 %(row)s 行时间无法识别：%(value)s") % {"row": i + 2, "value": repr(df["start"].iloc[i])},
            field="start",
        )
    if starts.dt.tz is not None:
        starts = starts.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    calls = pd.to_numeric(df["calls"].astype(str).str.strip(), errors="coerce")
    bad = calls.isna() | ~np.isfinite(calls)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ForecastError(
            _("第 %(row)s 行来电量不是数字：%(value)s") % {"row": i + 2, "value": repr(df["calls"].iloc[i])},
            field="calls",
        )
    neg = calls < 0
    if neg.any():
        i = int(np.flatnonzero(neg.to_numpy())[0])
        raise ForecastError(
            _("第 %(row)s 行来电量为负数：%(value)s") % {"row": i + 2, "value": f"{calls.iloc[i]:g}"},
            field="calls",
        )
    t = starts.to_numpy()
    dup = t[1:] == t[:-1]
    if dup.any() or starts.duplicated().any():
        i = int(np.flatnonzero(starts.duplicated().to_numpy())[0])
        raise ForecastError(
            _("第 %(row)s 行时间重复：%(time)s") % {"row": i + 2, "time": starts.iloc[i]}, field="start"
        )
    back = t[1:] < t[:-1]
    if back.any():
        i = int(np.flatnonzero(back)[0]) + 1
        raise ForecastError(
            _("第 %(row)s 行时间早于上一行，数据未排序（%(time)s 在 %(previous)s 之后）")
            % {"row": i + 2, "time": starts.iloc[i], "previous": starts.iloc[i - 1]},
            field="start",
        )
    return pd.Series(calls.to_numpy(dtype=float), index=pd.DatetimeIndex(starts), name="calls")


def infer_base_interval(series: pd.Series) -> int:
    """The input's interval in minutes: the smallest step between consecutive timestamps."""
    if len(series) < 2:
        raise ForecastError(_("数据太少，无法推断时段长度"), field="input")
    steps = np.diff(series.index.asi8) // 60_000_000_000
    steps = steps[steps > 0]
    base = int(steps.min())
    minutes = series.index.hour * 60 + series.index.minute
    if base <= 0 or 1440 % base or (np.asarray(minutes) % base).any() or (series.index.second != 0).any():
        raise ForecastError(
            _("时间点不在统一的 %(minutes)s 分钟网格上") % {"minutes": base},
            field="start",
        )
    return base


def aggregate(series: pd.Series, minutes: int) -> pd.Series:
    """Sum input intervals into ``minutes``-long intervals aligned to midnight."""
    base = infer_base_interval(series)
    if minutes % base:
        raise ForecastError(
            _("输入时段 %(base)s 分钟不能整除所需的 %(minutes)s 分钟") % {"base": base, "minutes": minutes},
            field="interval",
        )
    if minutes == base:
        return series
    return series.groupby(series.index.floor(f"{minutes}min")).sum()


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
            _("%(n)s 天缺失过半时段，按休息日处理：%(dates)s")
            % {"n": int(drop.sum()), "dates": ", ".join(str(dates[i]) for i in np.flatnonzero(drop)[:5])}
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
        notes.append(_("%(n)s 个时段缺失，已用前后四周同星期同时段均值补齐") % {"n": n_gaps})
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
        raise ForecastError(_("没有数据"), field="input")
    counts = {w: sum(1 for d in dm.dates if d.weekday() == w) for w in dm.weekdays}
    short = [w for w, c in counts.items() if c < 2]
    if short or (dm.dates[-1] - dm.dates[0]).days < 7:
        raise ForecastError(
            _("历史数据不足两周：每个营业的星期几须至少出现两次（现有 %(days)s 天，%(first)s 至 %(last)s）")
            % {"days": len(dm.dates), "first": dm.dates[0], "last": dm.dates[-1]},
            field="input",
        )
