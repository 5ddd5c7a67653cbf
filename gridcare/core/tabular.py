"""Reading CSV/XLSX tables for imports, and the row-numbered error report.

Every importer follows the same contract: read the whole file, validate every row,
collect *all* errors as ``RowError(row, column, value, reason)``, and write nothing at
all unless there are none (then write everything inside one transaction). Row numbers
are the spreadsheet's: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

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

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, row: int, column: str, value, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, column, "" if value is None else str(value)[:100], reason))

    def as_text(self) -> str:
        if self.ok:
            return (
                f"导入成功 / imported: {self.rows} 行, 新增 {self.created}, 更新 {self.updated}, "
                f"未变 {self.unchanged}"
            )
        lines = [f"导入失败，未写入任何数据 / import failed, nothing written: {self.error_count} 处错误"]
        lines.append("行(row)\t列(column)\t值(value)\t原因(reason)")
        for e in self.errors:
            lines.append(f"{e.row}\t{e.column}\t{e.value}\t{e.reason}")
        if self.error_count > len(self.errors):
            lines.append(f"……另有 {self.error_count - len(self.errors)} 处错误未列出")
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
            f"导入失败：{report.error_count} 处错误，未写入任何数据",
            code="import_failed",
            details=report.as_dict(),
        )
        self.report = report


ENCODINGS = ("utf-8-sig", "gb18030")


def _decode(raw: bytes) -> str:
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(
        "无法识别文件编码：请使用 UTF-8、带BOM的UTF-8 或 GBK 编码的 CSV，或 XLSX 文件",
        field="file",
        code="encoding",
    )


def _is_xlsx(raw_head: bytes, name: str) -> bool:
    return raw_head[:2] == b"PK" or name.lower().endswith((".xlsx", ".xlsm"))


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    total: int | None = None


def read_table(source: str | os.PathLike | bytes | io.IOBase, *, name: str = "") -> Table:
    """Open a CSV (UTF-8, UTF-8 BOM or GBK) or XLSX file and yield (row_number, cells)."""
    if isinstance(source, (str, os.PathLike)):
        name = name or str(source)
        path = Path(source)
        if not path.exists():
            raise ApplicationError(f"文件不存在：{path}", field="file", code="not_found")
        raw = path.read_bytes()
    elif isinstance(source, bytes):
        raw = source
    else:
        raw = source.read()
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
    if not raw.strip():
        raise ApplicationError("文件为空", field="file", code="empty")
    if _is_xlsx(raw[:4], name):
        return _read_xlsx(raw)
    text = _decode(raw)
    lines = text.splitlines()
    reader = csv.reader(lines)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ApplicationError("文件为空", field="file", code="empty")

    def rows():
        for i, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            yield i, [c.strip() for c in cells]

    return Table(headers=headers, rows=rows(), total=max(len(lines) - 1, 0))


def _read_xlsx(raw: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for bad files
        raise ApplicationError(f"无法读取 XLSX 文件：{exc}", field="file", code="bad_xlsx")
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        headers = [_cell(h) for h in next(it)]
    except StopIteration:
        raise ApplicationError("文件为空", field="file", code="empty")
    while headers and headers[-1] == "":
        headers.pop()

    def rows():
        for i, values in enumerate(it, start=2):
            cells = [_cell(v) for v in values[: len(headers)]]
            if not any(cells):
                continue
            yield i, cells + [""] * (len(headers) - len(cells))

    return Table(headers=headers, rows=rows(), total=(ws.max_row or 1) - 1)


def check_headers(table: Table, expected: list[str], report: ImportReport) -> bool:
    """Headers must be exactly ``expected`` (order free). Reports missing/unknown columns."""
    got = table.headers
    missing = [c for c in expected if c not in got]
    unknown = [c for c in got if c not in expected]
    dupes = {c for c in got if got.count(c) > 1}
    for c in missing:
        report.add_error(1, c, "", "缺少列 / missing column")
    for c in unknown:
        report.add_error(1, c, c, f"未知列（应为：{', '.join(expected)}）/ unknown column")
    for c in dupes:
        report.add_error(1, c, c, "重复列 / duplicate column")
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
