from django.db import migrations


def seed(apps, schema_editor):
    from gridcare.core.calendar import HOLIDAY_NAMES_ZH

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    try:
        from chinese_calendar import constants
    except ImportError:
        return
    rows = []
    years = set()
    for day, name in constants.holidays.items():
        years.add(day.year)
        if day.weekday() < 5:
            rows.append(CalendarDay(date=day, is_working=False, name=HOLIDAY_NAMES_ZH.get(str(name), str(name))))
    for day, name in constants.workdays.items():
        years.add(day.year)
        if day.weekday() >= 5:
            rows.append(CalendarDay(date=day, is_working=True,
                                    name=f"{HOLIDAY_NAMES_ZH.get(str(name), str(name))}调休上班"))
    CalendarDay.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    CalendarYear.objects.bulk_create([CalendarYear(year=y, source="chinesecalendar") for y in sorted(years)],
                                     ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
