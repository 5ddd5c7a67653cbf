"""Entering a year's holidays (`gridcare import holidays`), the warning before the year runs
out, and one calendar for every process (the shared cache)."""

import datetime as dt
import io

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gridcare.core import calendar as cal
from gridcare.core.importers import import_holidays
from gridcare.core.models import AuditEvent, CalendarDay, CalendarYear
from gridcare.core.tabular import ImportFailed
from gridcare.org.choices import Role

pytestmark = pytest.mark.django_db


def _csv(*rows: str) -> bytes:
    return ("date,kind\n" + "\n".join(rows) + "\n").encode()


def test_import_enters_the_year_confirms_it_and_replaces_what_it_held(tmp_path):
    assert not cal.is_known_year(2027)
    assert cal.is_working_day(dt.date(2027, 1, 1))  # a Friday, on plain weekends
    path = tmp_path / "2027.csv"
    path.write_bytes(_csv("2027-01-01,holiday", "2027-02-08,holiday", "2027-02-14,workday"))
    out = io.StringIO()
    call_command("import", "holidays", str(path), no_progress=True, stdout=out)
    assert "新增 3" in out.getvalue()
    assert cal.is_known_year(2027)
    assert CalendarYear.objects.get(year=2027).source == "import"
    assert not cal.is_working_day(dt.date(2027, 1, 1))
    assert cal.is_working_day(dt.date(2027, 2, 14))  # a Sunday made a working day
    event = AuditEvent.objects.get(action="calendar.year_replace", object_id="2027")
    assert event.changes["2027-01-01"] == [None, "holiday"] and event.changes["confirmed"] == [False, True]

    # The file is the whole year: a day it no longer lists is a plain day again.
    report = import_holidays(source=_csv("2027-01-01,holiday", "2027-02-14,holiday"))
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert not CalendarDay.objects.filter(date=dt.date(2027, 2, 8)).exists()
    assert not cal.is_working_day(dt.date(2027, 2, 14))
    assert cal.is_working_day(dt.date(2027, 2, 8))  # a Monday


def test_bad_rows_are_reported_by_row_and_nothing_is_written():
    bad = _csv(
        "2027-01-01,holiday",
        "2027-13-01,holiday",  # row 3: no such month
        "2027-01-01,workday",  # row 4: the same date twice
        "2028-01-01,holiday",  # row 5: another year
        "2027-02-08,vacation",  # row 6: unknown kind
    )
    with pytest.raises(ImportFailed) as exc:
        import_holidays(source=bad)
    errors = {(e.row, e.column) for e in exc.value.report.errors}
    assert errors == {(3, "date"), (4, "date"), (5, "date"), (6, "kind")}
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    with pytest.raises(ImportFailed) as exc:
        import_holidays(source=b"date,kind,name\n2027-01-01,holiday,x\n")
    assert exc.value.report.errors[0].column == "name"
    with pytest.raises(ImportFailed):
        import_holidays(source=b"date,kind\n")


def test_the_warning_starts_on_1_october_and_ends_when_next_year_is_entered():
    assert cal.calendar_warning(dt.date(2026, 9, 30)) is None
    assert cal.calendar_warning(dt.date(2026, 10, 1)) == 2027
    assert cal.calendar_warning(dt.date(2026, 12, 31)) == 2027
    assert cal.calendar_warning(dt.date(2027, 3, 1)) == 2027  # the current year itself is missing
    cal.calendar_year_replace(actor=None, year=2027, days={dt.date(2027, 1, 1): False})
    assert cal.calendar_warning(dt.date(2026, 10, 1)) is None
    assert cal.calendar_warning(dt.date(2027, 9, 30)) is None
    assert cal.calendar_warning(dt.date(2027, 10, 1)) == 2028


def test_admins_see_the_warning_on_their_home_page_and_in_the_admin(world, monkeypatch):
    monkeypatch.setattr(cal.timezone, "localdate", lambda: dt.date(2026, 10, 1))
    admin = world.staff(Role.ADMIN, world.company)
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    client = Client()
    client.force_login(admin)
    page = client.get("/").content.decode()
    assert 'id="calendar-warning"' in page and "2027" in page
    admin.is_staff = admin.is_superuser = True
    admin.save()
    assert 'id="calendar-warning"' in client.get("/admin/").content.decode()
    assert "2027" in client.get("/admin/core/calendarday/").content.decode()
    client.force_login(agent)
    assert 'id="calendar-warning"' not in client.get("/").content.decode()

    cal.calendar_year_replace(actor=admin, year=2027, days={dt.date(2027, 1, 1): False})
    client.force_login(admin)
    assert 'id="calendar-warning"' not in client.get("/").content.decode()
    assert 'id="calendar-warning"' not in client.get("/admin/").content.decode()
    monkeypatch.setattr(cal.timezone, "localdate", lambda: dt.date(2026, 9, 30))
    cal.calendar_cache_clear()
    CalendarYear.objects.filter(year=2027).delete()
    assert 'id="calendar-warning"' not in client.get("/").content.decode()


def test_only_configurers_may_replace_a_year(world):
    from gridcare.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        cal.calendar_year_replace(
            actor=world.staff(Role.SUPERVISOR, world.city), year=2027, days={dt.date(2027, 1, 1): False}
        )


# ------------------------------------------------------------------ one calendar, many processes


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_an_edit_in_one_process_reaches_another_at_its_next_check(settings):
    """Two processes: this one (the module's copy) edits; ``other`` is another worker's copy
    sharing only the database (the shared cache is a database table)."""
    settings.GRIDCARE_CALENDAR_RECHECK_SECONDS = 1.0
    assert caches["shared"].__class__.__name__ == "DatabaseCache"
    clock = FakeClock()
    other = cal._CalendarView(clock=clock)
    day = dt.date(2031, 1, 1)
    assert other.data().is_working_day(day)
    with CaptureQueriesContext(connection) as ctx:
        assert other.data().is_working_day(day)  # its own copy: no query within a second
    assert len(ctx.captured_queries) == 0

    CalendarDay.objects.create(date=day, is_working=False, name="元旦")  # bumps the shared token
    assert not cal.is_working_day(day)  # the writing process: at once
    clock.now += 1.5
    assert not other.data().is_working_day(day)  # the other: at its next check

    # An unchanged token costs one small query per check and no reload.
    clock.now += 1.5
    with CaptureQueriesContext(connection) as ctx:
        assert not other.data().is_working_day(day)
    assert len(ctx.captured_queries) == 1 and "gridcare_cache" in ctx.captured_queries[0]["sql"]


def test_a_copy_expires_even_when_no_save_announced_itself(settings):
    """No per-process copy lives forever: a change that bypassed the signals (raw SQL) is
    seen after ``MAX_AGE_SECONDS``."""
    settings.GRIDCARE_CALENDAR_RECHECK_SECONDS = 1.0
    clock = FakeClock()
    view = cal._CalendarView(clock=clock)
    day = dt.date(2031, 1, 1)
    assert view.data().is_working_day(day)
    CalendarDay.objects.bulk_create([CalendarDay(date=day, is_working=False)])  # no signal
    clock.now += 2
    assert view.data().is_working_day(day)  # token unchanged: the copy stands
    clock.now += cal.MAX_AGE_SECONDS
    assert not view.data().is_working_day(day)


def test_the_shared_cache_table_is_created_by_migrate():
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "gridcare_cache" in tables
    call_command("migrate", verbosity=0)  # again: the table exists, nothing fails
