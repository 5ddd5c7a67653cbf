"""`gridcare import meters FILE`: the metering system's facts about each customer's meters
(columns exactly ``customer_no, meter_no, installed_on, box_condition``), every row
validated with its row number, then all rows or none.

One row per meter (``meter_no`` is the key): a meter already known is updated in place
when its customer, installation date or box condition changed, and left alone otherwise,
so the same file twice changes nothing. Meters missing from a file are not deleted (a file
may cover one station). ``box_condition`` is ``good`` / ``worn`` / ``damaged`` or its label
in either language (完好 / 老化 / 破损). Customer numbers and existing meters are looked up
a chunk at a time, and the writes are bulk inserts and updates.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from gridcare.core.audit import audit_record
from gridcare.core.tabular import (
    HEADER_LANGUAGES,
    ImportFailed,
    ImportReport,
    check_headers,
    read_table,
    register_importer,
)
from gridcare.core.textutil import to_halfwidth
from gridcare.customers.models import Customer

from .choices import BoxCondition
from .models import MeterFact
from .services import meter_facts_write

COLUMNS = ["customer_no", "meter_no", "installed_on", "box_condition"]
LABELS = {
    "customer_no": gettext_lazy("户号"),
    "meter_no": gettext_lazy("表号"),
    "installed_on": gettext_lazy("装表日期"),
    "box_condition": gettext_lazy("表箱状况"),
}
METER_MAX = MeterFact._meta.get_field("meter_no").max_length
MIN_YEAR = 1950
CHUNK = 5000
DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
METER_RE = re.compile(r"^[0-9A-Za-z-]+$")


def parse_day(text: str) -> dt.date | None:
    m = DATE_RE.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _condition_words() -> dict[str, str]:
    out = {}
    for c in BoxCondition:
        out[c.value] = c.value
        for lang in HEADER_LANGUAGES:
            with override(lang):
                out[str(c.label).strip().lower()] = c.value
    return out


def _half(text: str) -> str:
    return text if text.isascii() else to_halfwidth(text)


def _customer_ids(numbers: set[str]) -> dict[str, int]:
    numbers = sorted(numbers)
    out: dict[str, int] = {}
    for i in range(0, len(numbers), CHUNK):
        out.update(
            Customer.objects.filter(customer_no__in=numbers[i : i + CHUNK]).values_list("customer_no", "id")
        )
    return out


def _existing(meter_nos: list[str]) -> dict[str, tuple]:
    """meter_no -> (pk, customer_id, installed_on, box_condition)."""
    out = {}
    for i in range(0, len(meter_nos), CHUNK):
        for pk, no, cid, day, box in MeterFact.objects.filter(
            meter_no__in=meter_nos[i : i + CHUNK]
        ).values_list("pk", "meter_no", "customer_id", "installed_on", "box_condition"):
            out[no] = (pk, cid, day, box)
    return out


def _rows(table, report: ImportReport, progress) -> list[tuple]:
    idx = [table.headers.index(c) for c in COLUMNS]
    width = len(table.headers)
    conditions = _condition_words()
    today = timezone.localdate()
    raw = []
    for rowno, cells in table.rows:
        report.rows += 1
        if progress and report.rows % 10_000 == 0:
            progress(10_000)
        if len(cells) != width:
            report.add_error(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": width})
            continue
        raw.append((rowno, *(_half(cells[i]) for i in idx)))
    ids = _customer_ids({r[1] for r in raw})
    seen: dict[str, int] = {}
    out = []
    add = report.add_error
    for rowno, no, meter, day_text, box_text in raw:
        cid, day, box = ids.get(no), parse_day(day_text), conditions.get(box_text.strip().lower())
        ok = True
        if cid is None:
            add(rowno, "customer_no", no, _("户号不存在"))
            ok = False
        if not meter or len(meter) > METER_MAX or not METER_RE.match(meter):
            add(rowno, "meter_no", meter, _("表号应为不超过 %(n)s 位的字母、数字或“-”") % {"n": METER_MAX})
            ok = False
        elif (first := seen.get(meter)) is not None:
            add(rowno, "meter_no", meter, _("表号与第 %(row)s 行重复") % {"row": first})
            ok = False
        if day is None:
            add(rowno, "installed_on", day_text, _("日期格式应为 YYYY-MM-DD"))
            ok = False
        elif not (dt.date(MIN_YEAR, 1, 1) <= day <= today):
            add(
                rowno,
                "installed_on",
                day_text,
                _("装表日期须在 %(lo)s 年至今天之间") % {"lo": MIN_YEAR},
            )
            ok = False
        if box is None:
            add(
                rowno,
                "box_condition",
                box_text,
                _("表箱状况应为 %(codes)s 之一") % {"codes": "、".join(BoxCondition.values)},
            )
            ok = False
        if meter and meter not in seen:
            seen[meter] = rowno
        if ok:
            out.append((cid, meter, day, box))
    return out


@register_importer("meters", gettext_lazy("电能表档案：户号、表号、装表日期、表箱状况（good/worn/damaged）"))
def import_meters(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    """Validate every row; insert new meters and update changed ones, all or nothing."""
    report = ImportReport(kind="meters")
    table = read_table(source, name=name)
    if not check_headers(table, COLUMNS, report, LABELS):
        raise ImportFailed(report)
    rows = _rows(table, report, progress)
    if not report.ok:
        report.errors.sort(key=lambda e: e.row)  # rows of the wrong width were found first
        raise ImportFailed(report)
    with transaction.atomic():
        existing = _existing(sorted(r[1] for r in rows))
        new_rows, updates = [], []
        for r in rows:
            old = existing.get(r[1])
            if old is None:
                new_rows.append(r)
            elif (old[1], old[2], old[3]) != (r[0], r[2], r[3]):
                updates.append((old[0], r))
            else:
                report.unchanged += 1
        meter_facts_write(new_rows=new_rows, updates=updates)
        report.created, report.updated = len(new_rows), len(updates)
        audit_record(
            actor=actor,
            action="proactive.meter_import",
            object_type="proactive.meterfact",
            object_id="*",
            object_repr=f"导入 {name}",
            changes={"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
            note=name,
        )
    return report
