import pytest

from gridcare.core.tabular import ImportFailed
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.outages.choices import OutageStatus
from gridcare.outages.importers import COLUMNS, import_outages
from gridcare.outages.models import Outage, OutageArea, OutageCustomer

from .factories import at


def data(*rows):
    return ("\n".join([",".join(COLUMNS), *rows]) + "\n").encode("utf-8")


@pytest.fixture
def customers(world):
    CustomerFactory.create_batch(3, area=world.area_a)
    CustomerFactory.create_batch(2, area=world.area_b)


ROWS = [
    "TD001,fault,TA-A1,2025-03-05 10:00,2025-03-05 11:00,线路跳闸",
    "TD001,fault,TA-B1,2025-03-05 10:00,2025-03-05 12:30,线路跳闸",
    "TD002,planned,TA-A1,2025-03-10 08:00,,计划检修",
]


def test_import_builds_outages_with_areas_and_frozen_customers(world, customers):
    report = import_outages(source=data(*ROWS), name="o.csv")
    assert (report.rows, report.created, report.updated) == (3, 2, 0)
    o1 = Outage.objects.get(outage_no="TD001")
    assert o1.status == OutageStatus.RESTORED
    assert (o1.started_at, o1.restored_at) == (at(5, 10), at(5, 12, 30))
    assert o1.unit_path == world.city.path  # two counties: their common ancestor
    assert OutageArea.objects.filter(outage=o1).count() == 2
    assert OutageCustomer.objects.filter(outage=o1, area=world.area_b, restored_at=at(5, 12, 30)).count() == 2
    o2 = Outage.objects.get(outage_no="TD002")
    assert o2.status == OutageStatus.IN_PROGRESS and o2.restored_at is None
    assert o2.unit_path == world.station_a.path
    assert OutageCustomer.objects.filter(outage=o2, restored_at__isnull=True).count() == 3


def test_reimport_is_idempotent_and_updates_in_place(world, customers):
    import_outages(source=data(*ROWS), name="o.csv")
    counts = (Outage.objects.count(), OutageArea.objects.count(), OutageCustomer.objects.count())
    CustomerFactory(area=world.area_a)  # connected later: a re-import does not add them
    report = import_outages(source=data(*ROWS), name="o.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert (Outage.objects.count(), OutageArea.objects.count(), OutageCustomer.objects.count()) == counts
    # The still-open outage is restored in a later file.
    restored = ROWS[2].replace(",,", ",2025-03-10 12:00,")
    report = import_outages(source=data(ROWS[0], ROWS[1], restored), name="o2.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    o2 = Outage.objects.get(outage_no="TD002")
    assert o2.status == OutageStatus.RESTORED and o2.version == 2
    assert OutageCustomer.objects.filter(outage=o2, restored_at=at(10, 12)).count() == 3


def test_bad_rows_all_reported_and_nothing_written(world, customers):
    bad = [
        ROWS[0],
        "TD001,planned,TA-B1,2025-03-05 10:00,2025-03-05 11:00,线路跳闸",  # 3 kind differs from row 2
        "TD003,meteor,TA-A1,2025-03-06 10:00,,x",  # 4 bad kind
        "TD004,fault,NOPE,2025-03-06 10:00,,x",  # 5 unknown area
        "TD005,fault,TA-B1,yesterday,,x",  # 6 bad start
        "TD006,fault,TA-B1,2025-03-07 10:00,2025-03-07 09:00,x",  # 7 restored before start
        ROWS[0],  # 8 duplicate area of one outage
        "TD007,fault,TA-A1,2025-03-05 10:30,2025-03-05 10:40,x",  # 9 overlaps TD001 on TA-A1
    ]
    with pytest.raises(ImportFailed) as exc:
        import_outages(source=data(*bad), name="o.csv")
    errs = [(e.row, e.column) for e in exc.value.report.errors]
    assert errs == [
        (3, "outage_no"),
        (4, "kind"),
        (5, "area_code"),
        (6, "started_at"),
        (7, "restored_at"),
        (8, "area_code"),
        (9, "area_code"),
    ]
    assert not Outage.objects.exists() and not OutageCustomer.objects.exists()


def test_import_refuses_an_area_out_in_another_outage(world, customers):
    import_outages(source=data(ROWS[2]), name="o.csv")  # TA-A1 out since March 10th
    with pytest.raises(ImportFailed) as exc:
        import_outages(source=data("TD009,fault,TA-A1,2025-03-11 10:00,2025-03-11 11:00,x"), name="p.csv")
    assert [(e.row, e.column) for e in exc.value.report.errors] == [(2, "area_code")]
    assert "TD002" in exc.value.report.errors[0].reason


def test_import_command(world, customers, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "o.csv"
    path.write_bytes(data(*ROWS))
    call_command("import", "outages", str(path), "--no-progress")
    assert Outage.objects.count() == 2
