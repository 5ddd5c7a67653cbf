import datetime as dt

import pytest

from gridcare.core.calendar import local_tz
from gridcare.escalation.backends import RecordingBackend
from gridcare.org.choices import Role


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=local_tz())


@pytest.fixture(autouse=True)
def _clean_backend():
    RecordingBackend.clear()
    yield
    RecordingBackend.clear()


@pytest.fixture
def people(world):
    class P:
        agent = world.staff(Role.HOTLINE_AGENT, world.city)
        dispatcher = world.staff(Role.DISPATCHER, world.county_a)
        crew = world.staff(Role.REPAIR_CREW, world.team_a)
        supervisor = world.staff(Role.SUPERVISOR, world.county_a)
        station_sup = world.staff(Role.SUPERVISOR, world.station_a)
        city_sup = world.staff(Role.SUPERVISOR, world.city)
        inspector = world.staff(Role.QUALITY_INSPECTOR, world.county_a)
        agent_b = world.staff(Role.HOTLINE_AGENT, world.county_b)

    return P


@pytest.fixture
def signals(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the work-order signal) as they would run in production."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
