"""`gridcare import meters`: exact columns (code or label), every row checked with its row
number, all or nothing, idempotent re-import, updates in place."""

import datetime as dt

import pytest
from django.utils import timezone

from gridcare.core.models import AuditEvent
from gridcare.core.tabular import IMPORTERS, ImportFailed
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.proactive.importers import COLUMNS, import_meters
from gridcare.proactive.models import MeterFact

HEADER = ",".join(COLUMNS)


def data(*rows, header=HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def customers(world):
    return [
        CustomerFactory(customer_no="3300000001", area=world.area_a),
        CustomerFactory(customer_no="3300000002", area=world.area_b),
    ]


def failed(source) -> list[tuple]:
    with pytest.raises(ImportFailed) as exc:
        import_meters(source=source, name="m.csv")
    return [(e.row, e.column) for e in exc.value.report.errors]


def test_registered_for_gridcare_import():
    assert IMPORTERS["meters"][0] is import_meters


def test_import_writes_meters_and_is_audited(customers):
    report = import_meters(
        source=data(
            "3300000001,E001,2015-03-02,good",
            "3300000002,E002,2020/7/9,破损",
            "3300000001,E003,2019-01-01,Worn",
        ),
        name="m.csv",
    )
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    m = MeterFact.objects.get(meter_no="E002")
    assert (m.customer_id, m.installed_on, m.box_condition) == (
        customers[1].pk,
        dt.date(2020, 7, 9),
        "damaged",
    )
    assert MeterFact.objects.get(meter_no="E003").box_condition == "worn"
    assert AuditEvent.objects.get(action="proactive.meter_import").changes == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }


def test_headers_may_be_labels_in_any_order(customers):
    source = "表箱状况,户号,表号,装表日期\n完好,3300000001,E9,2018-05-05\n".encode()
    assert import_meters(source=source, name="m.csv").created == 1


def test_columns_must_be_exact(customers):
    assert failed(b"customer_no,meter_no,installed_on\n") == [(1, "box_condition")]
    assert failed(data(header="customer_no,meter_no,installed_on,box_condition,remark")) == [(1, "remark")]


def test_every_bad_row_is_reported_by_number_and_nothing_is_written(customers):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    rows = [
        "3300000001,E1,2015-01-01,good",  # 2 fine
        "9999999999,E2,2015-01-01,good",  # 3 unknown customer
        "3300000001,E3,2015-02-30,good",  # 4 impossible date
        f"3300000001,E4,{tomorrow},good",  # 5 in the future
        "3300000001,E5,1900-01-01,good",  # 6 too old
        "3300000001,E6,2015-01-01,rusty",  # 7 unknown condition
        "3300000001,E1,2016-01-01,good",  # 8 meter twice in the file
        "3300000001,E 7!,2016-01-01,good",  # 9 bad meter number
        "3300000001,E8,2016-01-01",  # 10 a cell short
    ]
    assert failed(data(*rows)) == [
        (3, "customer_no"),
        (4, "installed_on"),
        (5, "installed_on"),
        (6, "installed_on"),
        (7, "box_condition"),
        (8, "meter_no"),
        (9, "meter_no"),
        (10, "*"),
    ]
    assert not MeterFact.objects.exists()
    assert not AuditEvent.objects.filter(action="proactive.meter_import").exists()


def test_reimport_is_idempotent_and_updates_in_place(customers):
    rows = ["3300000001,E1,2015-01-01,good", "3300000002,E2,2016-01-01,worn"]
    import_meters(source=data(*rows), name="m.csv")
    again = import_meters(source=data(*rows), name="m.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = import_meters(
        source=data("3300000001,E1,2015-01-01,damaged", "3300000001,E2,2016-01-01,worn"), name="m.csv"
    )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 0)
    assert MeterFact.objects.get(meter_no="E1").box_condition == "damaged"
    assert MeterFact.objects.get(meter_no="E2").customer_id == customers[0].pk  # the meter moved
    assert MeterFact.objects.count() == 2
