import datetime as dt

import numpy as np
import pandas as pd
import pytest

from gridcare.workforce import forecasting as fc

from .synthetic import synthetic_counts


@pytest.fixture(scope="module")
def counts():
    return synthetic_counts(weeks=10)


@pytest.fixture(scope="module")
def dm(counts):
    return fc.build_day_matrix(fc.load_counts(counts), 30)


def test_aggregation_and_interval_index(counts, dm):
    assert dm.interval_minutes == 30
    assert dm.slots[0] == 8 * 60 and dm.slots[-1] == 17 * 60 + 30 and len(dm.slots) == 20
    assert len(dm.dates) == 50  # weekdays only: weekends are not in the index
    assert dm.values.sum() == counts["calls"].sum()
    assert dm.weekdays == {0, 1, 2, 3, 4}


def test_interval_must_be_multiple_of_input():
    s = fc.load_counts(synthetic_counts(weeks=3, step_minutes=20))
    with pytest.raises(fc.ForecastError, match="不能整除所需的"):
        fc.build_day_matrix(s, 30)
    assert fc.build_day_matrix(s, 60).interval_minutes == 60
    with pytest.raises(fc.ForecastError, match="整除一天"):
        fc.parse_interval("7min")
    assert fc.parse_interval("1h") == 60 and fc.parse_interval("15min") == 15


def test_unsorted_timestamps_rejected(counts):
    bad = counts.copy()
    bad.iloc[[5, 6]] = bad.iloc[[6, 5]].to_numpy()
    with pytest.raises(fc.ForecastError, match="第 8 行.*未排序"):
        fc.load_counts(bad)


def test_duplicate_timestamps_rejected(counts):
    bad = pd.concat([counts.iloc[:10], counts.iloc[9:]], ignore_index=True)
    with pytest.raises(fc.ForecastError, match="第 12 行时间重复"):
        fc.load_counts(bad)


def test_negative_counts_rejected(counts):
    bad = counts.copy()
    bad.loc[3, "calls"] = -4
    with pytest.raises(fc.ForecastError, match="第 5 行来电量为负数"):
        fc.load_counts(bad)


def test_less_than_two_weeks_rejected():
    s = fc.load_counts(synthetic_counts(weeks=1))
    with pytest.raises(fc.ForecastError, match="不足两周"):
        fc.build_day_matrix(s, 30)


def test_gaps_are_filled_and_reported(counts):
    gappy = counts.drop(index=[100, 101, 102, 103, 104, 105]).reset_index(drop=True)  # 30 min on day 1
    dm = fc.build_day_matrix(fc.load_counts(gappy), 30)
    assert len(dm.dates) == 50
    assert any("补齐" in w for w in dm.warnings)
    assert (dm.values > 0).all()


def test_mostly_empty_day_is_treated_as_closed(counts):
    day = counts["start"].dt.date == dt.date(2024, 3, 6)
    partial = counts[~day | (counts["start"].dt.hour < 9)].reset_index(drop=True)
    dm = fc.build_day_matrix(fc.load_counts(partial), 30)
    assert dt.date(2024, 3, 6) not in dm.dates
    assert any("按休息日处理" in w for w in dm.warnings)


def test_mase_scale_is_one_day_naive(dm):
    v = dm.values
    assert fc.mase_scale(dm) == pytest.approx(np.abs(v[1:] - v[:-1]).mean())


def test_backtest_ranks_models_on_seasonal_series(dm):
    scores = {
        s.model: s for s in fc.backtest(dm, fc.candidate_models(include_statsforecast=False), origins=10)
    }
    assert scores["snaive_week"].mase < scores["snaive_day"].mase  # strong weekly pattern
    assert scores["daily_profile"].mase < scores["snaive_week"].mase * 0.8
    assert scores["daily_profile"].mase < scores["mean_5d"].mase
    for s in scores.values():
        assert s.mae > 0 and s.rmse >= s.mae and s.mape > 0


def test_backtest_needs_enough_history(dm):
    with pytest.raises(fc.ForecastError, match="历史太短"):
        fc.backtest(dm, {"snaive_day": fc.snaive_day}, origins=45)


def test_statsforecast_model_runs_on_interval_index(dm):
    short = dm.select(np.arange(len(dm.dates)) >= 30)
    s = fc.backtest(short, {"sf_ets_ana": fc.candidate_models()["sf_ets_ana"]}, origins=2)[0]
    assert np.isfinite(s.mase)


def test_predict_continues_open_hours(dm):
    f = fc.predict(dm, horizon_days=2, model="daily_profile")
    assert dm.dates[-1].weekday() == 4  # history ends on a Friday
    days = sorted({s.date() for s in f.starts})
    assert [d.weekday() for d in days] == [0, 1]  # Monday, Tuesday — weekends stay closed
    assert len(f.starts) == 40
    assert f.starts[0].time() == dt.time(8, 0) and f.starts[19].time() == dt.time(17, 30)
    assert (f.lo80 <= f.mean).all() and (f.mean <= f.hi80).all()
    mondays = [i for i, d in enumerate(dm.dates) if d.weekday() == 0][-4:]
    assert f.mean[:20].sum() == pytest.approx(dm.values[mondays].sum(1).mean(), rel=0.1)


def test_predict_closed_dates_and_uplift(dm):
    monday = dm.dates[-1] + dt.timedelta(days=3)
    base = fc.predict(dm, model="daily_profile")
    f = fc.predict(
        dm, model="daily_profile", closed_dates={monday}, uplift={monday + dt.timedelta(days=1): 1.5}
    )
    assert f.starts[0].date() == monday + dt.timedelta(days=1)
    assert f.mean.sum() > base.mean.sum() * 1.2
    one = dt.datetime.combine(monday, dt.time(10, 0))
    g = fc.predict(dm, model="daily_profile", uplift={one: 2.0})
    i = g.starts.index(one)
    assert g.mean[i] == pytest.approx(base.mean[i] * 2)
    assert g.mean[i + 1] == pytest.approx(base.mean[i + 1])


def test_predict_auto_selects_a_model(dm):
    f = fc.predict(dm, model="auto")
    assert f.model in fc.candidate_models(include_statsforecast=False)


def test_intervals_cover_about_80_percent(dm):
    scores = fc.backtest(dm, {"daily_profile": fc.daily_profile()}, origins=15)
    fc.backtest_with_coverage(dm, scores, "daily_profile", origins=15)
    assert 0.6 <= scores[0].coverage80 <= 0.97


def test_seven_day_operation_with_24h():
    df = synthetic_counts(weeks=3, step_minutes=30, open_from=0, open_to=24 * 60, weekdays=tuple(range(7)))
    dm = fc.build_day_matrix(fc.load_counts(df), 60)
    assert len(dm.slots) == 24 and len(dm.dates) == 21
    f = fc.predict(dm, horizon_days=7, model="daily_profile")
    assert len(f.starts) == 7 * 24
