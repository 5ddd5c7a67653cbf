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

The package: ``data`` (input, day matrix), ``calendar``, ``models``, ``evaluation``
(backtests, dispersion), ``prediction``; every name is importable from here.
"""

from .calendar import (  # noqa: F401
    Calendar,
    _calendar_features,
    calendar_for,
)
from .data import (  # noqa: F401
    DayMatrix,
    ForecastError,
    _check_history,
    aggregate,
    build_day_matrix,
    infer_base_interval,
    load_counts,
    parse_interval,
)
from .evaluation import (  # noqa: F401
    Score,
    _dispersion,
    _min_train_days,
    _score,
    backtest,
    mase_scale,
    nb_interval,
)
from .models import (  # noqa: F401
    BASELINES,
    DEFAULT_MODEL,
    FORECAST_COMPARE_INSTALL,
    OFF_THE_SHELF,
    DailyProfileParams,
    ModelFn,
    _same_weekday,
    _sf_ets,
    _sf_mstl,
    _statsforecast,
    candidate_models,
    combo,
    daily_profile,
    mean_days,
    mean_weeks,
    require_statsforecast,
    snaive_day,
    snaive_week,
    statsforecast_installed,
)
from .prediction import (  # noqa: F401
    Forecast,
    _uplift_factors,
    backtest_with_coverage,
    predict,
    select_model,
)
