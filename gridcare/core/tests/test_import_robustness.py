"""Imports under a security/fault review: broken files, huge files, a busy database.

* Whatever is wrong with a file gives a clear message and exit code 1 (CLI) or the
  message on the page (web), never a traceback or a 500.
* XLSX rows that a sheet merely implies (dimension tag, gaps) are never visited; files
  with more rows than ``GRIDCARE_IMPORT_MAX_ROWS`` stop with an error naming the cap.
* Every row is read and validated before anything is written, outside any transaction
  (SQLite has one write lock for the whole database), and a write that cannot get the
  database's lock answers 503 with Retry-After, never a 500.
"""

from __future__ import annotations

import contextlib
import io
import re
import sqlite3
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from openpyxl import Workbook
from rest_framework.test import APIClient

from gridcare.core import tabular
from gridcare.core.errors import ApplicationError
from gridcare.core.middleware import is_database_busy
from gridcare.core.models import AuditEvent
from gridcare.core.tabular import ImportFailed, read_table
from gridcare.customers.importers import COLUMNS as CUSTOMER_COLUMNS
from gridcare.customers.importers import import_customers
from gridcare.customers.models import Customer
from gridcare.grid.importers import COLUMNS as GRID_COLUMNS
from gridcare.grid.importers import import_grid
from gridcare.grid.models import TransformerArea
from gridcare.org.choices import Role

CUSTOMER = ["3100000001", "张伟", "13912345678", "扬州市文昌路1号", "TA-A1", "residential", "居民生活用电"]
CUSTOMER += ["0.22", "8", "0", "0"]
GRID = ["NJ0101", "东山供电所", "东山110kV变电站", "F900", "10kV东山一线", "TA-900", "东山花园1号台区"]
GRID += ["400", "urban"]
KINDS = {"customers": (CUSTOMER_COLUMNS, CUSTOMER), "grid": (GRID_COLUMNS, GRID)}


def customer(no: str, **changes) -> list[str]:
    row = dict(zip(CUSTOMER_COLUMNS, CUSTOMER, strict=True))
    row.update(customer_no=no, **changes)
    return list(row.values())


def csv_bytes(header, *rows) -> bytes:
    return ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode()


def xlsx_bytes(header, *rows, sheet=None) -> bytes:
    """An XLSX file; ``sheet`` may rewrite the worksheet's XML text."""
    wb = Workbook()
    ws = wb.active
    for r in [header, *rows]:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    if sheet is None:
        return buf.getvalue()
    src, out = zipfile.ZipFile(buf), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = sheet(body.decode()).encode()
            dst.writestr(item.filename, body)
    return out.getvalue()


def broken_files(kind: str) -> dict[str, tuple[bytes, str]]:
    """name → (file content, what the message must say), each file a different way to be wrong."""
    header, row = KINDS[kind]
    good_xlsx = xlsx_bytes(header, row)
    return {
        "truncated.xlsx": (good_xlsx[: len(good_xlsx) // 2], "无法读取 XLSX 文件"),
        "broken-sheet-xml.xlsx": (xlsx_bytes(header, row, sheet=lambda x: x[:-40]), "XLSX 文件第"),
        "bad-shared-string.xlsx": (
            xlsx_bytes(header, row, sheet=lambda x: re.sub(r'<c r="A2" t="\w+">.*?</c>', _BAD_SST, x)),
            "XLSX 文件第 2 行附近",
        ),
        "report.pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "PDF"),
        "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".xls"),
        "garbage.csv": (bytes(range(256)) * 8, "编码"),
        "empty.csv": (b"", "文件为空"),
        "nul-byte.csv": (csv_bytes(header, [row[0], "张\x00伟", *row[2:]]), "第 2 行含有 NUL"),
        "gbk-garbage.csv": (csv_bytes(header).replace(b"\n", b"\n\xff\xfe\xfa\x81\x30\n"), "编码"),
        "huge-field.csv": (
            csv_bytes(header, [row[0], '"' + "长" * 200_000 + '"', *row[2:]]),
            "第 2 行：单元格超过",
        ),
    }


_BAD_SST = '<c r="A2" t="s"><v>999999</v></c>'  # a shared-string index past the table's end


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("case", sorted(broken_files("customers")))
def test_cli_broken_file_is_a_message_and_exit_1(world, tmp_path, capsys, kind, case):
    data, expected = broken_files(kind)[case]
    path = tmp_path / case
    path.write_bytes(data)
    areas = TransformerArea.objects.count()
    with pytest.raises(SystemExit) as exc:
        call_command("import", kind, str(path), "--no-progress")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "导入失败，未写入任何数据" in err and expected in err, err
    assert "Traceback" not in err
    assert Customer.objects.count() == 0 and TransformerArea.objects.count() == areas


def test_file_errors_follow_the_language(world):
    from django.utils import translation

    data, _expected = broken_files("customers")["huge-field.csv"]
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        list(read_table(data, name="c.csv").rows)
    assert exc.value.message.startswith("Row 2: a cell is longer than 131,072 characters")


def test_numbers_out_of_any_range_are_row_errors(world):
    """Decimal overflow (1e30) used to escape validation as InvalidOperation."""
    data = csv_bytes(
        CUSTOMER_COLUMNS,
        customer("3100000001", voltage_kv="1e30"),
        customer("3100000002", capacity_kva="9" * 40),
    )
    with pytest.raises(ImportFailed) as exc:
        import_customers(source=data, name="c.csv")
    assert [(e.row, e.column) for e in exc.value.report.errors] == [(2, "voltage_kv"), (3, "capacity_kva")]
    grid = csv_bytes(
        GRID_COLUMNS,
        [*GRID[:7], "1e30", "urban"],
        [*GRID[:3], "F901", "10kV东山二线", "TA-" + "9" * 40, "东山花园2号台区", "999999999.99", "urban"],
    )
    with pytest.raises(ImportFailed) as exc:
        import_grid(source=grid, name="g.csv")
    assert [(e.row, e.column) for e in exc.value.report.errors] == [
        (2, "capacity_kva"),
        (3, "area_code"),
        (3, "capacity_kva"),
    ]


def test_call_volume_values_beyond_the_columns_are_row_errors(db):
    """A count past the 32-bit column and a timestamp that cannot be stored in UTC were
    database errors (tracebacks) at write time."""
    from gridcare.workforce.importers import import_calls

    data = b"start,calls\n2024-03-04 08:00:00,1e12\n0001-01-01 00:00:00,3\n2024-03-04 08:05:00,4\n"
    with pytest.raises(ImportFailed) as exc:
        import_calls(source=data, name="calls.csv")
    assert {(e.row, e.column) for e in exc.value.report.errors} == {(2, "calls"), (3, "start")}


# --- the web page ------------------------------------------------------------------------


@pytest.fixture
def admin_client(world, client):
    client.force_login(world.staff(Role.ADMIN, world.company))
    return client


@pytest.mark.parametrize(
    "case", ["huge-field.csv", "broken-sheet-xml.xlsx", "nul-byte.csv", "truncated.xlsx"]
)
def test_import_page_shows_file_errors_never_500(admin_client, case):
    data, expected = broken_files("customers")[case]
    resp = admin_client.post("/import/", {"kind": "customers", "file": SimpleUploadedFile(case, data)})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'id="import-error"' in body and expected in body
    assert Customer.objects.count() == 0


def test_import_page_refuses_files_over_the_size_cap(admin_client, settings):
    settings.GRIDCARE_IMPORT_MAX_UPLOAD_MB = 1
    data = csv_bytes(CUSTOMER_COLUMNS, *(customer(f"31{i:08d}") for i in range(12_000)))
    assert len(data) > 1024 * 1024
    resp = admin_client.post("/import/", {"kind": "customers", "file": SimpleUploadedFile("c.csv", data)})
    assert resp.status_code == 413
    body = resp.content.decode()
    assert 'id="import-error"' in body and "最大 1 MB" in body and "gridcare import" in body
    assert Customer.objects.count() == 0


# --- big files -----------------------------------------------------------------------------


def test_xlsx_rows_the_sheet_only_implies_are_never_visited(world, monkeypatch):
    """Dimension tag A1:K20000000 and an empty cell at row 200,000 (as spreadsheets leave
    them): the reader reads the four rows the sheet holds, not twenty million."""
    rows = [customer("3100000001"), customer("3100000002")]

    def far_and_wide(xml: str) -> str:
        xml = xml.replace("</sheetData>", '<row r="200000"><c r="A200000" t="inlineStr"/></row></sheetData>')
        return re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:K20000000"', xml)

    data = xlsx_bytes(CUSTOMER_COLUMNS, *rows, sheet=far_and_wide)
    cells = 0
    real_cell = tabular._cell

    def counting_cell(value):
        nonlocal cells
        cells += 1
        assert cells < 1000, "the reader is visiting rows the sheet does not hold"
        return real_cell(value)

    monkeypatch.setattr(tabular, "_cell", counting_cell)
    table = read_table(data, name="c.xlsx")
    assert [rowno for rowno, _ in table.rows] == [2, 3]
    assert table.scanned == 4  # the header, two customers, the lone empty cell
    report = import_customers(source=data, name="c.xlsx")
    assert (report.rows, report.created) == (2, 2)


def test_row_cap_names_the_cap(world, settings):
    settings.GRIDCARE_IMPORT_MAX_ROWS = 3
    three = [customer(f"310000000{i}") for i in range(3)]
    assert import_customers(source=csv_bytes(CUSTOMER_COLUMNS, *three), name="c.csv").created == 3
    four = [customer(f"320000000{i}") for i in range(4)]
    for data in (csv_bytes(CUSTOMER_COLUMNS, *four), xlsx_bytes(CUSTOMER_COLUMNS, *four)):
        with pytest.raises(ApplicationError) as exc:
            import_customers(source=data, name="upload")
        assert exc.value.code == "too_many_rows" and "最多 3 行" in exc.value.message
    assert Customer.objects.count() == 3


def test_row_cap_bounds_empty_rows_an_xlsx_spells_out(world, settings):
    """Millions of explicit empty <row/> elements cost parsing time: they count against the cap."""
    settings.GRIDCARE_IMPORT_MAX_ROWS = 5
    empty_rows = "".join(f'<row r="{i}"/>' for i in range(3, 20))
    data = xlsx_bytes(
        CUSTOMER_COLUMNS,
        customer("3100000001"),
        sheet=lambda x: x.replace("</sheetData>", empty_rows + "</sheetData>"),
    )
    with pytest.raises(ApplicationError) as exc:
        list(read_table(data, name="c.xlsx").rows)
    assert exc.value.code == "too_many_rows"


def test_default_cap_takes_a_million_customers():
    assert tabular.max_rows() >= 1_000_000


def test_cli_names_the_cap(world, tmp_path, capsys, settings):
    settings.GRIDCARE_IMPORT_MAX_ROWS = 2
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes(CUSTOMER_COLUMNS, *(customer(f"310000000{i}") for i in range(3))))
    with pytest.raises(SystemExit) as exc:
        call_command("import", "customers", str(path), "--no-progress")
    assert exc.value.code == 1 and "最多 2 行" in capsys.readouterr().err


# --- locks -------------------------------------------------------------------------------------


def _database_lock_free() -> bool:
    """Could another connection write right now (SQLite: take the write lock at once)?"""
    if connection.in_atomic_block:
        return False
    if connection.vendor != "sqlite":
        return True
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("kind", ["customers", "grid"])
def test_rows_are_validated_outside_any_transaction(world, monkeypatch, kind):
    """While the file is read and checked, the database is free for everyone else's writes."""
    from gridcare.customers import importers as customer_importers
    from gridcare.grid import importers as grid_importers

    module = customer_importers if kind == "customers" else grid_importers
    probes: list[bool] = []

    def probing_read_table(source, *, name=""):
        table = read_table(source, name=name)
        rows = table.rows

        def probed():
            for item in rows:
                probes.append(_database_lock_free())
                yield item

        table.rows = probed()
        return table

    monkeypatch.setattr(module, "read_table", probing_read_table)
    header, row = KINDS[kind]
    second = [*row]
    if kind == "customers":
        second[0] = "3100000002"
    else:
        second[5] = "TA-901"
    importer = import_customers if kind == "customers" else import_grid
    report = importer(source=csv_bytes(header, row, second), name="f.csv")
    assert report.created == 2
    assert probes == [True, True]


@contextlib.contextmanager
def database_write_locked(*tables: str):
    """Someone else holds the write lock (SQLite) or a write-excluding lock on ``tables``
    (PostgreSQL); this connection gives up waiting after 0.2 s instead of 30."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.execute("PRAGMA busy_timeout = 200")
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            connection.connection.execute(f"PRAGMA busy_timeout = {30_000}")
        return
    with connection.cursor() as cur:
        cur.execute("SET lock_timeout = '200ms'")
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")  # reads go on, writes wait
        yield
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cur:
            cur.execute("RESET lock_timeout")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_locked_database_answers_503_never_500(world, client):
    from gridcare.customers.tests.factories import CustomerFactory

    CustomerFactory(area=world.area_a, customer_no="3100000077")
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    api = APIClient()
    api.force_authenticate(agent)
    agent_client = Client()
    agent_client.force_login(agent)  # signing in writes: before the lock
    client.force_login(world.staff(Role.ADMIN, world.company))
    data = csv_bytes(CUSTOMER_COLUMNS, customer("3100000001"))
    with database_write_locked(Customer._meta.db_table, AuditEvent._meta.db_table):
        # the import page: the file was fine, the write could not start; nothing written
        resp = client.post("/import/", {"kind": "customers", "file": SimpleUploadedFile("c.csv", data)})
        assert resp.status_code == 503 and resp["Retry-After"] == "5"
        assert "稍后重试" in resp.content.decode() and 'id="import-error"' in resp.content.decode()
        # any other page that writes (the middleware)
        resp = agent_client.post("/customers/3100000077/reveal/", {"reason": "回访"})
        assert resp.status_code == 503 and resp["Retry-After"] == "5"
        assert "稍后重试" in resp.content.decode()
        # the API (its exception handler)
        resp = api.post("/api/customers/3100000077/reveal/", {"reason": "回访"}, format="json")
        assert resp.status_code == 503 and resp["Retry-After"] == "5"
        assert resp.json()["code"] == "database_busy"
    assert Customer.objects.count() == 1
    assert not AuditEvent.objects.filter(action="customer.reveal_personal_data").exists()
    # the lock is gone: the same import goes through
    resp = client.post("/import/", {"kind": "customers", "file": SimpleUploadedFile("c.csv", data)})
    assert resp.status_code == 200 and Customer.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cli_on_a_locked_database_says_so_and_exits_1(world, tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes(CUSTOMER_COLUMNS, customer("3100000001")))
    with database_write_locked(Customer._meta.db_table), pytest.raises(SystemExit) as exc:
        call_command("import", "customers", str(path), "--no-progress")
    assert exc.value.code == 1 and "稍后重试" in capsys.readouterr().err
    assert Customer.objects.count() == 0


def test_what_counts_as_busy():
    assert is_database_busy(OperationalError("database is locked"))
    assert not is_database_busy(OperationalError("no such table: x"))
    assert not is_database_busy(ValueError("database is locked"))

    class LockNotAvailable(Exception):
        sqlstate = "55P03"

    wrapped = OperationalError("canceling statement due to lock timeout")
    wrapped.__cause__ = LockNotAvailable()
    assert is_database_busy(wrapped)
