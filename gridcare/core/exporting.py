"""CSV (UTF-8 with BOM, opens in Excel) and XLSX (XlsxWriter) tables: the one place exports are written.

Every cell of every export goes through this module, so formula injection is neutralised
here and nowhere else (OWASP "CSV injection"): a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would be evaluated by a spreadsheet as a
formula (``=HYPERLINK(...)`` in a customer's name, a DDE payload in an order description).

* CSV: such text gets a leading apostrophe (``'=SUM(A1)``), which spreadsheets show as text.
* XLSX: every string is written as a string cell (``write_string``, never ``write``, and
  the workbook is opened with ``strings_to_formulas``/``strings_to_numbers``/``strings_to_urls``
  off); formula-leading strings also get Excel's quote-prefix style, so the text stays
  text even after someone edits the cell. The value itself is unchanged.

Numbers (``int``, ``float``, ``Decimal``, numpy scalars) stay numbers in both formats.
"""

from __future__ import annotations

import csv
import decimal
import io
import numbers
import unicodedata
from collections.abc import Callable, Iterable, Sequence

EXPORTERS: dict[str, Callable] = {}

# What a spreadsheet reads as the start of a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def register_exporter(kind: str):
    """Register ``fn(*, user, unmasked=False) -> (headers, rows)`` under ``kind``."""

    def deco(fn):
        EXPORTERS[kind] = fn
        return fn

    return deco


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (numbers.Real, decimal.Decimal))


def csv_cell(value):
    """One CSV cell: numbers as they are, ``None`` empty, formula-leading text behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool) or _is_number(value):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if is_formula_like(text) else text


def write_csv(stream, headers: Sequence, rows: Iterable[Iterable]) -> None:
    w = csv.writer(stream)
    w.writerow([csv_cell(h) for h in headers])
    for row in rows:
        w.writerow([csv_cell(v) for v in row])


# ---------------------------------------------------------------------------------- XLSX

_STYLES = {
    "header": {"bold": True, "bg_color": "#EEF2F7", "border": 1},
    "title": {"bold": True, "font_size": 14},
    "wrap": {"text_wrap": True, "valign": "top"},
}
_WIDTH_SAMPLE_ROWS = 200
_MIN_WIDTH, _MAX_WIDTH = 6, 60


def _display_width(text: str) -> int:
    """Columns a text needs: CJK and other wide characters count twice; longest line of several."""
    return max(
        (
            sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
            for line in text.split("\n")
        ),
        default=0,
    )


class Sheet:
    """One worksheet. ``row`` is the next free row; ``heading``/``line``/``table`` write there."""

    def __init__(self, book: Workbook, ws):
        self.book, self._ws = book, ws
        self.row = 0
        self._auto: dict[int, int] = {}  # column → widest sampled table cell
        self._fixed: set[int] = set()

    def write(self, row: int, col: int, value, style: str | None = None) -> None:
        """The only way a cell is written: numbers as numbers, everything else as an inert string."""
        ws, fmt = self._ws, self.book._format(style)
        if value is None or (isinstance(value, str) and not value):
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif _is_number(value):
            ws.write_number(row, col, float(value), fmt)
        else:
            text = value if isinstance(value, str) else str(value)
            if is_formula_like(text):
                fmt = self.book._format(style, quote_prefix=True)
            ws.write_string(row, col, text, fmt)

    def write_row(self, row: int, col: int, values: Iterable, style: str | None = None) -> None:
        for j, value in enumerate(values, start=col):
            self.write(row, j, value, style)

    def heading(self, text: str) -> None:
        """A title line at the current row."""
        self.write(self.row, 0, text, "title")
        self.row += 1

    def line(self, text: str, style: str | None = None) -> None:
        """A plain line of text at the current row."""
        self.write(self.row, 0, text, style)
        self.row += 1

    def table(
        self, headers: Sequence, rows: Iterable[Iterable], *, wrap: Iterable[int] = (), gap: int = 1
    ) -> None:
        """Bold headers and then the rows (streamed) at the current row, then ``gap`` empty rows.

        Columns listed in ``wrap`` get the wrapping, top-aligned style (multi-line texts).
        Widths of columns not set with ``set_column`` follow the header and the first rows.
        """
        wrap = set(wrap)
        self._measure(headers)
        self.write_row(self.row, 0, headers, "header")
        self.row += 1
        for n, values in enumerate(rows):
            values = list(values)
            if n < _WIDTH_SAMPLE_ROWS:
                self._measure(values)
            for j, value in enumerate(values):
                self.write(self.row, j, value, "wrap" if j in wrap else None)
            self.row += 1
        self.row += gap

    def set_column(self, first: int, last: int, width: float) -> None:
        self._ws.set_column(first, last, width)
        self._fixed.update(range(first, last + 1))

    def freeze_panes(self, row: int, col: int) -> None:
        self._ws.freeze_panes(row, col)

    def _measure(self, values: Iterable) -> None:
        for j, value in enumerate(values):
            if value is None:
                continue
            width = _display_width(value if isinstance(value, str) else str(value))
            if width > self._auto.get(j, 0):
                self._auto[j] = width

    def _finish(self) -> None:
        for col, width in self._auto.items():
            if col not in self._fixed:
                self._ws.set_column(col, col, min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH))


class Workbook:
    """An XLSX file on XlsxWriter with GridCare's styles and the formula neutralisation.

    ``target`` is a path or a binary stream; without one, ``close()`` returns the bytes.
    ``constant_memory`` streams rows to disk (write each sheet's rows in order, top to
    bottom) — for exports of unbounded size.
    """

    def __init__(self, target=None, *, constant_memory: bool = False):
        import xlsxwriter

        self._buf = io.BytesIO() if target is None else None
        dest = self._buf if target is None else target
        self._wb = xlsxwriter.Workbook(
            dest,
            {
                "constant_memory": constant_memory,
                "in_memory": not isinstance(dest, str),
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "nan_inf_to_errors": True,
            },
        )
        self._formats: dict = {}
        self._sheets: list[Sheet] = []
        self._closed = False

    def add_sheet(self, name: str) -> Sheet:
        sheet = Sheet(self, self._wb.add_worksheet(name))
        self._sheets.append(sheet)
        return sheet

    def _format(self, style: str | None, *, quote_prefix: bool = False):
        if style is None and not quote_prefix:
            return None
        key = (style, quote_prefix)
        if key not in self._formats:
            props = dict(_STYLES[style]) if style else {}
            if quote_prefix:
                props["quote_prefix"] = True
            self._formats[key] = self._wb.add_format(props)
        return self._formats[key]

    def close(self) -> bytes:
        """Write the file; the bytes when the workbook was made without a target, else ``b""``."""
        if not self._closed:
            for sheet in self._sheets:
                sheet._finish()
            self._wb.close()
            self._closed = True
        return self._buf.getvalue() if self._buf is not None else b""

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_workbook(
    target=None,
    sheets: Iterable[tuple[str, Sequence, Iterable[Iterable]]] = (),
    *,
    constant_memory: bool = True,
) -> bytes:
    """One sheet per ``(name, headers, rows)``: bold headers, rows streamed, neutralised.

    Writes to ``target`` (path or binary stream), or returns the bytes when it is ``None``.
    """
    book = Workbook(target, constant_memory=constant_memory)
    for name, headers, rows in sheets:
        book.add_sheet(name).table(headers, rows, gap=0)
    return book.close()


def write_xlsx(target, headers: Sequence, rows: Iterable[Iterable], sheet: str = "data") -> None:
    write_workbook(target, [(sheet, headers, rows)])


def render_table(fmt: str, headers: Sequence, rows: Iterable[Iterable]) -> bytes:
    if fmt == "csv":
        buf = io.StringIO()
        write_csv(buf, headers, rows)
        return buf.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        return write_workbook(None, [("data", headers, rows)])
    raise ValueError(f"unknown format {fmt!r}")
