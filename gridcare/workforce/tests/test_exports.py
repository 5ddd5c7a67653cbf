"""The workforce overview workbook goes through the core writer: numbers stay numbers, text is inert."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from gridcare.workforce.exporters import FORECAST_COLUMNS, forecast_workbook


def test_forecast_workbook_keeps_numbers_numeric_and_leaves_gaps_empty():
    rows = [
        {
            "start": dt.datetime(2026, 3, 2, 8, 0),
            "forecast": 12.5,
            "lo80": -0.5,
            "hi80": 20.0,
            "actual": None,
            "required": 3,
            "planned": 4,
        }
    ]
    ws = load_workbook(io.BytesIO(forecast_workbook(rows)))["forecast"]
    assert [c.value for c in ws[1]] == FORECAST_COLUMNS
    assert all(c.font.bold for c in ws[1])
    start, forecast, lo80, hi80, actual, required, planned = ws[2]
    assert (start.data_type, start.value) == ("s", "2026-03-02 08:00")
    assert [(c.data_type, c.value) for c in (forecast, lo80, hi80, required, planned)] == [
        ("n", 12.5),
        ("n", -0.5),  # a negative number is written as a number, not as text or a formula
        ("n", 20),
        ("n", 3),
        ("n", 4),
    ]
    assert actual.value is None
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
