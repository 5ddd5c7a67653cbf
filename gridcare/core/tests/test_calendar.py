import datetime as dt

import pytest

from gridcare.core import calendar as cal
from gridcare.core.models import CalendarDay, CalendarYear

TZ = cal.local_tz()


@pytest.mark.django_db
def test_statutory_holidays_and_makeup_days_are_seeded():
    # National Day 2025: Oct 1-8 off; Sunday Sep 28 and Saturday Oct 11 are make-up working days.
    assert not cal.is_working_day(dt.date(2025, 10, 1))
    assert not cal.is_working_day(dt.date(2025, 10, 8))
    assert cal.is_working_day(dt.date(2025, 9, 28))
    assert cal.is_working_day(dt.date(2025, 10, 11))
    assert cal.is_known_year(2025)


@pytest.mark.django_db
def test_deadline_crosses_holiday_and_makeup_saturday():
    # Accepted Tuesday 30 Sep 2025 10:00, 2 working days: Oct 1-8 are holidays,
    # Thursday Oct 9 is day 1, Friday Oct 10 is day 2.
    start = dt.datetime(2025, 9, 30, 10, 0, tzinfo=TZ)
    assert cal.add_working_days(start, 2) == dt.datetime(2025, 10, 10, 10, 0, tzinfo=TZ)
    # 3 working days reaches the make-up working Saturday Oct 11.
    assert cal.add_working_days(start, 3) == dt.datetime(2025, 10, 11, 10, 0, tzinfo=TZ)


@pytest.mark.django_db
def test_accepted_on_rest_day_starts_next_working_day():
    sat = dt.datetime(2025, 11, 22, 15, 30, tzinfo=TZ)  # Saturday
    assert cal.add_working_days(sat, 1) == dt.datetime(2025, 11, 25, 0, 0, tzinfo=TZ)


@pytest.mark.django_db
def test_unknown_year_falls_back_to_weekends_and_admin_table_wins():
    assert not cal.is_known_year(2031)
    assert cal.unknown_years(dt.date(2030, 12, 1), dt.date(2031, 1, 5)) == [2030, 2031]
    jan1 = dt.date(2031, 1, 1)  # a Wednesday: a working day until an admin enters the holiday
    assert cal.is_working_day(jan1)
    CalendarDay.objects.create(date=jan1, is_working=False, name="元旦")
    CalendarYear.objects.create(year=2031)
    assert not cal.is_working_day(jan1)
    assert cal.is_known_year(2031)
    start = dt.datetime(2030, 12, 31, 9, 0, tzinfo=TZ)
    assert cal.add_working_days(start, 1) == dt.datetime(2031, 1, 2, 9, 0, tzinfo=TZ)


@pytest.mark.django_db
def test_admin_entry_overrides_package_seed():
    day = dt.date(2025, 10, 2)
    assert not cal.is_working_day(day)
    CalendarDay.objects.filter(date=day).update(is_working=True)
    cal.calendar_cache_clear()
    assert cal.is_working_day(day)
    # Re-seeding keeps the admin's edit.
    cal.calendar_seed_from_package()
    assert cal.is_working_day(day)


def test_negative_days_rejected():
    with pytest.raises(ValueError):
        cal.add_working_days(dt.datetime(2025, 1, 2, tzinfo=TZ), -1)
