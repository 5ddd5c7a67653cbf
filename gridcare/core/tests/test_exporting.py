"""The one export writer: formula-leading text is inert in CSV and XLSX, numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gridcare.core.exporting import Workbook, csv_cell, render_table, write_workbook

# What a hostile customer name or order description can start with (OWASP CSV injection).
PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def assert_inert_xlsx_cell(cell, text: str) -> None:
    """The literal text, stored as a string (never a formula), quote-prefixed so an edit keeps it text."""
    assert cell.data_type == "s", (text, cell.data_type)
    # XlsxWriter stores a carriage return as the OOXML escape _x000D_ (Excel decodes it; openpyxl does not).
    assert cell.value.replace("_x000D_", "\r") == text
    assert cell.quotePrefix


def test_csv_prefixes_formula_leading_text_with_an_apostrophe():
    rows = [[p, 1] for p in PAYLOADS]
    out = read_csv(render_table("csv", ["name", "n"], rows))
    assert out[0] == ["name", "n"]
    assert [r[0] for r in out[1:]] == ["'" + p for p in PAYLOADS]
    assert not any(r[0][0] in "=+-@\t\r" for r in out[1:])


def test_csv_keeps_numbers_and_plain_text():
    out = read_csv(
        render_table("csv", ["a", "b", "c", "d", "e"], [[-5, -2.5, Decimal("-1.20"), "王-5", None]])
    )
    assert out[1] == ["-5", "-2.5", "-1.20", "王-5", ""]
    assert csv_cell("-5") == "'-5"  # a text cell from user data is neutralised even if it looks like a number
    assert csv_cell(True) is True


def test_xlsx_writes_formula_leading_text_as_strings():
    data = render_table("xlsx", ["name", "n"], [[p, 1] for p in PAYLOADS])
    assert "<f>" not in sheet_xml(data)
    ws = load_workbook(io.BytesIO(data))["data"]
    assert [c.value for c in ws[1]] == ["name", "n"]
    for i, p in enumerate(PAYLOADS, start=2):
        assert_inert_xlsx_cell(ws.cell(i, 1), p)


def test_xlsx_numbers_stay_numbers_and_text_stays_text():
    import numpy as np

    data = write_workbook(
        None, [("s", ["a", "b", "c", "d", "e", "f"], [[-5, -2.5, Decimal("-1.5"), np.int64(7), "-5", True]])]
    )
    ws = load_workbook(io.BytesIO(data))["s"]
    a, b, c, d, e, f = ws[2]
    assert (a.data_type, a.value) == ("n", -5)
    assert (b.data_type, b.value) == ("n", -2.5)
    assert (c.data_type, c.value) == ("n", -1.5)
    assert (d.data_type, d.value) == ("n", 7)
    assert_inert_xlsx_cell(e, "-5")
    assert (f.data_type, f.value) == ("b", True)


def test_workbook_sheets_headings_tables_and_widths(tmp_path):
    target = tmp_path / "w.xlsx"
    with Workbook(str(target)) as book:
        ws = book.add_sheet("one")
        ws.heading("=标题")
        ws.table(["名称", "示例"], [["台区很长很长的名字", "=a\n=b"]], wrap=[1])
        ws.table(["x"], [[1], [2]], gap=0)
        ws.set_column(1, 1, 50)
        book.add_sheet("two").table(["k"], [["@x"]])
    wb = load_workbook(target)
    assert wb.sheetnames == ["one", "two"]
    one = wb["one"]
    assert_inert_xlsx_cell(one["A1"], "=标题")
    assert one["A2"].value == "名称" and one["A2"].font.bold
    assert_inert_xlsx_cell(one["B3"], "=a\n=b")
    assert one["B3"].alignment.wrap_text
    assert [one["A5"].value, one["A6"].value, one["A7"].value] == [
        "x",
        1,
        2,
    ]  # one gap row after the first table
    assert one.column_dimensions["A"].width >= 18  # 9 CJK characters are 18 columns wide
    assert one.column_dimensions["B"].width == pytest.approx(50, abs=1)
    assert_inert_xlsx_cell(wb["two"]["A2"], "@x")


def test_workbook_options_turn_string_conversions_off():
    book = Workbook()
    assert book._wb.strings_to_formulas is False
    assert book._wb.strings_to_numbers is False
    assert book._wb.strings_to_urls is False
    book.close()
