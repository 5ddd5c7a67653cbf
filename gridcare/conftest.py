"""Shared fixtures: a small organisation with two counties, grid and customers, and staff."""

from dataclasses import dataclass

import pytest

from gridcare.org.choices import Role, UnitKind


@dataclass
class World:
    company: object
    city: object
    county_a: object
    county_b: object
    station_a: object
    station_b: object
    team_a: object
    area_a: object
    area_b: object

    def staff(self, role=Role.HOTLINE_AGENT, unit=None, username=None):
        from gridcare.org.tests.factories import StaffFactory, UserFactory

        kwargs = {"role": role, "unit": unit or self.county_a}
        if username:
            kwargs["user"] = UserFactory(username=username)
        return StaffFactory(**kwargs).user


@pytest.fixture
def world(db):
    from gridcare.grid.choices import AreaClass
    from gridcare.grid.tests.factories import TransformerAreaFactory
    from gridcare.org.tests.factories import OrgUnitFactory

    company = OrgUnitFactory(code="JS", name="江苏省电力公司", kind=UnitKind.COMPANY)
    city = OrgUnitFactory(code="NJ", name="南京供电公司", kind=UnitKind.CITY, parent=company)
    county_a = OrgUnitFactory(code="NJ01", name="江宁区供电公司", kind=UnitKind.COUNTY, parent=city)
    county_b = OrgUnitFactory(code="NJ02", name="六合区供电公司", kind=UnitKind.COUNTY, parent=city)
    station_a = OrgUnitFactory(
        code="NJ0101", name="东山供电所", kind=UnitKind.STATION, parent=county_a, area_class=AreaClass.URBAN
    )
    station_b = OrgUnitFactory(
        code="NJ0201", name="雄州供电所", kind=UnitKind.STATION, parent=county_b, area_class=AreaClass.RURAL
    )
    team_a = OrgUnitFactory(code="NJ010101", name="东山抢修班", kind=UnitKind.TEAM, parent=station_a)
    area_a = TransformerAreaFactory(
        code="TA-A1", name="东山新村1号台区", station=station_a, area_class=AreaClass.URBAN
    )
    area_b = TransformerAreaFactory(
        code="TA-B1", name="雄州村3号台区", station=station_b, area_class=AreaClass.RURAL
    )
    return World(company, city, county_a, county_b, station_a, station_b, team_a, area_a, area_b)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English (the language cookie)
    leaves English active in the thread, which must not leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The working-day calendar caches its table per process; a rolled-back test must not leak into the next."""
    from gridcare.care.models import care_cache_clear
    from gridcare.core.caching import process_caches_clear
    from gridcare.core.calendar import calendar_cache_clear
    from gridcare.workorders.models import workorder_cache_clear

    calendar_cache_clear()
    workorder_cache_clear()
    care_cache_clear()
    process_caches_clear()
    yield
    calendar_cache_clear()
    workorder_cache_clear()
    care_cache_clear()
    process_caches_clear()
