import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from gridcare.core.models import AuditEvent
from gridcare.core.tabular import ImportFailed
from gridcare.customers.importers import COLUMNS, import_customers
from gridcare.customers.models import Customer

HEADER = ",".join(COLUMNS)


def row(
    no="3100000001",
    name="张伟",
    phone="13912345678",
    address="扬州市文昌路1号",
    area="TA-A1",
    category="residential",
    tariff="居民生活用电",
    volt="0.22",
    cap="8",
    imp="0",
    sen="0",
):
    return ",".join([no, name, phone, address, area, category, tariff, volt, cap, imp, sen])


def csv_bytes(*rows, header=HEADER, encoding="utf-8"):
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


@pytest.fixture
def good(world):
    return csv_bytes(
        row(),
        row(
            no="3100000002",
            name="李娜",
            phone="0514-87654321;13800001111",
            area="TA-B1",
            category="lv_non_residential",
            tariff="一般工商业",
            volt="0.38",
            cap="30",
            imp="1",
        ),
    )


def test_import_creates_customers_with_station_from_area(world, good):
    report = import_customers(source=good, name="c.csv")
    assert (report.created, report.updated) == (2, 0)
    b = Customer.objects.get(customer_no="3100000002")
    assert b.station == world.station_b
    assert (b.phone, b.phone2, b.important) == ("0514-87654321", "13800001111", True)
    assert AuditEvent.objects.filter(action="customer.import").count() == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_import_accepts_utf8_bom_and_gbk(world, encoding):
    report = import_customers(source=csv_bytes(row(), encoding=encoding), name="c.csv")
    assert report.created == 1
    assert Customer.objects.get().name == "张伟"


def test_import_xlsx(world):
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    ws.append(
        [
            "3100000009",
            "王芳",
            13912345678,
            "扬州市国庆路8号",
            "TA-A1",
            "residential",
            "居民生活用电",
            0.22,
            8,
            0,
            1,
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    report = import_customers(source=buf.getvalue(), name="c.xlsx")
    assert report.created == 1
    c = Customer.objects.get()
    assert (c.phone, c.sensitive) == ("13912345678", True)


def test_reimport_updates_in_place_and_audits_field_changes(world, good):
    import_customers(source=good, name="c.csv")
    pk = Customer.objects.get(customer_no="3100000001").pk
    changed = csv_bytes(
        row(address="扬州市文昌路99号", cap="12"),
        row(
            no="3100000002",
            name="李娜",
            phone="0514-87654321;13800001111",
            area="TA-B1",
            category="lv_non_residential",
            tariff="一般工商业",
            volt="0.38",
            cap="30",
            imp="1",
        ),
    )
    report = import_customers(source=changed, name="c2.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    c = Customer.objects.get(customer_no="3100000001")
    assert c.pk == pk and c.address == "扬州市文昌路99号" and str(c.capacity_kva) == "12.0"
    ev = AuditEvent.objects.get(action="customer.import_update")
    assert ev.changes["address"] == ["扬州市文昌路1号", "扬州市文昌路99号"]
    assert set(ev.changes) == {"address", "capacity_kva"}


def _errors(data):
    with pytest.raises(ImportFailed) as exc:
        import_customers(source=data, name="bad.csv")
    return [(e.row, e.column) for e in exc.value.report.errors]


def test_every_bad_row_is_reported_and_nothing_written(world):
    data = csv_bytes(
        row(),
        row(no="3100000002", area="NOPE"),  # row 3 unknown area
        row(no="3100000001"),  # row 4 duplicate number
        row(no="3100000004", phone="12345"),  # row 5 invalid phone
        row(no="3100000005", cap="-5"),  # row 6 negative capacity
        row(no="3100000006", category="industrial"),  # row 7 unknown category
        row(no="3100000007", imp="yes"),  # row 8 bad flag
    )
    errs = _errors(data)
    assert errs == [
        (3, "area_code"),
        (4, "customer_no"),
        (5, "phone"),
        (6, "capacity_kva"),
        (7, "category"),
        (8, "important"),
    ]
    assert Customer.objects.count() == 0


def test_missing_and_misspelt_columns(world):
    header = HEADER.replace("capacity_kva", "capacity").replace(",sensitive", "")
    errs = _errors(csv_bytes("x", header=header))
    assert (1, "capacity_kva") in errs and (1, "sensitive") in errs and (1, "capacity") in errs
    assert Customer.objects.count() == 0


def test_wrong_encoding_is_a_clear_error(world, tmp_path):
    from gridcare.core.errors import ApplicationError

    bad = HEADER.encode() + b"\n\xff\xfe\xfa\x00\x81\x30\n"
    with pytest.raises(ApplicationError) as exc:
        import_customers(source=bad, name="bad.csv")
    assert "编码" in exc.value.message


def test_cli_import_exit_code_and_report(world, tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_bytes(csv_bytes(row(), row(no="3100000002", area="NOPE")))
    with pytest.raises(SystemExit) as exc:
        call_command("import", "customers", str(f), "--no-progress")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "3\tarea_code\tNOPE" in err
    assert Customer.objects.count() == 0
    f.write_bytes(csv_bytes(row()))
    call_command("import", "customers", str(f), "--no-progress")
    assert Customer.objects.count() == 1


def test_updates_across_several_chunks(world, monkeypatch):
    """Each chunk of updates goes through its own staging step (regression: one staging table per import)."""
    from gridcare.customers import importers

    rows = [row(no=f"31000000{i:02d}") for i in range(7)]
    import_customers(source=csv_bytes(*rows), name="c.csv")
    monkeypatch.setattr(importers, "CHUNK_ROWS", 2)
    changed = [row(no=f"31000000{i:02d}", address=f"扬州市新地址{i}号") for i in range(7)]
    report = import_customers(source=csv_bytes(*changed), name="c2.csv")
    assert (report.created, report.updated) == (0, 7)
    assert sorted(Customer.objects.values_list("address", flat=True)) == [
        f"扬州市新地址{i}号" for i in range(7)
    ]


def test_first_load_error_late_in_file_writes_nothing(world, monkeypatch):
    """The first-load stream has already sent earlier chunks when a bad row appears: all rolled back."""
    from gridcare.customers import importers

    monkeypatch.setattr(importers, "CHUNK_ROWS", 2)
    rows = [row(no=f"31000000{i:02d}") for i in range(6)] + [row(no="3100000099", area="NOPE")]
    with pytest.raises(ImportFailed) as exc:
        import_customers(source=csv_bytes(*rows), name="c.csv")
    assert [(e.row, e.column) for e in exc.value.report.errors] == [(8, "area_code")]
    assert Customer.objects.count() == 0


def _planner_row_estimate(table: str) -> int | None:
    """What the query planner believes the table holds (None: never analysed)."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cur.fetchone() is None:
                return None
            cur.execute(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx IS NULL OR tbl = %s", [table, table]
            )
            row = cur.fetchone()
            return int(row[0].split()[0]) if row else None
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        value = cur.fetchone()[0]
        return None if value < 0 else int(value)


def test_large_import_refreshes_planner_statistics(world, monkeypatch):
    """After a bulk load the planner must know the table's size, or searches may scan it."""
    monkeypatch.setattr("gridcare.customers.importers.STATS_AFTER_ROWS", 3)
    table = Customer._meta.db_table
    assert _planner_row_estimate(table) != 17  # (statistics are not transactional on PostgreSQL)
    rows = [row(no=f"31000000{i:02d}", phone=f"139123456{i:02d}") for i in range(17)]
    import_customers(source=csv_bytes(*rows), name="c.csv")
    assert _planner_row_estimate(table) == 17


def test_small_import_leaves_statistics_alone(world, monkeypatch):
    calls = []
    monkeypatch.setattr("gridcare.customers.importers.refresh_statistics", lambda *t: calls.append(t))
    import_customers(source=csv_bytes(row()), name="c.csv")
    assert calls == []
    monkeypatch.setattr("gridcare.customers.importers.STATS_AFTER_ROWS", 1)
    import_customers(source=csv_bytes(row(no="3100000077")), name="c.csv")
    assert calls == [(Customer._meta.db_table,)]
