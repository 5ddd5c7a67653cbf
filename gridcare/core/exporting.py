"""CSV (UTF-8 with BOM, opens in Excel) and XLSX (XlsxWriter, constant memory) tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

EXPORTERS: dict[str, Callable] = {}


def register_exporter(kind: str):
    """Register ``fn(*, user, unmasked=False) -> (headers, rows)`` under ``kind``."""

    def deco(fn):
        EXPORTERS[kind] = fn
        return fn

    return deco


def write_csv(stream, headers: list[str], rows: Iterable[Iterable]) -> None:
    w = csv.writer(stream)
    w.writerow(headers)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])


def write_xlsx(target, headers: list[str], rows: Iterable[Iterable], sheet: str = "data") -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": not isinstance(target, str)})
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, headers, bold)
    for r, row in enumerate(rows, start=1):
        ws.write_row(
            r,
            0,
            [
                ("" if v is None else v) if isinstance(v, (int, float, str)) or v is None else str(v)
                for v in row
            ],
        )
    wb.close()


def render_table(fmt: str, headers: list[str], rows: Iterable[Iterable]) -> bytes:
    if fmt == "csv":
        buf = io.StringIO()
        write_csv(buf, headers, rows)
        return buf.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        buf = io.BytesIO()
        write_xlsx(buf, headers, rows)
        return buf.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
