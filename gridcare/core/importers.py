"""`gridcare import holidays FILE`: one year's statutory holidays and make-up working days.

Columns ``date, kind`` (kind ``holiday`` or ``workday``), every date in one year. The file is
the whole year: it replaces that year's exception days and confirms the year
(``calendar.calendar_year_replace``), and the deadlines the change moves are recomputed in
the same transaction. All rows or none, like every import.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .calendar import HOLIDAY, WORKDAY, calendar_year_replace
from .tabular import ImportFailed, ImportReport, check_headers, read_table, register_importer

COLUMNS = ["date", "kind"]
KINDS = {HOLIDAY: False, WORKDAY: True}
MIN_YEAR, MAX_YEAR = 2000, 2100


def _parse_date(text: str) -> dt.date | None:
    """``2027-01-01`` (also ``2027/1/1``; an Excel date cell reads ``2027-01-01 00:00:00``)."""
    text = text.strip()
    if text.endswith(" 00:00:00"):
        text = text[:-9]
    parts = text.replace("/", "-").split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


@register_importer("holidays", gettext_lazy("工作日历：一年的法定节假日与调休上班日"))
def import_holidays(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    report = ImportReport(kind="holidays")
    table = read_table(source, name=name)
    if not check_headers(table, COLUMNS, report):
        raise ImportFailed(report)
    i_date, i_kind = (table.headers.index(c) for c in COLUMNS)
    days: dict[dt.date, bool] = {}
    seen: dict[dt.date, int] = {}
    year: int | None = None
    year_row = 0
    for rowno, cells in table.rows:
        report.rows += 1
        if progress:
            progress(1)
        if len(cells) != len(table.headers):
            report.add_error(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": len(table.headers)})
            continue
        text, kind = cells[i_date], cells[i_kind].lower()
        day = _parse_date(text)
        if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
            report.add_error(
                rowno,
                "date",
                text,
                _("日期格式应为 YYYY-MM-DD（%(lo)s—%(hi)s 年）")
                % {
                    "lo": MIN_YEAR,
                    "hi": MAX_YEAR,
                },
            )
        elif day in seen:
            report.add_error(rowno, "date", text, _("日期与第 %(row)s 行重复") % {"row": seen[day]})
            day = None
        elif year is None:
            year, year_row = day.year, rowno
        elif day.year != year:
            report.add_error(
                rowno,
                "date",
                text,
                _("一个文件只录入一年：第 %(row)s 行是 %(year)s 年") % {"row": year_row, "year": year},
            )
            day = None
        if kind not in KINDS:
            report.add_error(
                rowno, "kind", cells[i_kind], _("类型应为 holiday（放假）或 workday（调休上班）")
            )
        elif day is not None:
            seen[day] = rowno
            days[day] = KINDS[kind]
    if report.ok and year is None:
        report.add_error(2, "date", "", _("文件没有数据行：请列出这一年的放假日和调休上班日"))
    if not report.ok:
        raise ImportFailed(report)
    counts = calendar_year_replace(actor=actor, year=year, days=days, source="import", note=name)
    report.created, report.updated = counts["created"], counts["updated"] + counts["deleted"]
    report.unchanged = counts["unchanged"]
    return report
