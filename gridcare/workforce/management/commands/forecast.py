"""`gridcare forecast backtest|predict`: contact-volume forecasting from a CSV, no database needed."""

from __future__ import annotations

import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from gridcare.workforce import forecasting as fc


def _dates(text: str | None) -> set[dt.date]:
    """'2024-10-01,2024-10-02' or '2024-10-01..2024-10-07' (ranges allowed) → dates."""
    out: set[dt.date] = set()
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if ".." in part:
                a, b = (dt.date.fromisoformat(x.strip()) for x in part.split(".."))
                out.update(a + dt.timedelta(days=k) for k in range((b - a).days + 1))
            else:
                out.add(dt.date.fromisoformat(part))
        except ValueError:
            raise CommandError(
                gettext("无法识别的日期 %(value)s，请写成 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD")
                % {"value": repr(part)}
            )
    return out


def _uplift(text: str | None) -> dict:
    """'2024-07-01=1.5,2024-07-01T10:00=2' → {date|datetime: factor}."""
    out: dict = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        key, _, factor = part.partition("=")
        try:
            value = float(factor)
            key = key.strip()
            out[
                dt.datetime.fromisoformat(key) if ("T" in key or " " in key) else dt.date.fromisoformat(key)
            ] = value
        except ValueError:
            raise CommandError(
                gettext("无法识别的放大系数 %(value)s，请写成 日期=系数 或 日期时间=系数")
                % {"value": repr(part)}
            )
    return out


class Command(BaseCommand):
    help = "来电量预测：backtest（滚动起点回测）/ predict（预测下一营业日）"
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        r = sub.add_parser(
            "refresh", help="forecast the stored hotline volume and cache it for the pages (uses the DB)"
        )
        r.add_argument("--interval", default="30min")
        r.add_argument("--horizon-days", type=int, default=7, dest="horizon_days")
        r.add_argument("--model", default="auto")
        r.add_argument("--closed-dates", dest="closed_dates")
        for name in ("backtest", "predict"):
            p = sub.add_parser(name, help=f"{name} (see gridcare forecast {name} --help)")
            p.add_argument("--input", required=True, help="CSV with columns start, calls")
            p.add_argument("--interval", default="30min", help="forecast interval, e.g. 15min, 30min, 1h")
            p.add_argument("--horizon-days", type=int, default=1, dest="horizon_days")
            p.add_argument(
                "--closed-dates", dest="closed_dates", help="holidays: YYYY-MM-DD[,..] or ranges a..b"
            )
            p.add_argument("--json", action="store_true", help="print JSON")
            if name == "backtest":
                p.add_argument("--origins", type=int, default=20)
                p.add_argument("--models", help="comma-separated subset of models (default: all)")
                p.add_argument(
                    "--no-statsforecast",
                    action="store_true",
                    dest="no_statsforecast",
                    help="skip the (slower) statsforecast comparison models (skipped anyway without "
                    "the optional extra forecast-compare)",
                )
            else:
                p.add_argument(
                    "--output", help="CSV to write (start, forecast, lo80, hi80); stdout if omitted"
                )
                p.add_argument("--model", default="auto", help="auto (best by backtest) or a model name")
                p.add_argument(
                    "--open-dates", dest="open_dates", help="make-up working days outside the weekly pattern"
                )
                p.add_argument(
                    "--special-dates", dest="special_dates", help="history days to leave out of the fit"
                )
                p.add_argument(
                    "--uplift", help="event uplift: DATE=FACTOR or DATETIME=FACTOR, comma-separated"
                )

    def handle(self, *args, action, **o):
        if action == "refresh":
            return self._refresh(o)
        try:
            series = fc.load_counts(o["input"])
            dm = fc.build_day_matrix(series, fc.parse_interval(o["interval"]))
            if action == "backtest":
                self._backtest(dm, o)
            else:
                self._predict(dm, o)
        except fc.ForecastError as exc:
            raise CommandError(exc.message)

    def _backtest(self, dm: fc.DayMatrix, o: dict) -> None:
        closed = _dates(o.get("closed_dates"))
        cal = fc.calendar_for(dm, closed)
        compare = not o["no_statsforecast"]
        if o.get("models"):
            wanted = [m.strip() for m in o["models"].split(",") if m.strip()]
            names = [*fc.candidate_models(include_statsforecast=False), *fc.OFF_THE_SHELF]
            unknown = [m for m in wanted if m not in names]
            if unknown:
                raise CommandError(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(names)}")
            asked = [m for m in wanted if m in fc.OFF_THE_SHELF]
            if asked:
                fc.require_statsforecast(asked)  # a clear error without the optional extra
            every = fc.candidate_models(include_statsforecast=bool(asked))
            models = {m: every[m] for m in wanted}
        else:
            if compare and not fc.statsforecast_installed():
                compare = False
                self.stderr.write(
                    f"note: comparison models {', '.join(fc.OFF_THE_SHELF)} skipped: statsforecast is the "
                    f"optional extra forecast-compare ({fc.FORECAST_COMPARE_INSTALL})"
                )
            models = fc.candidate_models(include_statsforecast=compare)
        progress = (
            None
            if o["json"] or not sys.stderr.isatty()
            else (lambda name: self.stderr.write(f"  {name} done"))
        )
        scores = fc.backtest(
            dm, models, origins=o["origins"], horizon_days=o["horizon_days"], cal=cal, progress=progress
        )
        if fc.DEFAULT_MODEL in models and o["horizon_days"] == 1:
            fc.backtest_with_coverage(dm, scores, fc.DEFAULT_MODEL, origins=o["origins"], cal=cal)
        baselines = [s for s in scores if s.model in fc.BASELINES]
        best_base = min(baselines, key=lambda s: s.mase) if baselines else None
        best = min(scores, key=lambda s: s.mase)
        rows = []
        for s in scores:
            d = s.as_dict()
            d["kind"] = (
                "baseline"
                if s.model in fc.BASELINES
                else "statsforecast"
                if s.model in fc.OFF_THE_SHELF
                else "gridcare"
            )
            d["vs_best_baseline"] = (1 - s.mase / best_base.mase) if best_base else None
            rows.append(d)
        result = {
            "input": o["input"],
            "interval_minutes": dm.interval_minutes,
            "origins": o["origins"],
            "horizon_days": o["horizon_days"],
            "days": len(dm.dates),
            "intervals_per_day": int(dm.day_mask(dm.dates[-1:]).sum()),
            "mase_definition": "MAE / in-sample MAE of the one-day-back naive on the interval index (training part); "
            "mean over origins",
            "best_model": best.model,
            "best_baseline": best_base.model if best_base else None,
            "warnings": dm.warnings,
            "models": rows,
        }
        if o["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for w in dm.warnings:
            self.stderr.write(f"warning: {w}")
        self.stdout.write(
            f"Backtest: {len(dm.dates)} operating days, {dm.interval_minutes}-min intervals, "
            f"{o['horizon_days']}-day-ahead forecasts from the last {o['origins']} origins"
        )
        head = f"{'model':<14} {'kind':<13} {'MAE':>9} {'RMSE':>9} {'MAPE%':>7} {'MASE':>7} {'vs best naive':>14} {'cov80':>6}"
        self.stdout.write(head)
        self.stdout.write("-" * len(head))
        for d in rows:
            vs = f"{d['vs_best_baseline'] * 100:+.1f}%" if d["vs_best_baseline"] is not None else ""
            cov = f"{d['coverage80'] * 100:.0f}%" if d["coverage80"] is not None else ""
            self.stdout.write(
                f"{d['model']:<14} {d['kind']:<13} {d['mae']:>9.2f} {d['rmse']:>9.2f} {d['mape']:>7.2f} "
                f"{d['mase']:>7.3f} {vs:>14} {cov:>6}"
            )
        self.stdout.write(f"best: {best.model}; MASE = {result['mase_definition']}")

    def _refresh(self, o: dict) -> None:
        from gridcare.workforce.selectors import contact_volume_series
        from gridcare.workforce.services import forecast_run_save

        series = contact_volume_series(interval_minutes=5)
        if series.empty:
            raise CommandError(gettext("没有来话量数据：请先运行 `gridcare import calls FILE`"))
        try:
            dm = fc.build_day_matrix(fc.load_counts(series), fc.parse_interval(o["interval"]))
            forecast = fc.predict(
                dm,
                horizon_days=o["horizon_days"],
                model=o["model"],
                closed_dates=_dates(o.get("closed_dates")),
            )
        except fc.ForecastError as exc:
            raise CommandError(exc.message)
        run = forecast_run_save(forecast=forecast)
        self.stdout.write(
            f"stored forecast run {run.pk}: {len(forecast.starts)} intervals, model {forecast.model}"
        )

    def _predict(self, dm: fc.DayMatrix, o: dict) -> None:
        forecast = fc.predict(
            dm,
            horizon_days=o["horizon_days"],
            model=o["model"],
            closed_dates=_dates(o.get("closed_dates")),
            extra_open_dates=_dates(o.get("open_dates")),
            special_dates=_dates(o.get("special_dates")),
            uplift=_uplift(o.get("uplift")),
        )
        frame = forecast.to_frame()
        frame["start"] = frame["start"].map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S"))
        if o.get("output"):
            frame.to_csv(o["output"], index=False, float_format="%.2f")
        if o["json"]:
            self.stdout.write(json.dumps(forecast.as_dict(), ensure_ascii=False, indent=2))
            return
        for w in forecast.warnings:
            self.stderr.write(f"warning: {w}")
        if o.get("output"):
            self.stdout.write(
                f"wrote {len(frame)} intervals ({frame['start'].iloc[0]} … {frame['start'].iloc[-1]}) to {o['output']} "
                f"using model {forecast.model}"
            )
        else:
            self.stdout.write(frame.to_csv(index=False, float_format="%.2f").rstrip("\n"))
