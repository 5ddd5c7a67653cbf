import pytest

from gridcare.core.tabular import ImportFailed
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.grid.importers import COLUMNS, import_grid
from gridcare.grid.models import Feeder, Substation, TransformerArea


def data(*rows):
    return ("\n".join([",".join(COLUMNS), *rows]) + "\n").encode("utf-8")


ROW1 = "NJ0101,东山供电所,东山110kV变电站,F900,10kV东山一线,TA-900,东山花园1号台区,400,urban"
ROW2 = "NJ0201,雄州供电所,雄州110kV变电站,F901,10kV雄州二线,TA-901,雄州村2号台区,200,rural"


def test_grid_import_creates_assets(world):
    report = import_grid(source=data(ROW1, ROW2), name="g.csv")
    assert report.created == 2
    a = TransformerArea.objects.get(code="TA-900")
    assert (
        a.station == world.station_a
        and a.feeder.code == "F900"
        and a.feeder.substation.name == "东山110kV变电站"
    )
    assert Substation.objects.filter(name="雄州110kV变电站").exists()


def test_grid_reimport_moves_area_and_its_customers(world):
    import_grid(source=data(ROW1), name="g.csv")
    area = TransformerArea.objects.get(code="TA-900")
    c = CustomerFactory(area=area)
    moved = ROW1.replace("NJ0101,东山供电所", "NJ0201,雄州供电所").replace(",400,", ",630,")
    report = import_grid(source=data(moved), name="g2.csv")
    assert report.updated == 1
    c.refresh_from_db()
    assert c.station == world.station_b
    area.refresh_from_db()
    assert str(area.capacity_kva) == "630.0"


def test_grid_bad_rows_all_reported(world):
    bad = [
        ROW1,
        ROW2.replace("NJ0201", "XX99"),  # row 3 unknown station
        ROW1.replace("TA-900", "TA-902").replace(",400,", ",-1,"),  # row 4 negative capacity
        ROW1.replace("TA-900", "TA-903").replace("urban", "city"),  # row 5 bad class
        ROW1,  # row 6 duplicate area
        ROW1.replace("TA-900", "TA-904").replace("10kV东山一线", "10kV别名线"),  # row 7 inconsistent feeder
    ]
    with pytest.raises(ImportFailed) as exc:
        import_grid(source=data(*bad), name="g.csv")
    errs = [(e.row, e.column) for e in exc.value.report.errors]
    assert errs == [
        (3, "station_code"),
        (4, "capacity_kva"),
        (5, "area_class"),
        (6, "area_code"),
        (7, "feeder_code"),
    ]
    assert not Feeder.objects.filter(code="F900").exists()
