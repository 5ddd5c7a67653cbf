"""`gridcare import customers FILE`: validate every row, then upsert all rows or none.

Built for a million rows: validation is plain Python over tuples, new rows go in with
COPY on PostgreSQL and executemany on SQLite, changed rows are updated in place by
customer number, and each changed row gets a field-level audit event.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.core.audit import audit_record
from gridcare.core.maintenance import refresh_statistics
from gridcare.core.models import AuditEvent
from gridcare.core.tabular import ImportFailed, ImportReport, check_headers, read_table, register_importer
from gridcare.core.textutil import to_halfwidth
from gridcare.grid.models import TransformerArea

from .choices import CustomerCategory
from .models import Customer
from .services import _masked_changes

COLUMNS = [
    "customer_no",
    "name",
    "phone",
    "address",
    "area_code",
    "category",
    "tariff",
    "voltage_kv",
    "capacity_kva",
    "important",
    "sensitive",
]
# The header each column gets in an export, in the reader's language; the import reads a
# column headed by its code or by this label in either language.
COLUMN_LABELS = {
    "customer_no": gettext_lazy("户号"),
    "name": gettext_lazy("户名"),
    "phone": gettext_lazy("联系电话"),
    "address": gettext_lazy("用电地址"),
    "area_code": gettext_lazy("台区编码"),
    "category": gettext_lazy("用户类别"),
    "tariff": gettext_lazy("电价类别"),
    "voltage_kv": gettext_lazy("电压等级(kV)"),
    "capacity_kva": gettext_lazy("容量(kVA)"),
    "important": gettext_lazy("重要客户"),
    "sensitive": gettext_lazy("敏感客户"),
}
CATEGORIES = set(CustomerCategory.values)
NO_RE = re.compile(r"^[0-9A-Za-z-]{4,20}$")
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8}|95598)$")
FLAGS = {"0": False, "1": True, "": False}
CHUNK_ROWS = 20_000  # rows validated (and written) per step
STATS_AFTER_ROWS = 5_000  # an import writing this many rows refreshes planner statistics
SEP_RE = re.compile(r"[;；/,，]")
# Fields compared and written, in table order (area → area_id, station → station_id).
DATA_FIELDS = [
    "name",
    "phone",
    "phone2",
    "address",
    "area_id",
    "station_id",
    "category",
    "tariff",
    "voltage_kv",
    "capacity_kva",
    "important",
    "sensitive",
]


@lru_cache(maxsize=4096)
def _decimal(value: str, places: int) -> Decimal | None:
    """Parse and round a decimal; cached because a million rows repeat a few hundred values."""
    try:
        d = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite():
        return None
    try:
        return d.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than the context holds (1e30): out of any range
        return None


MAX_CAPACITY = Decimal("1e9")


@lru_cache(maxsize=4096)
def _voltage(text: str) -> Decimal | None:
    """A voltage cell as stored (kV, 2 places), None unless it is a positive number < 10000."""
    volt = _decimal(to_halfwidth(text), 2)
    return volt if volt is not None and 0 < volt < 10000 else None


@lru_cache(maxsize=4096)
def _capacity(text: str) -> Decimal | None:
    """A capacity cell as stored (kVA, 1 place), None unless it is a number in [0, 1e9)."""
    cap = _decimal(to_halfwidth(text), 1)
    return cap if cap is not None and 0 <= cap < MAX_CAPACITY else None


def validate_customer_rows(table, report: ImportReport, progress=None, chunk: int | None = None):
    """Validate every row; yields lists of valid rows (customer_no + DATA_FIELDS order).

    Errors go to ``report``; a caller writes nothing unless ``report.ok`` holds once the
    last chunk has been validated. Problems with the file itself (damaged, too many
    rows) raise ``ApplicationError`` while the chunks are being read.
    """
    # Read what validation needs now, not lazily inside the generator.
    areas = {
        code: (pk, station_id)
        for code, pk, station_id in TransformerArea.objects.values_list("code", "pk", "station_id")
    }
    return _validated_chunks(table, report, progress, chunk or CHUNK_ROWS, areas)


def _validated_chunks(table, report: ImportReport, progress, chunk: int, areas: dict):
    idx = {c: table.headers.index(c) for c in COLUMNS}
    ncols = len(table.headers)
    seen: dict[str, int] = {}
    shared: dict[str, str] = {}
    out: list[tuple] = []
    add = report.add_error
    i_no, i_name, i_phone, i_addr, i_area, i_cat, i_tariff, i_v, i_cap, i_imp, i_sen = (
        idx[c] for c in COLUMNS
    )
    batch = 0
    for rowno, cells in table.rows:
        report.rows += 1
        batch += 1
        if batch == 10_000:
            if progress:
                progress(batch)
            batch = 0
        if len(out) >= chunk:
            yield out
            out = []
        if len(cells) != ncols:
            add(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": ncols})
            continue
        no, name, phone, address = cells[i_no], cells[i_name], cells[i_phone], cells[i_addr]
        area, cat, tariff = areas.get(cells[i_area]), cells[i_cat], cells[i_tariff]
        volt, cap = _voltage(cells[i_v]), _capacity(cells[i_cap])
        imp, sen = FLAGS.get(cells[i_imp]), FLAGS.get(cells[i_sen])
        if not no.isascii():
            no = to_halfwidth(no)
        if not phone.isascii():
            phone = to_halfwidth(phone)
        # Most rows are fine and have one phone number: check them in one expression; any
        # other row goes through the checks below, which name every problem.
        if (
            NO_RE.match(no)
            and 0 < len(name) <= 100
            and PHONE_RE.fullmatch(phone)
            and 0 < len(address) <= 200
            and area is not None
            and cat in CATEGORIES
            and 0 < len(tariff) <= 50
            and volt is not None
            and cap is not None
            and imp is not None
            and sen is not None
            and no not in seen
        ):
            seen[no] = rowno
            # one string object per distinct value: every valid row stays in memory until the write
            cat, tariff = shared.setdefault(cat, cat), shared.setdefault(tariff, tariff)
            out.append((no, name, phone, "", address, area[0], area[1], cat, tariff, volt, cap, imp, sen))
            continue
        ok = True
        if not NO_RE.match(no):
            add(rowno, "customer_no", no, _("户号应为4-20位数字或字母"))
            ok = False
        elif no in seen:
            add(rowno, "customer_no", no, _("户号与第 %(row)s 行重复") % {"row": seen[no]})
            ok = False
        else:
            seen[no] = rowno
        if not name or len(name) > 100:
            add(rowno, "name", name, _("户名不能为空且不超过100字"))
            ok = False
        phones = [p.strip() for p in SEP_RE.split(phone.replace(" ", "")) if p.strip()]
        for p in phones:
            if not PHONE_RE.match(p):
                add(rowno, "phone", p, _("电话号码无效（手机11位或区号-号码）"))
                ok = False
        if len(phones) > 2:
            add(rowno, "phone", cells[i_phone], _("最多两个电话号码"))
            ok = False
        if not address or len(address) > 200:
            add(rowno, "address", address, _("地址不能为空且不超过200字"))
            ok = False
        if area is None:
            add(rowno, "area_code", cells[i_area], _("台区编码不存在"))
            ok = False
        if cat not in CATEGORIES:
            add(
                rowno,
                "category",
                cat,
                _("用户类别无效（%(choices)s）") % {"choices": ", ".join(sorted(CATEGORIES))},
            )
            ok = False
        if not tariff or len(tariff) > 50:
            add(rowno, "tariff", tariff, _("电价类别不能为空"))
            ok = False
        if volt is None:
            add(rowno, "voltage_kv", cells[i_v], _("电压等级须为正数"))
            ok = False
        if cap is None:
            add(rowno, "capacity_kva", cells[i_cap], _("容量须为非负数"))
            ok = False
        if imp is None:
            add(rowno, "important", cells[i_imp], _("应为 0 或 1"))
            ok = False
        if sen is None:
            add(rowno, "sensitive", cells[i_sen], _("应为 0 或 1"))
            ok = False
        if ok:
            cat, tariff = shared.setdefault(cat, cat), shared.setdefault(tariff, tariff)
            out.append(
                (
                    no,
                    name,
                    phones[0] if phones else "",
                    phones[1] if len(phones) > 1 else "",
                    address,
                    area[0],
                    area[1],
                    cat,
                    tariff,
                    volt,
                    cap,
                    imp,
                    sen,
                )
            )
    if progress and batch:
        progress(batch)
    if out:
        yield out


def _existing(numbers: list[str]) -> dict[str, tuple]:
    if not Customer.objects.exists():
        return {}
    out: dict[str, tuple] = {}
    values = ["customer_no", "pk", *DATA_FIELDS]
    chunk = 5000
    for i in range(0, len(numbers), chunk):
        for row in Customer.objects.filter(customer_no__in=numbers[i : i + chunk]).values_list(*values):
            out[row[0]] = row[1:]
    return out


_ESC = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _esc(value: str) -> str:
    return (
        value.translate(_ESC) if ("\\" in value or "\t" in value or "\n" in value or "\r" in value) else value
    )


_COPY_COLS = (
    "customer_no, name, phone, phone2, address, area_id, station_id, category, tariff, voltage_kv, "
    "capacity_kva, important, sensitive, id_number, created_at, updated_at"
)
_COPY_SQL = f"COPY {Customer._meta.db_table} ({_COPY_COLS}) FROM STDIN"


def _copy_rows(cp, rows: list[tuple], stamp: str) -> None:
    """Write validated rows in COPY text format (several times faster than write_row())."""
    buf = []
    for r in rows:
        buf.append(
            f"{_esc(r[0])}\t{_esc(r[1])}\t{_esc(r[2])}\t{_esc(r[3])}\t{_esc(r[4])}\t{r[5]}\t{r[6]}\t"
            f"{r[7]}\t{_esc(r[8])}\t{r[9]}\t{r[10]}\t{'t' if r[11] else 'f'}\t"
            f"{'t' if r[12] else 'f'}\t\t{stamp}\t{stamp}\n"
        )
        if len(buf) >= 5000:
            cp.write("".join(buf))
            buf.clear()
    if buf:
        cp.write("".join(buf))


def write_customer_rows(new_rows: list[tuple], updates: list[tuple], now) -> None:
    table = Customer._meta.db_table
    cols = [
        "customer_no",
        "name",
        "phone",
        "phone2",
        "address",
        "area_id",
        "station_id",
        "category",
        "tariff",
        "voltage_kv",
        "capacity_kva",
        "important",
        "sensitive",
    ]
    # The raw cursors below bypass Django's error wrapping: put it back around them.
    with connection.cursor() as cur, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            raw = cur.cursor
            if new_rows:
                with raw.copy(_COPY_SQL) as cp:
                    _copy_rows(cp, new_rows, now.isoformat())
            if updates:
                raw.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS _cust_upd (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
                )
                raw.execute("TRUNCATE _cust_upd")
                with raw.copy(
                    f"COPY _cust_upd (id, {', '.join(cols[1:])}, customer_no, id_number, created_at, "
                    "updated_at) FROM STDIN"
                ) as cp:
                    for pk, r in updates:
                        cp.write_row((pk, *r[1:], r[0], "", now, now))
                sets = ", ".join(f"{c} = u.{c}" for c in cols[1:])
                raw.execute(
                    f"UPDATE {table} t SET {sets}, updated_at = u.updated_at FROM _cust_upd u WHERE t.id = u.id"
                )
        else:
            import sqlite3

            # The plain sqlite3 cursor: Django's wrapper re-formats every parameter set. The
            # timestamp is adapted once, as the ORM stores it, not once per row.
            raw = cur.cursor
            stamp = connection.ops.adapt_datetimefield_value(now)
            step = 20_000
            if new_rows:
                placeholders = ", ".join(["?"] * (len(cols) + 3))
                sql = (
                    f"INSERT INTO {table} ({', '.join(cols)}, id_number, created_at, updated_at) "
                    f"VALUES ({placeholders})"
                )
                for i in range(0, len(new_rows), step):
                    sqlite3.Cursor.executemany(
                        raw,
                        sql,
                        [
                            (*r[:9], str(r[9]), str(r[10]), r[11], r[12], "", stamp, stamp)
                            for r in new_rows[i : i + step]
                        ],
                    )
            if updates:
                sets = ", ".join(f"{c} = ?" for c in cols[1:])
                sql = f"UPDATE {table} SET {sets}, updated_at = ? WHERE id = ?"
                for i in range(0, len(updates), step):
                    sqlite3.Cursor.executemany(
                        raw,
                        sql,
                        [
                            (*r[1:9], str(r[9]), str(r[10]), r[11], r[12], stamp, pk)
                            for pk, r in updates[i : i + step]
                        ],
                    )


@register_importer("customers", gettext_lazy("客户档案（户号、户变关系）"))
def import_customers(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    """Validate every row; insert new customers and update changed ones, all or nothing.

    The whole file is read and validated first, outside any transaction, so a long file
    holds no lock while it is checked (on SQLite a write transaction locks the whole
    database: web writes would wait on it and fail). Only a file without a single bad
    row is then written, in one transaction that does nothing but write.
    """
    report = ImportReport(kind="customers")
    table = read_table(source, name=name)
    if not check_headers(table, COLUMNS, report, COLUMN_LABELS):
        raise ImportFailed(report)
    chunks = list(validate_customer_rows(table, report, progress))
    if not report.ok:
        raise ImportFailed(report)
    del table
    now = timezone.now()
    audits: list[AuditEvent] = []
    created = updated = 0
    with transaction.atomic():
        if not Customer.objects.exists():
            # First load: nothing to compare, every row is new.
            if connection.vendor == "postgresql":
                with (
                    connection.cursor() as cur,
                    connection.wrap_database_errors,
                    cur.cursor.copy(_COPY_SQL) as cp,
                ):
                    stamp = now.isoformat()
                    for rows in chunks:
                        _copy_rows(cp, rows, stamp)
            else:
                for rows in chunks:
                    write_customer_rows(rows, [], now)
            created = sum(len(rows) for rows in chunks)
        else:
            for rows in chunks:
                existing = _existing([r[0] for r in rows])
                new_rows, updates = _split(rows, existing, report, audits, actor, name)
                write_customer_rows(new_rows, updates, now)
                created += len(new_rows)
                updated += len(updates)
        AuditEvent.objects.bulk_create(audits, batch_size=2000)
        audit_record(
            actor=actor,
            action="customer.import",
            object_type="customers.customer",
            object_id="*",
            object_repr=f"导入 {name}",
            changes={"created": created, "updated": updated, "unchanged": report.unchanged},
            note=name,
        )
    report.created, report.updated = created, updated
    if created + updated >= STATS_AFTER_ROWS:
        # Fresh statistics, or searches on the grown table may pick a scan (see maintenance).
        refresh_statistics(Customer._meta.db_table)
    return report


def _split(rows, existing, report, audits, actor, name):
    new_rows, updates = [], []
    for r in rows:
        old = existing.get(r[0])
        if old is None:
            new_rows.append(r)
            continue
        changes = {
            f.removesuffix("_id"): [None if o is None else str(o), str(v)]
            for f, o, v in zip(DATA_FIELDS, old[1:], r[1:], strict=True)
            if (o != v if not isinstance(v, Decimal) else Decimal(o) != v)
        }
        if not changes:
            report.unchanged += 1
            continue
        updates.append((old[0], r))
        audits.append(
            AuditEvent(
                actor=actor,
                action="customer.import_update",
                object_type="customers.customer",
                object_id=str(old[0]),
                object_repr=f"{r[1]}（{r[0]}）",
                changes=_masked_changes(changes),
                note=name,
            )
        )
    return new_rows, updates
