"""Customer exports (web CSV/XLSX and the `gridcare export` command) are inert in spreadsheets."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gridcare.org.choices import Role

from .factories import CustomerFactory

# Customer names a spreadsheet would otherwise run as formulas.
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\t=1+1"]


@pytest.fixture
def hostile_customers(world):
    return [
        CustomerFactory(customer_no=f"31000000{i:02d}", name=name, area=world.area_a)
        for i, name in enumerate(HOSTILE)
    ]


@pytest.fixture
def manager_client(world, client):
    client.force_login(world.staff(Role.CUSTOMER_MANAGER, world.county_a, username="cm_a"))
    return client


def _names_from_csv(text: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(text)))
    col = rows[0].index("户名")
    return {r[0]: r[col] for r in rows[1:]}


def _assert_csv_inert(text: str, customers) -> None:
    names = _names_from_csv(text)
    for c in customers:
        assert names[c.customer_no] == "'" + c.name
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][rows[0].index("电压等级(kV)")] == "0.22"  # numbers are untouched


def _assert_xlsx_inert(data: bytes, customers) -> None:
    ws = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in ws[1]]
    col = headers.index("户名") + 1
    by_no = {ws.cell(r, 1).value: ws.cell(r, col) for r in range(2, ws.max_row + 1)}
    for c in customers:
        cell = by_no[c.customer_no]
        assert cell.data_type == "s" and cell.data_type != "f"
        assert cell.value == c.name  # the literal text, stored as a string
        assert cell.quotePrefix
    important = ws.cell(2, headers.index("重要客户") + 1)
    assert important.data_type == "n"  # numbers stay numbers


def test_web_csv_export_neutralises_formula_names(hostile_customers, manager_client):
    r = manager_client.get("/customers/export/?format=csv")
    assert r.status_code == 200
    _assert_csv_inert(r.content.decode("utf-8-sig"), hostile_customers)


def test_web_xlsx_export_writes_formula_names_as_text(hostile_customers, manager_client):
    r = manager_client.get("/customers/export/?format=xlsx")
    assert r.status_code == 200
    _assert_xlsx_inert(r.content, hostile_customers)


def test_export_command_csv_and_xlsx_are_inert(hostile_customers, world, tmp_path):
    world.staff(Role.CUSTOMER_MANAGER, world.county_a, username="cm_cli")
    out_csv, out_xlsx = tmp_path / "c.csv", tmp_path / "c.xlsx"
    call_command("export", "customers", "--user", "cm_cli", "--output", str(out_csv))
    call_command("export", "customers", "--user", "cm_cli", "--format", "xlsx", "--output", str(out_xlsx))
    _assert_csv_inert(out_csv.read_text(encoding="utf-8-sig"), hostile_customers)
    _assert_xlsx_inert(out_xlsx.read_bytes(), hostile_customers)


def test_an_export_is_an_import_file_in_either_language(world, manager_client):
    """Headers in the reader's language (no English column codes for a Chinese user), and
    the file goes back in as it came out: nothing changes."""
    from django.utils import translation

    from gridcare.customers.importers import COLUMN_LABELS, COLUMNS, import_customers
    from gridcare.customers.tests.factories import CustomerFactory

    for i in range(3):
        # No phone: a customer manager's export masks phones, which no import would take.
        CustomerFactory(customer_no=f"32000000{i:02d}", name=f"客户{i}", area=world.area_a, phone="")
    zh = manager_client.get("/customers/export/?format=xlsx").content
    assert [c.value for c in load_workbook(io.BytesIO(zh)).active[1]][:3] == ["户号", "户名", "联系电话"]
    manager_client.cookies["django_language"] = "en"
    en = manager_client.get("/customers/export/?format=csv").content
    header = en.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Customer no.,Customer name,Phone") and "customer_no" not in header
    admin = world.staff(Role.ADMIN, world.company)
    for name, data in (("c.xlsx", zh), ("c.csv", en)):
        with translation.override("zh-hans"):
            report = import_customers(source=data, actor=admin, name=name)
        assert report.ok and report.created == 0 and report.updated == 0, (name, report.errors[:3])
    assert set(COLUMN_LABELS) == set(COLUMNS)
