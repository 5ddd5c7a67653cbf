"""Report workbooks and hotspot exports: order descriptions never become live formulas."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from openpyxl import load_workbook

from gridcare.analytics.reports import parse_period
from gridcare.analytics.reports.build import build_report
from gridcare.analytics.reports.render import render_xlsx
from gridcare.workorders.models import WorkOrder

from .insight_data import make_orders

HOSTILE = '=HYPERLINK("http://x","y")停电了'


def _cells(wb):
    return [c for ws in wb for row in ws.iter_rows() for c in row]


def test_report_workbook_writes_a_formula_description_as_text(world):
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 10, 30, tzinfo=dt.UTC)
    WorkOrder.objects.bulk_create(make_orders(world.area_a, 20, start=start, end=end, text=HOSTILE))
    data = build_report(parse_period("monthly", "2026-10"))
    wb = load_workbook(io.BytesIO(render_xlsx(data)))
    assert wb.sheetnames[:3] == ["概览", "受理量", "每日"]
    hostile = [c for c in _cells(wb) if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert hostile, "the description should be in the workbook (top issues' examples)"
    for cell in hostile:
        assert cell.data_type == "s" and cell.quotePrefix
    assert all(c.data_type != "f" for c in _cells(wb))
    overview = wb["概览"]
    assert overview["A4"].value == "指标" and overview["B5"].value == 20 and overview["B5"].data_type == "n"


def test_hotspots_csv_command_neutralises_text(world, capsys, monkeypatch):
    from gridcare.analytics.management.commands import hotspots as command

    class Run:
        hotspots = [{"rank": 1, "level": "area", "code": "TA-A1", "name": "=1+1", "count": 5}]
        tested = 1
        as_of = dt.datetime(2026, 10, 30, tzinfo=dt.UTC)

    monkeypatch.setattr(command, "compute_hotspots", lambda **kw: Run())
    call_command("hotspots", "--format", "csv", "--as-of", "2026-10-30 00:00:00+0800")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("rank,level,code,name")
    assert out[1].startswith("1,area,TA-A1,'=1+1,,5,")
