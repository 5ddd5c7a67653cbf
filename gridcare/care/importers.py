"""`gridcare import billing FILE` and `gridcare import conduct FILE`: what the billing system
knows about each customer's bills and conduct; every row validated, then all rows or none.

Billing is built for a million bills a month: validation is plain Python over tuples in
chunks (customer numbers looked up a chunk at a time), new bills go in with COPY on
PostgreSQL and executemany on SQLite, changed bills are updated in place by customer and
period, unchanged ones are left alone (the same file twice changes nothing). Once the
import has committed, the credit rating of every customer whose facts changed is
recomputed (``services.credit_ratings_recompute``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial

from django.db import connection, transaction
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

from .choices import ConductKind, RatingCause
from .models import Bill, ConductEvent
from .services import bills_write, conduct_write, credit_ratings_recompute

BILL_COLUMNS = ["customer_no", "period", "kwh", "amount", "due_date", "paid_at", "paid_amount"]
BILL_LABELS = {
    "customer_no": gettext_lazy("户号"),
    "period": gettext_lazy("账期"),
    "kwh": gettext_lazy("电量(kWh)"),
    "amount": gettext_lazy("电费(元)"),
    "due_date": gettext_lazy("缴费截止日"),
    "paid_at": gettext_lazy("缴费日期"),
    "paid_amount": gettext_lazy("实缴金额(元)"),
}
CONDUCT_COLUMNS = ["customer_no", "date", "kind", "note"]
CONDUCT_LABELS = {
    "customer_no": gettext_lazy("户号"),
    "date": gettext_lazy("日期"),
    "kind": gettext_lazy("类型"),
    "note": gettext_lazy("说明"),
}
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_KWH = Decimal("100000000")  # 100 GWh in a month: more than any one customer uses
MAX_AMOUNT = Decimal("1000000000")  # 1e9 yuan
NOTE_MAX = ConductEvent._meta.get_field("note").max_length
CHUNK_ROWS = 20_000
LOOKUP = 5000
CENT = Decimal("0.01")
PERIOD_RE = re.compile(r"^(\d{4})[-/](\d{1,2})(?:[-/]0?1(?: 00:00:00)?)?$")
DATE_RE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


@lru_cache(maxsize=4096)
def parse_period(text: str) -> str | None:
    """``2026-03`` (also ``2026/3``, and the first of the month an Excel cell turns it into)."""
    m = PERIOD_RE.match(text)
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}"


@lru_cache(maxsize=8192)
def parse_day(text: str) -> dt.date | None:
    """``2026-03-15`` (also ``2026/3/15``; a time after the date, as Excel writes it, is dropped)."""
    m = DATE_RE.match(text)
    if not m:
        return None
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def parse_money(text: str, limit: Decimal) -> str | None:
    """A non-negative number below ``limit`` as stored (2 places, ``"12.30"``); None if it is
    not one. Kept as text: a million bills' amounts are written as text anyway."""
    if not text.isascii():
        text = to_halfwidth(text)
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite() or d < 0 or d >= limit:
        return None
    return str(d.quantize(CENT))


@lru_cache(maxsize=1024)
def period_start(period: str) -> dt.date:
    return dt.date(int(period[:4]), int(period[5:7]), 1)


def _no(text: str) -> str:
    return text if text.isascii() else to_halfwidth(text)


def _customer_ids(numbers) -> dict[str, int]:
    """Customer number -> id for the numbers that exist (plain SQL: the ORM's preparation of
    thousands of parameters costs more than the lookup)."""
    numbers = list(numbers)
    table = Customer._meta.db_table
    out: dict[str, int] = {}
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # one array parameter rather than thousands
            cur.execute(f"SELECT customer_no, id FROM {table} WHERE customer_no = ANY(%s)", [numbers])
            return dict(cur.fetchall())
        for i in range(0, len(numbers), LOOKUP):
            part = numbers[i : i + LOOKUP]
            cur.execute(
                f"SELECT customer_no, id FROM {table} WHERE customer_no IN ({', '.join(['%s'] * len(part))})",
                part,
            )
            out.update(cur.fetchall())
    return out


def _read_chunks(table, report: ImportReport, progress):
    """The table's rows in chunks of (row number, cells), rows of the wrong width reported."""
    ncols = len(table.headers)
    chunk, batch = [], 0
    for rowno, cells in table.rows:
        report.rows += 1
        batch += 1
        if batch == 10_000:
            if progress:
                progress(batch)
            batch = 0
        if len(cells) != ncols:
            report.add_error(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": ncols})
            continue
        chunk.append((rowno, cells))
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if progress and batch:
        progress(batch)
    if chunk:
        yield chunk


# ------------------------------------------------------------------------------ billing


class _BillChecker:
    """Validates billing rows; keeps what is needed to report a duplicate by its first row."""

    def __init__(self, table, report: ImportReport):
        self.idx = [table.headers.index(c) for c in BILL_COLUMNS]
        self.report = report
        self.today = timezone.localdate()
        self.seen: dict[tuple[int, str], int] = {}
        self.periods: set[str] = set()

    def chunk(self, rows) -> list[tuple]:
        i_no = self.idx[0]
        ids = _customer_ids({_no(cells[i_no]) for _rowno, cells in rows})
        out = []
        for rowno, cells in rows:
            row = self.row(rowno, [cells[i] for i in self.idx], ids)
            if row is not None:
                out.append(row)
        return out

    def row(self, rowno: int, cells: list[str], ids: dict[str, int]) -> tuple | None:
        no, period_text, kwh_text, amount_text, due_text, paid_text, paid_amount_text = cells
        cid = ids.get(_no(no))
        period = parse_period(period_text)
        kwh = parse_money(kwh_text, MAX_KWH)
        amount = parse_money(amount_text, MAX_AMOUNT)
        due = parse_day(due_text)
        paid_at = parse_day(paid_text) if paid_text else None
        paid_amount = parse_money(paid_amount_text, MAX_AMOUNT) if paid_amount_text else None
        if paid_amount == "0.00" and not paid_text:  # an export's 0 for "nothing paid yet"
            paid_amount, paid_amount_text = None, ""
        if (
            cid is not None
            and period is not None
            and kwh is not None
            and amount is not None
            and due is not None
            and due >= period_start(period)
            and (paid_at is None) == (not paid_text)
            and (paid_at is None or paid_at <= self.today)
            and (paid_amount is None) == (not paid_amount_text)
            and (paid_at is None) == (paid_amount is None)
            and (cid, period) not in self.seen
        ):
            self.seen[(cid, period)] = rowno
            self.periods.add(period)
            return (cid, period, kwh, amount, due, paid_at, paid_amount)
        cells = [no, period_text, kwh_text, amount_text, due_text, paid_text, paid_amount_text]
        self.explain(rowno, cells, cid, period, kwh, amount, due, paid_at, paid_amount)
        return None

    def explain(self, rowno, cells, cid, period, kwh, amount, due, paid_at, paid_amount) -> None:
        """Name every problem of a row that failed the quick check."""
        before = self.report.error_count
        add = self.report.add_error
        no, period_text, kwh_text, amount_text, due_text, paid_text, paid_amount_text = cells
        if cid is None:
            add(rowno, "customer_no", no, _("户号不存在"))
        if period is None:
            add(rowno, "period", period_text, _("账期应为 YYYY-MM（%(lo)s—%(hi)s 年）") % _years())
        if kwh is None:
            add(rowno, "kwh", kwh_text, _("电量须为 0 至 %(max)s 之间的数") % {"max": f"{MAX_KWH:,}"})
        if amount is None:
            add(
                rowno, "amount", amount_text, _("金额须为 0 至 %(max)s 之间的数") % {"max": f"{MAX_AMOUNT:,}"}
            )
        if due is None:
            add(rowno, "due_date", due_text, _("日期格式应为 YYYY-MM-DD（%(lo)s—%(hi)s 年）") % _years())
        elif period is not None and due < period_start(period):
            add(rowno, "due_date", due_text, _("缴费截止日不能早于账期"))
        if paid_text and paid_at is None:
            add(rowno, "paid_at", paid_text, _("日期格式应为 YYYY-MM-DD（%(lo)s—%(hi)s 年）") % _years())
        elif paid_at is not None and paid_at > self.today:
            add(rowno, "paid_at", paid_text, _("缴费日期不能晚于今天"))
        if paid_amount_text and paid_amount is None:
            add(
                rowno,
                "paid_amount",
                paid_amount_text,
                _("金额须为 0 至 %(max)s 之间的数") % {"max": f"{MAX_AMOUNT:,}"},
            )
        if bool(paid_text) != bool(paid_amount_text):
            add(rowno, "paid_amount", paid_amount_text, _("缴费日期与实缴金额须同时填写（未缴费时同时留空）"))
        if cid is not None and period is not None and (first := self.seen.get((cid, period))):
            add(rowno, "period", period_text, _("同一户号同一账期与第 %(row)s 行重复") % {"row": first})
        if self.report.error_count == before:  # never drop a row unexplained
            add(rowno, "*", "", _("数据不一致，请检查本行"))


def _years() -> dict:
    return {"lo": MIN_YEAR, "hi": MAX_YEAR}


BILL_FIELDS = ("kwh", "amount", "due_date", "paid_at", "paid_amount")


def _stored(value) -> object:
    """A stored value as the validated rows hold it (amounts as 2-place text)."""
    return str(value.quantize(CENT)) if isinstance(value, Decimal) else value


def _existing_bills(rows: list[tuple], periods: list[str]) -> dict[tuple[int, str], tuple]:
    """(customer id, period) -> (pk, *BILL_FIELDS) of the bills these rows may replace."""
    cids = sorted({r[0] for r in rows})
    out: dict[tuple[int, str], tuple] = {}
    if connection.vendor == "postgresql":  # one array parameter rather than thousands
        columns = ", ".join(["customer_id", "period", "id", *BILL_FIELDS])
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {columns} FROM {Bill._meta.db_table} WHERE customer_id = ANY(%s) AND period = ANY(%s)",
                [cids, periods],
            )
            for cid, period, pk, *values in cur.fetchall():
                out[(cid, period)] = (pk, *map(_stored, values))
        return out
    for i in range(0, len(cids), LOOKUP):
        for cid, period, pk, *values in Bill.objects.filter(
            customer_id__in=cids[i : i + LOOKUP], period__in=periods
        ).values_list("customer_id", "period", "pk", *BILL_FIELDS):
            out[(cid, period)] = (pk, *map(_stored, values))
    return out


def _split_bills(rows, existing, report) -> tuple[list, list]:
    new_rows, updates = [], []
    for r in rows:
        old = existing.get((r[0], r[1]))
        if old is None:
            new_rows.append(r)
        elif old[1:] != r[2:]:
            updates.append((old[0], r))
        else:
            report.unchanged += 1
    return new_rows, updates


@register_importer("billing", gettext_lazy("电费账单与缴费：每户每月一行（账期 YYYY-MM）"))
def import_billing(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    """Validate every row; insert new bills and update changed ones, all or nothing; then
    recompute the credit rating of each customer whose bills changed."""
    report = ImportReport(kind="billing")
    table = read_table(source, name=name)
    if not check_headers(table, BILL_COLUMNS, report, BILL_LABELS):
        raise ImportFailed(report)
    checker = _BillChecker(table, report)
    chunks = [checker.chunk(rows) for rows in _read_chunks(table, report, progress)]
    if not report.ok:
        raise ImportFailed(report)
    del table, checker.seen
    periods = sorted(checker.periods)
    touched: set[int] = set()
    with transaction.atomic():
        first_load = not Bill.objects.exists()  # nothing to compare with
        for rows in chunks:
            if first_load:
                new_rows, updates = rows, []
            else:
                new_rows, updates = _split_bills(rows, _existing_bills(rows, periods), report)
            bills_write(new_rows=new_rows, updates=updates)
            report.created += len(new_rows)
            report.updated += len(updates)
            touched.update(r[0] for r in new_rows)
            touched.update(r[0] for _pk, r in updates)
        _audit(actor, "care.billing_import", "care.bill", name, report)
        transaction.on_commit(partial(_recompute_after_import, touched, report))
    return report


def _audit(actor, action: str, object_type: str, name: str, report: ImportReport) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id="*",
        object_repr=f"导入 {name}",
        changes={"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
        note=name,
    )


def _recompute_after_import(customer_ids: set[int], report: ImportReport) -> None:
    if not customer_ids:
        return
    counts = credit_ratings_recompute(customer_ids=customer_ids, cause=RatingCause.IMPORT)
    report.notes.append(
        _("信用等级已按新数据重算：%(n)s 户，等级变化 %(changed)s 户")
        % {"n": counts["customers"], "changed": counts["changed"] + counts["created"]}
    )


# ------------------------------------------------------------------------------ conduct


def _kind_words() -> dict[str, str]:
    """Every way a kind may be written: its code, and its label in each language."""
    out = {}
    for kind in ConductKind:
        out[kind.value] = kind.value
        for lang in HEADER_LANGUAGES:
            with override(lang):
                out[str(kind.label).strip().lower()] = kind.value
    return out


def _conduct_rows(table, report: ImportReport, progress) -> list[tuple]:
    idx = [table.headers.index(c) for c in CONDUCT_COLUMNS]
    kinds = _kind_words()
    today = timezone.localdate()
    seen: dict[tuple[int, dt.date, str], int] = {}
    out = []
    add = report.add_error
    for rows in _read_chunks(table, report, progress):
        ids = _customer_ids({_no(cells[idx[0]]) for _rowno, cells in rows})
        for rowno, cells in rows:
            no, date_text, kind_text, note = (cells[i] for i in idx)
            cid, day, kind = ids.get(_no(no)), parse_day(date_text), kinds.get(kind_text.lower())
            ok = True
            if cid is None:
                add(rowno, "customer_no", no, _("户号不存在"))
                ok = False
            if day is None:
                add(rowno, "date", date_text, _("日期格式应为 YYYY-MM-DD（%(lo)s—%(hi)s 年）") % _years())
                ok = False
            elif day > today:
                add(rowno, "date", date_text, _("日期不能晚于今天"))
                ok = False
            if kind is None:
                add(
                    rowno,
                    "kind",
                    kind_text,
                    _("类型应为 %(kinds)s 之一") % {"kinds": "、".join(ConductKind.values)},
                )
                ok = False
            if len(note) > NOTE_MAX:
                add(rowno, "note", note, _("说明最多 %(n)s 个字符") % {"n": NOTE_MAX})
                ok = False
            if ok and (first := seen.get((cid, day, kind))):
                add(rowno, "date", date_text, _("同一户号、日期和类型与第 %(row)s 行重复") % {"row": first})
                ok = False
            if ok:
                seen[(cid, day, kind)] = rowno
                out.append((cid, day, kind, note))
    return out


@register_importer("conduct", gettext_lazy("用电行为：窃电、违约用电、退票、违反缴费协议、欠费停电"))
def import_conduct(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    """Validate every row; add new events and update changed notes, all or nothing; then
    recompute the credit rating of each customer whose events changed."""
    report = ImportReport(kind="conduct")
    table = read_table(source, name=name)
    if not check_headers(table, CONDUCT_COLUMNS, report, CONDUCT_LABELS):
        raise ImportFailed(report)
    rows = _conduct_rows(table, report, progress)
    if not report.ok:
        raise ImportFailed(report)
    now = timezone.now()
    with transaction.atomic():
        existing = _existing_conduct(sorted({r[0] for r in rows}))
        new, changed = [], []
        for cid, day, kind, note in rows:
            old = existing.get((cid, day, kind))
            if old is None:
                new.append(ConductEvent(customer_id=cid, date=day, kind=kind, note=note))
            elif old.note != note:
                old.note, old.updated_at = note, now
                changed.append(old)
            else:
                report.unchanged += 1
        conduct_write(new=new, changed=changed)
        report.created, report.updated = len(new), len(changed)
        _audit(actor, "care.conduct_import", "care.conductevent", name, report)
        touched = {e.customer_id for e in new} | {e.customer_id for e in changed}
        transaction.on_commit(partial(_recompute_after_import, touched, report))
    return report


def _existing_conduct(cids: list[int]) -> dict[tuple, ConductEvent]:
    out = {}
    for i in range(0, len(cids), LOOKUP):
        for e in ConductEvent.objects.filter(customer_id__in=cids[i : i + LOOKUP]):
            out[(e.customer_id, e.date, e.kind)] = e
    return out
