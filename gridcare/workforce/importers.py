"""`gridcare import calls FILE`: interval counts or per-call records; all rows or none.

Two layouts, told apart by the header:

* ``start, calls`` — interval counts. The interval length is the smallest step between
  starts (5, 15, 30 or 60 minutes; a single row counts as 5 minutes). Rows already stored
  for the same start/length are updated.
* ``arrived_at, answered_at, ended_at, abandoned`` — one row per call. Calls already
  stored (same arrival, answer and end) are skipped, so importing a file twice changes
  nothing; then the 5-minute hotline counts of every touched bucket are recomputed from
  all stored call records.

Naive timestamps are Asia/Shanghai local time. Both layouts feed ``ContactVolume`` for the
hotline channel with source ``imported``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.core.tabular import ImportFailed, ImportReport, read_table, register_importer

from .models import INTERVAL_MINUTES

LOCAL = ZoneInfo("Asia/Shanghai")
COUNT_COLUMNS = ["start", "calls"]
CALL_COLUMNS = ["arrived_at", "answered_at", "ended_at", "abandoned"]
TRUE = {"1", "true", "yes", "y", "t", "是", "放弃"}
FALSE = {"0", "false", "no", "n", "f", "否", ""}
MAX_CALLS = 2**31 - 1  # ContactVolume.count is a 32-bit column


def parse_local_datetime(text: str) -> dt.datetime | None:
    """ISO-like timestamp; naive ones are Asia/Shanghai. None when unreadable."""
    text = text.strip().replace("/", "-")
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL)
    try:
        value.astimezone(dt.UTC)  # stored in UTC: year 1 or 9999 may not fit
    except OverflowError:
        return None
    return value


@register_importer("calls", gettext_lazy("95598 话务量：分时段来电量（start, calls）或逐通话记录"))
def import_calls(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    from .services import call_records_store, contact_volume_store

    report = ImportReport(kind="calls")
    table = read_table(source, name=name)
    headers = [h.strip().lower() for h in table.headers]
    if set(headers) == set(COUNT_COLUMNS) and len(headers) == 2:
        layout = "counts"
    elif set(headers) == set(CALL_COLUMNS) and len(headers) == 4:
        layout = "calls"
    else:
        report.add_error(
            1,
            "*",
            ", ".join(table.headers),
            _("列应为 start, calls 或 arrived_at, answered_at, ended_at, abandoned"),
        )
        raise ImportFailed(report)
    idx = {c: headers.index(c) for c in headers}
    if layout == "counts":
        rows = _validate_counts(table, idx, report, progress)
        if not report.ok:
            raise ImportFailed(report)
        return contact_volume_store(rows=rows, actor=actor, report=report)
    calls = _validate_calls(table, idx, report, progress)
    if not report.ok:
        raise ImportFailed(report)
    return call_records_store(calls=calls, actor=actor, report=report)


def _validate_counts(table, idx, report: ImportReport, progress) -> list[tuple[dt.datetime, int]]:
    seen: dict[dt.datetime, int] = {}
    rows: list[tuple[int, dt.datetime, int]] = []
    for rowno, cells in table.rows:
        report.rows += 1
        if progress and report.rows % 1000 == 0:
            progress(1000)
        if len(cells) != len(idx):
            report.add_error(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": len(idx)})
            continue
        start = parse_local_datetime(cells[idx["start"]])
        ok = True
        if start is None:
            report.add_error(rowno, "start", cells[idx["start"]], _("时间无法识别"))
            ok = False
        elif start.second or start.microsecond or start.astimezone(LOCAL).minute % 5:
            report.add_error(
                rowno,
                "start",
                cells[idx["start"]],
                _("时段开始须在 5 分钟网格上"),
            )
            ok = False
        elif start in seen:
            report.add_error(
                rowno,
                "start",
                cells[idx["start"]],
                _("与第 %(row)s 行时间重复") % {"row": seen[start]},
            )
            ok = False
        raw = cells[idx["calls"]]
        try:
            value = float(raw)
            if value != int(value):
                raise ValueError
            count = int(value)
        except (ValueError, OverflowError):
            report.add_error(rowno, "calls", raw, _("来电量须为整数"))
            continue
        if count < 0:
            report.add_error(rowno, "calls", raw, _("来电量不能为负"))
            ok = False
        elif count > MAX_CALLS:
            report.add_error(rowno, "calls", raw, _("来电量超出范围"))
            ok = False
        if ok:
            seen[start] = rowno
            rows.append((rowno, start, count))
    if not rows or not report.ok:
        if report.ok:
            report.add_error(2, "*", "", _("没有数据行"))
        return []
    ordered = sorted(rows, key=lambda r: r[1])
    steps = [int((b[1] - a[1]).total_seconds() // 60) for a, b in zip(ordered, ordered[1:], strict=False)]
    interval = min([s for s in steps if s > 0], default=5)
    if interval not in INTERVAL_MINUTES:
        report.add_error(
            ordered[0][0],
            "start",
            "",
            _("时段长度 %(minutes)s 分钟不受支持（5/15/30/60）") % {"minutes": interval},
        )
        return []
    for rowno, start, _count in rows:
        if start.astimezone(LOCAL).minute % interval:
            report.add_error(
                rowno,
                "start",
                start.isoformat(),
                _("不在 %(minutes)s 分钟网格上") % {"minutes": interval},
            )
    return [(start, count, interval) for _, start, count in rows]


def _validate_calls(table, idx, report: ImportReport, progress) -> list[dict]:
    calls = []
    for rowno, cells in table.rows:
        report.rows += 1
        if progress and report.rows % 1000 == 0:
            progress(1000)
        if len(cells) != len(idx):
            report.add_error(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": len(idx)})
            continue
        v = {c: cells[i] for c, i in idx.items()}
        ok = True
        stamps = {}
        for col in ("arrived_at", "answered_at", "ended_at"):
            stamps[col] = parse_local_datetime(v[col])
            if v[col].strip() and stamps[col] is None:
                report.add_error(rowno, col, v[col], _("时间无法识别"))
                ok = False
        if not v["arrived_at"].strip():
            report.add_error(rowno, "arrived_at", "", _("不能为空"))
            ok = False
        flag = v["abandoned"].strip().lower()
        if flag not in TRUE | FALSE:
            report.add_error(rowno, "abandoned", v["abandoned"], _("应为 0/1、true/false、是/否"))
            ok = False
        abandoned = flag in TRUE
        if not ok:
            continue
        arr, ans, end = stamps["arrived_at"], stamps["answered_at"], stamps["ended_at"]
        if ans and ans < arr:
            report.add_error(rowno, "answered_at", v["answered_at"], _("接通时间早于来电时间"))
            ok = False
        if end and end < (ans or arr):
            report.add_error(rowno, "ended_at", v["ended_at"], _("结束时间早于接通/来电时间"))
            ok = False
        if abandoned and ans:
            report.add_error(
                rowno,
                "abandoned",
                v["abandoned"],
                _("放弃的来电不能有接通时间"),
            )
            ok = False
        if not abandoned and not ans:
            report.add_error(rowno, "answered_at", "", _("未放弃的来电须有接通时间"))
            ok = False
        if ok:
            calls.append({"arrived_at": arr, "answered_at": ans, "ended_at": end, "abandoned": abandoned})
    if not calls and report.ok:
        report.add_error(2, "*", "", _("没有数据行"))
    return calls
