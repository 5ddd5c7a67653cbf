import pytest

from gridcare.org.choices import Role


@pytest.fixture
def people(world):
    class P:
        agent = world.staff(Role.HOTLINE_AGENT, world.city)
        dispatcher = world.staff(Role.DISPATCHER, world.county_a)
        crew = world.staff(Role.REPAIR_CREW, world.team_a)
        supervisor = world.staff(Role.SUPERVISOR, world.county_a)
        dispatcher_b = world.staff(Role.DISPATCHER, world.county_b)

    return P
