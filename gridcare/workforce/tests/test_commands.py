import io
import json

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from .synthetic import synthetic_counts, write_csv


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture(scope="module")
def calls_csv(tmp_path_factory):
    return write_csv(synthetic_counts(weeks=8), tmp_path_factory.mktemp("wf") / "calls.csv")


def test_staffing_json_erlang_c():
    d = json.loads(run("staffing", "--calls", "100", "--interval-seconds", "1800", "--aht", "180", "--json"))
    assert set(d) == {"agents", "service_level", "asa_seconds", "abandon_rate"}
    assert d["agents"] == 14 and d["abandon_rate"] is None
    assert d["service_level"] == pytest.approx(0.88835, abs=1e-5)
    assert d["asa_seconds"] == pytest.approx(7.836, abs=1e-3)


def test_staffing_json_erlang_a_with_shrinkage():
    d = json.loads(
        run(
            "staffing",
            "--calls",
            "100",
            "--aht",
            "180",
            "--patience",
            "180",
            "--shrinkage",
            "0.3",
            "--max-abandon",
            "0.05",
            "--json",
        )
    )
    assert 0 < d["abandon_rate"] <= 0.05
    assert d["service_level"] >= 0.8
    assert d["agents"] >= 18


def test_staffing_text_and_errors():
    text = run("staffing", "--calls", "100", "--aht", "180", "--patience", "120")
    assert "Erlang A" in text and "abandon rate" in text
    with pytest.raises(CommandError, match="平均处理时长"):
        run("staffing", "--calls", "100", "--aht", "0")
    with pytest.raises(CommandError, match="目标不可达"):
        run("staffing", "--calls", "100", "--aht", "180", "--target", "1")


def test_zero_calls_staffing():
    d = json.loads(run("staffing", "--calls", "0", "--aht", "180", "--json"))
    assert d["agents"] == 0


def test_forecast_backtest_json(calls_csv):
    d = json.loads(
        run(
            "forecast",
            "backtest",
            "--input",
            calls_csv,
            "--interval",
            "30min",
            "--origins",
            "5",
            "--no-statsforecast",
            "--json",
        )
    )
    models = {m["model"]: m for m in d["models"]}
    assert {"snaive_day", "snaive_week", "daily_profile", "mean_4w"} <= set(models)
    for m in models.values():
        assert {"mae", "rmse", "mape", "mase"} <= set(m)
    assert d["interval_minutes"] == 30 and d["origins"] == 5
    assert models["daily_profile"]["mase"] < models["snaive_day"]["mase"]


def test_forecast_backtest_table_with_one_statsforecast_model(calls_csv):
    text = run(
        "forecast", "backtest", "--input", calls_csv, "--origins", "2", "--models", "snaive_week,sf_ets_ana"
    )
    assert "sf_ets_ana" in text and "MASE" in text


def test_comparison_models_without_the_optional_extra(calls_csv, monkeypatch):
    """Without statsforecast (the extra forecast-compare) the product's models still run; a
    comparison model asked for by name fails with the install hint; the default backtest
    leaves them out with a note."""
    from gridcare.workforce import forecasting as fc
    from gridcare.workforce.forecasting import models as fc_models

    monkeypatch.setattr(fc, "statsforecast_installed", lambda: False)
    monkeypatch.setattr(fc_models, "statsforecast_installed", lambda: False)
    with pytest.raises(CommandError, match="forecast-compare"):
        run(
            "forecast",
            "backtest",
            "--input",
            calls_csv,
            "--origins",
            "2",
            "--models",
            "snaive_week,sf_ets_ana",
        )
    with pytest.raises(CommandError, match="forecast-compare"):
        run("forecast", "predict", "--input", calls_csv, "--model", "sf_mstl")
    err = io.StringIO()
    out = io.StringIO()
    call_command(
        "forecast", "backtest", "--input", calls_csv, "--origins", "2", "--json", stdout=out, stderr=err
    )
    assert "skipped" in err.getvalue() and "forecast-compare" in err.getvalue()
    models = {m["model"] for m in json.loads(out.getvalue())["models"]}
    assert "daily_profile" in models and not models & set(fc.OFF_THE_SHELF)
    assert "wrote" in run("forecast", "predict", "--input", calls_csv, "--output", "/dev/null")


def test_forecast_predict_csv(calls_csv, tmp_path):
    out = tmp_path / "out.csv"
    text = run(
        "forecast",
        "predict",
        "--input",
        calls_csv,
        "--interval",
        "30min",
        "--horizon-days",
        "1",
        "--output",
        str(out),
    )
    assert "wrote 20 intervals" in text
    df = pd.read_csv(out)
    assert list(df.columns) == ["start", "forecast", "lo80", "hi80"]
    assert df["start"].iloc[0] == "2024-04-29 08:00:00"  # history ends Friday 26 April → Monday
    assert (df["lo80"] <= df["forecast"]).all() and (df["forecast"] <= df["hi80"]).all()


def test_forecast_bad_interval(calls_csv):
    with pytest.raises(CommandError, match="整除一天"):
        run("forecast", "predict", "--input", calls_csv, "--interval", "7min")
    with pytest.raises(CommandError, match="文件不存在"):
        run("forecast", "backtest", "--input", "/nonexistent.csv")


@pytest.mark.django_db
def test_refresh_and_pages(calls_csv, client, django_user_model):
    from gridcare.workforce.models import ForecastRun

    call_command("import", "calls", calls_csv, "--no-progress", stdout=io.StringIO())
    text = run("forecast", "refresh", "--interval", "30min", "--horizon-days", "2")
    assert "stored forecast run" in text
    assert ForecastRun.objects.get().result["rows"]
    from gridcare.org.choices import Role, UnitKind
    from gridcare.org.tests.factories import OrgUnitFactory, StaffFactory

    city = OrgUnitFactory(kind=UnitKind.CITY)
    client.force_login(StaffFactory(role=Role.PLANNER, unit=city).user)
    page = client.get("/workforce/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"2024-04-29 08:00" in page.content
    xlsx = client.get("/workforce/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_overview_page_today_view_shows_only_today(db, client):
    import datetime as dt

    from django.utils import timezone

    from gridcare.demo.workforce import seed_demo_forecast
    from gridcare.org.choices import Role, UnitKind
    from gridcare.org.tests.factories import OrgUnitFactory, StaffFactory, UserFactory

    seed_demo_forecast(seed=3)
    # The hotline's staffing plan covers the whole company: no role, or a county's staff, see nothing.
    client.force_login(UserFactory())
    assert client.get("/workforce/").status_code == 403
    county = OrgUnitFactory(kind=UnitKind.COUNTY)
    client.force_login(StaffFactory(role=Role.SUPERVISOR, unit=county).user)
    assert client.get("/workforce/").status_code == 403
    client.force_login(StaffFactory(role=Role.SUPERVISOR, unit=OrgUnitFactory(kind=UnitKind.CITY)).user)
    # The week's table is paged (a day of half-hour intervals a page): its first two pages.
    week = client.get("/workforce/").content.decode() + client.get("/workforce/?page=2").content.decode()
    today = client.get("/workforce/?view=today").content.decode()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert tomorrow in week and tomorrow not in today
    assert timezone.localdate().isoformat() in today


def test_overview_table_is_paged_a_day_at_a_time(db, client):
    import re

    from gridcare.demo.workforce import seed_demo_forecast
    from gridcare.org.choices import Role, UnitKind
    from gridcare.org.tests.factories import OrgUnitFactory, StaffFactory

    seed_demo_forecast(seed=3)
    client.force_login(StaffFactory(role=Role.MANAGER, unit=OrgUnitFactory(kind=UnitKind.CITY)).user)
    first = client.get("/workforce/")
    total = first.context["paginator"].count
    assert total > 300, "a week of half-hour intervals"
    rows = lambda html: re.findall(r"<tr><td>(\d{4}-\d\d-\d\d \d\d:\d\d)</td>", html)  # noqa: E731
    seen = []
    for page in range(1, first.context["paginator"].num_pages + 1):
        html = client.get(f"/workforce/?page={page}").content.decode()
        assert len(rows(html)) <= 48
        seen += rows(html)
    assert len(seen) == len(set(seen)) == total
    assert 'class="pager"' in first.content.decode() and "page=2" in first.content.decode()
    # Parameters survive paging.
    assert "aht=300" in client.get("/workforce/?aht=300").content.decode()
