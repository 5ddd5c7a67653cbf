import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridcare.core.tabular import ImportFailed
from gridcare.workforce.importers import import_calls
from gridcare.workforce.models import CallRecord, ContactVolume

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_interval_counts_import_and_reimport():
    csv = b"start,calls\n2024-03-04 08:00:00,12\n2024-03-04 08:05:00,7\n2024-03-04 08:10:00,0\n"
    r = import_calls(source=csv)
    assert r.ok and r.created == 3
    first = ContactVolume.objects.order_by("start").first()
    assert first.start == dt.datetime(2024, 3, 4, 8, 0, tzinfo=SH)
    assert first.interval_minutes == 5 and first.channel == "hotline" and first.source == "imported"
    r = import_calls(source=b"start,calls\n2024-03-04 08:00:00,13\n2024-03-04 08:05:00,7\n")
    assert (r.created, r.updated, r.unchanged) == (0, 1, 1)


def test_bad_rows_write_nothing_and_name_rows():
    csv = (
        b"start,calls\n2024-03-04 08:00:00,12\n2024-03-04 08:05:00,-1\nnot a time,3\n"
        b"2024-03-04 08:00:00,5\n2024-03-04 08:15:00,2.5\n"
    )
    with pytest.raises(ImportFailed) as exc:
        import_calls(source=csv)
    rows = {(e.row, e.column) for e in exc.value.report.errors}
    assert rows == {(3, "calls"), (4, "start"), (5, "start"), (6, "calls")}
    assert ContactVolume.objects.count() == 0


def test_call_records_aggregate_to_5_minutes():
    csv = (
        b"arrived_at,answered_at,ended_at,abandoned\n"
        b"2024-03-04 08:01:10,2024-03-04 08:01:30,2024-03-04 08:05:00,0\n"
        b"2024-03-04 08:03:00,,2024-03-04 08:03:40,1\n"
        b"2024-03-04 08:06:00,2024-03-04 08:06:05,2024-03-04 08:09:00,false\n"
    )
    r = import_calls(source=csv)
    assert r.ok and r.created == 3
    assert CallRecord.objects.filter(abandoned=True).count() == 1
    counts = dict(ContactVolume.objects.values_list("start", "count"))
    assert counts == {
        dt.datetime(2024, 3, 4, 8, 0, tzinfo=SH): 2,
        dt.datetime(2024, 3, 4, 8, 5, tzinfo=SH): 1,
    }
    # importing the same file again changes nothing
    r = import_calls(source=csv)
    assert r.created == 0 and r.unchanged == 3
    assert ContactVolume.objects.get(start=dt.datetime(2024, 3, 4, 8, 0, tzinfo=SH)).count == 2


def test_call_records_bad_rows():
    csv = (
        b"arrived_at,answered_at,ended_at,abandoned\n"
        b"2024-03-04 08:01:10,2024-03-04 08:00:00,,0\n"  # answered before arrival
        b"2024-03-04 08:03:00,2024-03-04 08:03:10,,1\n"  # abandoned but answered
        b"2024-03-04 08:04:00,,,maybe\n"  # bad flag
        b",2024-03-04 08:03:10,,0\n"  # missing arrival
        b"2024-03-04 08:05:00,2024-03-04 08:05:10,2024-03-04 08:08:00,0\n"  # fine
    )
    with pytest.raises(ImportFailed) as exc:
        import_calls(source=csv)
    assert {e.row for e in exc.value.report.errors} == {2, 3, 4, 5}
    assert CallRecord.objects.count() == 0 and ContactVolume.objects.count() == 0


def test_unknown_columns():
    with pytest.raises(ImportFailed) as exc:
        import_calls(source=b"when,n\n2024-03-04 08:00,1\n")
    assert exc.value.report.errors[0].row == 1


def test_registered_for_gridcare_import(tmp_path):
    from django.core.management import call_command

    f = tmp_path / "c.csv"
    f.write_text("start,calls\n2024-03-04 08:00:00,12\n")
    call_command("import", "calls", str(f), "--no-progress")
    assert ContactVolume.objects.get().count == 12
