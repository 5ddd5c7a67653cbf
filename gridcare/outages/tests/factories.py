import datetime as dt
from zoneinfo import ZoneInfo

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.grid.tests.factories import FeederFactory, TransformerAreaFactory

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=TZ)


def feeder_with_areas(station, sizes, code_prefix="OT"):
    """A feeder with one transformer area per entry of ``sizes`` (that many customers each)."""
    feeder = FeederFactory()
    areas = []
    for i, n in enumerate(sizes, start=1):
        area = TransformerAreaFactory(code=f"{code_prefix}-{feeder.code}-{i}", feeder=feeder, station=station)
        CustomerFactory.create_batch(n, area=area)
        areas.append(area)
    return feeder, areas
