"""Reading CSV/XLSX tables for imports, and the row-numbered error report.

Every importer follows the same contract: read the whole file, validate every row,
collect *all* errors as ``RowError(row, column, value, reason)``, and write nothing at
all unless there are none (then write everything inside one transaction). Reading and
validating happen outside any transaction: on SQLite a write transaction locks the
whole database, and the web's writes must not wait for a file to be checked. Row
numbers are the spreadsheet's: the header is row 1, the first data row is row 2.

A file that is not a readable table (damaged, not CSV/XLSX, undecodable, more than
``GRIDCARE_IMPORT_MAX_ROWS`` rows) raises ``ApplicationError`` naming the problem and,
where there is one, the row.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ApplicationError

MAX_ERRORS_KEPT = 10_000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class ImportReport:
    """What an import did (``created``/``updated``) or why it wrote nothing (``errors``)."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    # Lines for whoever ran the import, after the summary (new accounts' set-password links).
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, row: int, column: str, value, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, column, "" if value is None else str(value)[:100], reason))

    def as_text(self) -> str:
        if self.ok:
            return "\n".join(
                [
                    _("导入成功：%(rows)s 行，新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s")
                    % {
                        "rows": self.rows,
                        "created": self.created,
                        "updated": self.updated,
                        "unchanged": self.unchanged,
                    },
                    *self.notes,
                ]
            )
        lines = [_("导入失败，未写入任何数据：%(n)s 处错误") % {"n": self.error_count}]
        lines.append("\t".join([_("行"), _("列"), _("值"), _("原因")]))
        for e in self.errors:
            lines.append(f"{e.row}\t{e.column}\t{e.value}\t{e.reason}")
        if self.error_count > len(self.errors):
            lines.append(_("……另有 %(n)s 处错误未列出") % {"n": self.error_count - len(self.errors)})
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": self.error_count,
            "errors": [e.as_dict() for e in self.errors],
        }


class ImportFailed(ApplicationError):
    """Raised when a file has errors; carries the full report. Nothing was written."""

    def __init__(self, report: ImportReport):
        super().__init__(
            _("导入失败：%(n)s 处错误，未写入任何数据") % {"n": report.error_count},
            code="import_failed",
            details=report.as_dict(),
        )
        self.report = report


ENCODINGS = ("utf-8-sig", "gb18030")
DEFAULT_MAX_ROWS = 2_000_000


def max_rows() -> int:
    """Rows one file may hold after its header (``GRIDCARE_IMPORT_MAX_ROWS``)."""
    return int(getattr(settings, "GRIDCARE_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def _file_error(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, field="file", code=code)


def _too_many_rows(limit: int) -> ApplicationError:
    return _file_error(
        _("文件超过导入上限：最多 %(limit)s 行（不含表头），请拆分后分批导入") % {"limit": f"{limit:,}"},
        "too_many_rows",
    )


def _decode(raw: bytes) -> str:
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise _file_error(
        _("无法识别文件编码：请使用 UTF-8、带BOM的UTF-8 或 GBK 编码的 CSV，或 XLSX 文件"), "encoding"
    )


ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc)


def _kind(raw: bytes, name: str) -> str:
    """What the bytes are, by their first bytes; the name only breaks ties."""
    head = raw[:8]
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        raise _file_error(_("不支持旧版 Excel（.xls）文件：请另存为 XLSX 或 CSV 后再导入"), "xls")
    if head.startswith(b"%PDF"):
        raise _file_error(_("PDF 文件不能导入：请上传 CSV 或 XLSX 文件"), "not_a_table")
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise _file_error(_("文件扩展名是 XLSX，但内容不是 XLSX 工作簿（文件损坏或被截断）"), "bad_xlsx")
    return "csv"


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


@dataclass
class Table:
    """A file's header and its non-empty rows as ``(row_number, cells)``, read lazily.

    ``scanned`` counts the rows read from the file so far, empty ones included: rows
    a file merely implies (an XLSX dimension tag, a gap in row numbers) are never visited.
    """

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    total: int | None = None
    scanned: int = 0


def read_table(source: str | os.PathLike | bytes | io.IOBase, *, name: str = "") -> Table:
    """Open a CSV (UTF-8, UTF-8 BOM or GBK) or XLSX file and yield (row_number, cells).

    Whatever is wrong with the file itself (not a table, damaged, undecodable, too many
    rows) raises ``ApplicationError`` with a message naming the problem and, where there
    is one, the row; also while ``rows`` is being iterated.
    """
    if isinstance(source, (str, os.PathLike)):
        name = name or str(source)
        path = Path(source)
        if not path.is_file():
            raise _file_error(_("文件不存在：%(path)s") % {"path": path}, "not_found")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise _file_error(
                _("无法读取文件 %(path)s：%(detail)s") % {"path": path, "detail": exc.strerror or exc},
                "unreadable",
            ) from None
    elif isinstance(source, bytes):
        raw = source
    else:
        raw = source.read()
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
    if not raw or raw.isspace():
        raise _file_error(_("文件为空"), "empty")
    if _kind(raw, name) == "xlsx":
        return _read_xlsx(raw)
    return _read_csv(_decode(raw))


def _read_csv(text: str) -> Table:
    nul = text.find("\x00")
    if nul >= 0:
        # PostgreSQL cannot store NUL; a text file has none (binary data, or UTF-16 text).
        raise _file_error(
            _("第 %(row)s 行含有 NUL 字符：这不是文本 CSV 文件（二进制文件或 UTF-16 编码？）")
            % {"row": text.count("\n", 0, nul) + 1},
            "binary",
        )
    lines = text.splitlines()
    del text
    reader = csv.reader(lines)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise _file_error(_("文件为空"), "empty")
    except csv.Error as exc:
        raise _csv_error(1, exc) from None
    table = Table(headers=headers, rows=iter(()), total=max(len(lines) - 1, 0), scanned=1)
    limit = max_rows()
    last = limit + 1  # the header is row 1

    def rows():
        i = 1
        strip = str.strip
        try:
            for i, cells in enumerate(reader, start=2):
                if i > last:
                    raise _too_many_rows(limit)
                cells = list(map(strip, cells))
                if any(cells):
                    yield i, cells
        except csv.Error as exc:
            raise _csv_error(i + 1, exc) from None
        finally:
            table.scanned = i

    table.rows = rows()
    return table


def _csv_error(row: int, exc: csv.Error) -> ApplicationError:
    if "field larger than field limit" in str(exc):
        message = _("第 %(row)s 行：单元格超过 %(limit)s 个字符（引号不配对，或不是 CSV 文件？）") % {
            "row": row,
            "limit": f"{csv.field_size_limit():,}",
        }
    else:
        message = _("第 %(row)s 行无法按 CSV 解析：%(detail)s") % {"row": row, "detail": exc}
    return _file_error(message, "bad_csv")


def _read_xlsx(raw: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl raise many unrelated types for bad files
        raise _file_error(
            _("无法读取 XLSX 文件：文件损坏或不是 Excel 工作簿（%(detail)s）") % {"detail": _detail(exc)},
            "bad_xlsx",
        ) from None
    if not wb.worksheets:
        raise _file_error(_("XLSX 文件中没有工作表"), "empty")
    table = Table(headers=[], rows=iter(()))
    sheet_rows = _sheet_rows(wb, wb.worksheets[0], table)
    headers: list[str] = []
    for _rowno, cells in sheet_rows:
        headers = _values(cells, max((c["column"] for c in cells), default=0))
        while headers and headers[-1] == "":
            headers.pop()
        if headers:
            break
    if not headers:
        raise _file_error(_("文件为空"), "empty")
    table.headers = headers
    width = len(headers)
    limit = max_rows()
    last = limit + table.scanned  # rows after the header row

    def rows():
        for i, cells in sheet_rows:
            if table.scanned > last:
                raise _too_many_rows(limit)
            if cells:
                values = _values(cells, width)
                if any(values):
                    yield i, values

    table.rows = rows()
    return table


def _values(cells: list[dict], width: int) -> list[str]:
    out = [""] * width
    for c in cells:
        col = c["column"]
        if col <= width and c["value"] is not None:
            out[col - 1] = _cell(c["value"])
    return out


def _sheet_rows(wb, ws, table: Table) -> Iterator[tuple[int, list[dict]]]:
    """The rows the sheet's XML holds, as ``(row_number, cells)``, counted in ``table.scanned``.

    openpyxl's ``iter_rows`` pads every gap between rows and then runs on to ``max_row``
    from the dimension tag, which a writer may set to millions of rows that hold nothing.
    This reads only the rows the sheet contains, with openpyxl's own parser set up as
    ``ReadOnlyWorksheet._cells_by_row`` does, so gaps cost nothing.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    row = 0
    try:
        with ws._get_source() as src:
            parser = WorkSheetParser(
                src,
                ws._shared_strings,
                data_only=True,
                epoch=wb.epoch,
                date_formats=wb._date_formats,
                timedelta_formats=wb._timedelta_formats,
            )
            for row, cells in parser.parse():
                table.scanned += 1
                yield row, cells
    except Exception as exc:  # broken XML, a damaged zip member, a bad shared-string index, …
        raise _file_error(
            _("XLSX 文件第 %(row)s 行附近无法读取：文件损坏（%(detail)s）")
            % {"row": row + 1, "detail": _detail(exc)},
            "bad_xlsx",
        ) from None


def _detail(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


HEADER_LANGUAGES = ("zh-hans", "en")


def column_headers(columns: list[str], labels: dict[str, object]) -> list[str]:
    """An export's header row in the reader's language (``labels``: column → lazy label).
    The import reads these back (``check_headers`` with the same labels), so an exported
    file is an import file in every language."""
    return [str(labels.get(c, c)) for c in columns]


def _header_codes(labels: dict[str, object]) -> dict[str, str]:
    """Every way a column may be headed: its code, and its label in each language."""
    from django.utils import translation

    out: dict[str, str] = {}
    for code, label in labels.items():
        out[code] = code
        for lang in HEADER_LANGUAGES:
            with translation.override(lang):
                out[str(label).strip().lower()] = code
    return out


def check_headers(
    table: Table, expected: list[str], report: ImportReport, labels: dict[str, object] | None = None
) -> bool:
    """Headers must be exactly ``expected`` (order free). Reports missing/unknown columns.

    With ``labels``, a column may also be headed by its label in either language (what
    GridCare's own exports write); the table's headers become the codes."""
    if labels:
        codes = _header_codes(labels)
        table.headers = [codes.get(h.strip().lower(), h) for h in table.headers]
    got = table.headers
    missing = [c for c in expected if c not in got]
    unknown = [c for c in got if c not in expected]
    dupes = {c for c in got if got.count(c) > 1}
    for c in missing:
        report.add_error(1, c, "", _("缺少列"))
    for c in unknown:
        report.add_error(1, c, c, _("未知列（应为：%(columns)s）") % {"columns": ", ".join(expected)})
    for c in dupes:
        report.add_error(1, c, c, _("重复列"))
    return not (missing or unknown or dupes)


# ---- the importer registry: `gridcare import KIND FILE` -------------------------------------------

Importer = Callable[..., ImportReport]
IMPORTERS: dict[str, tuple[Importer, str]] = {}


def register_importer(kind: str, help_text: str = ""):
    """Register ``fn(*, source, actor, name='', progress=None) -> ImportReport`` under ``kind``.

    The importer raises ``ImportFailed`` (nothing written) when any row is bad.
    """

    def deco(fn: Importer) -> Importer:
        IMPORTERS[kind] = (fn, help_text)
        return fn

    return deco
