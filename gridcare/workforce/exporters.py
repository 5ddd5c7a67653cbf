"""Excel export of the workforce overview, written with the core workbook writer."""

from __future__ import annotations

from collections.abc import Iterable

from gridcare.core.exporting import write_workbook

FORECAST_COLUMNS = ["start", "forecast", "lo80", "hi80", "actual", "required", "planned"]


def forecast_workbook(rows: Iterable[dict]) -> bytes:
    """The overview table (forecast against actual, required against planned agents), streamed."""
    return write_workbook(
        None,
        [
            (
                "forecast",
                FORECAST_COLUMNS,
                (
                    [r["start"].strftime("%Y-%m-%d %H:%M"), *[r.get(k) for k in FORECAST_COLUMNS[1:]]]
                    for r in rows
                ),
            )
        ],
    )
