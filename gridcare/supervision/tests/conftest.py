import datetime as dt

import pytest

from gridcare.core.calendar import local_tz
from gridcare.org.choices import Role


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=local_tz())


@pytest.fixture
def people(world):
    class P:
        agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
        clerk = world.staff(Role.COUNTER_CLERK, world.station_a)
        crew = world.staff(Role.REPAIR_CREW, world.team_a)
        supervisor = world.staff(Role.SUPERVISOR, world.county_a)
        supervisor2 = world.staff(Role.SUPERVISOR, world.county_a)
        station_sup = world.staff(Role.SUPERVISOR, world.station_a)
        inspector = world.staff(Role.QUALITY_INSPECTOR, world.county_a)
        manager = world.staff(Role.MANAGER, world.county_a)
        supervisor_b = world.staff(Role.SUPERVISOR, world.county_b)
        clerk_b = world.staff(Role.COUNTER_CLERK, world.station_b)

    return P


@pytest.fixture
def social(world, people):
    from gridcare.escalation import services

    return services.social_supervisor_register(
        actor=people.supervisor, name="李监督", phone="13800000001", area="东山街道", unit=world.county_a
    )
