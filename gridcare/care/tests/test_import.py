"""The billing and conduct imports' contract: exact columns (code or label), every row
validated with its row number, all or nothing, idempotent re-import, bounds, and the
ratings recomputed once the import has committed."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from gridcare.care.importers import BILL_COLUMNS, CONDUCT_COLUMNS, import_billing, import_conduct
from gridcare.care.models import Bill, ConductEvent, CreditRating, CreditRatingChange
from gridcare.core.models import AuditEvent
from gridcare.core.tabular import IMPORTERS, ImportFailed
from gridcare.customers.tests.factories import CustomerFactory

from .factories import months_back


def data(*rows, columns=BILL_COLUMNS):
    return ("\n".join([",".join(columns), *rows]) + "\n").encode("utf-8")


@pytest.fixture
def customers(world):
    return [
        CustomerFactory(customer_no="3100000001", area=world.area_a),
        CustomerFactory(customer_no="3100000002", area=world.area_a),
    ]


@pytest.fixture
def today():
    return timezone.localdate()


def rows_for(today):
    """Two customers, two months: one paid on time, one paid late, one unpaid and overdue."""
    p2, due2 = months_back(today, 2)
    p3, due3 = months_back(today, 3)
    return [
        f"3100000001,{p3},180.5,95.30,{due3},{due3 - dt.timedelta(days=3)},95.30",
        f"3100000001,{p2},210,110.88,{due2},{due2 + dt.timedelta(days=2)},110.88",
        f"3100000002,{p3},1500,990.00,{due3},,",
    ]


def failed(source, importer=import_billing) -> list[tuple]:
    with pytest.raises(ImportFailed) as exc:
        importer(source=source, name="f.csv")
    return [(e.row, e.column) for e in exc.value.report.errors]


def test_both_kinds_are_registered_for_gridcare_import():
    assert IMPORTERS["billing"][0] is import_billing
    assert IMPORTERS["conduct"][0] is import_conduct


def test_import_writes_bills_and_rates_the_customers_after_commit(
    customers, today, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = import_billing(source=data(*rows_for(today)), name="b.csv")
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    late = Bill.objects.get(customer=customers[0], period=months_back(today, 2)[0])
    assert (late.kwh, late.amount, late.paid_amount) == (Decimal("210"), Decimal("110.88"), Decimal("110.88"))
    unpaid = Bill.objects.get(customer=customers[1])
    assert unpaid.paid_at is None and unpaid.paid_amount is None
    ratings = {r.customer_id: r for r in CreditRating.objects.all()}
    assert (ratings[customers[0].pk].grade, ratings[customers[0].pk].points) == ("A", 1)
    assert (ratings[customers[1].pk].grade, ratings[customers[1].pk].points) == ("B", 3)
    assert CreditRatingChange.objects.filter(cause="import").count() == 2
    assert "信用等级已按新数据重算：2 户" in report.as_text()
    audit = AuditEvent.objects.get(action="care.billing_import")
    assert audit.changes == {"created": 3, "updated": 0, "unchanged": 0}


def test_headers_may_be_the_labels_and_any_order(customers, today):
    labels = "缴费截止日,户号,账期,电量(kWh),电费(元),缴费日期,实缴金额(元)"
    p, due = months_back(today, 2)
    source = f"{labels}\n{due},3100000001,{p},12,6.5,,\n".encode()
    assert import_billing(source=source, name="b.csv").created == 1
    assert Bill.objects.get().amount == Decimal("6.50")


def test_columns_must_be_exact(customers):
    assert failed(b"customer_no,period,kwh,amount,due_date,paid_at\n") == [(1, "paid_amount")]
    errors = failed(data(columns=[*BILL_COLUMNS, "remark"]))
    assert errors == [(1, "remark")]
    assert failed(b"customer_no,date,kind\n", import_conduct) == [(1, "note")]


def test_a_bad_row_is_reported_by_number_and_nothing_is_written(customers, today):
    good = rows_for(today)
    bad = good[1].replace(",210,", ",-5,")
    assert failed(data(good[0], bad, good[2])) == [(3, "kwh")]
    assert not Bill.objects.exists() and not CreditRating.objects.exists()
    assert not AuditEvent.objects.filter(action="care.billing_import").exists()


def test_bounds_and_consistency_are_checked(customers, today):
    p, due = months_back(today, 2)
    tomorrow = today + dt.timedelta(days=1)
    early_due = f"{p}-01"
    rows = [
        f"9999999999,{p},1,1,{due},,",  # 2 unknown customer
        f"3100000001,2026-13,1,1,{due},,",  # 3 period
        f"3100000001,{p},1e12,1,{due},,",  # 4 kwh over the maximum
        f"3100000001,{p},1,-0.01,{due},,",  # 5 negative amount
        f"3100000001,{p},1,1,2026-02-30,,",  # 6 impossible date
        f"3100000001,{p},1,1,{due},{tomorrow},1",  # 7 paid in the future
        f"3100000001,{p},1,1,{due},{due},",  # 8 paid without an amount
        f"3100000001,{p},1,1,{due},,5",  # 9 an amount without a date
        f"3100000002,{months_back(today, 1)[0]},1,1,{early_due},,",  # 10 due before the period
        f"3100000002,{p},1,1,{due},,",  # 11 fine
        f"3100000002,{p},2,2,{due},,",  # 12 same customer and period as row 11
        f"3100000001,{p},1,abc,{due},,",  # 13 not a number
    ]
    assert failed(data(*rows)) == [
        (2, "customer_no"),
        (3, "period"),
        (4, "kwh"),
        (5, "amount"),
        (6, "due_date"),
        (7, "paid_at"),
        (8, "paid_amount"),
        (9, "paid_amount"),
        (10, "due_date"),
        (12, "period"),
        (13, "amount"),
    ]
    assert not Bill.objects.exists()


def test_reimport_changes_nothing_and_a_changed_row_updates(
    customers, today, django_capture_on_commit_callbacks
):
    rows = rows_for(today)
    with django_capture_on_commit_callbacks(execute=True):
        import_billing(source=data(*rows), name="b.csv")
    stored = list(Bill.objects.order_by("pk").values_list())
    history = CreditRatingChange.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = import_billing(source=data(*rows), name="b.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(Bill.objects.order_by("pk").values_list()) == stored
    assert len(callbacks) == 1 and CreditRatingChange.objects.count() == history
    # The unpaid bill is paid: one row updated, the customer's rating recomputed.
    paid = rows[2].replace(",,", f",{today},") + "990"
    with django_capture_on_commit_callbacks(execute=True):
        report = import_billing(source=data(rows[0], rows[1], paid), name="b2.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    bill = Bill.objects.get(customer=customers[1])
    assert (bill.paid_at, bill.paid_amount) == (today, Decimal("990.00"))
    rating = CreditRating.objects.get(customer=customers[1])
    assert (rating.grade, rating.points) == ("A", 1)  # now a late payment, not an unpaid bill
    assert Bill.objects.count() == 3


def test_zero_paid_amount_without_a_date_reads_as_unpaid(customers, today):
    p, due = months_back(today, 2)
    import_billing(source=data(f"3100000001,{p},10,5,{due},,0"), name="b.csv")
    assert Bill.objects.get().paid_amount is None
    report = import_billing(source=data(f"3100000001,{p},10,5,{due},,"), name="b.csv")
    assert report.unchanged == 1


def test_xlsx_with_date_cells(customers, today):
    from openpyxl import Workbook

    p, due = months_back(today, 2)
    wb = Workbook()
    ws = wb.active
    ws.append(BILL_COLUMNS)
    ws.append(["3100000001", dt.datetime.strptime(p, "%Y-%m"), 120.5, 66, due, due, 66])
    buf = io.BytesIO()
    wb.save(buf)
    report = import_billing(source=buf.getvalue(), name="b.xlsx")
    assert report.created == 1
    bill = Bill.objects.get()
    assert (bill.period, bill.kwh, bill.paid_at) == (p, Decimal("120.5"), due)


# ----------------------------------------------------------------------------- conduct


def conduct(*rows):
    return data(*rows, columns=CONDUCT_COLUMNS)


def test_conduct_kinds_by_code_or_label_and_reimport(customers, today, django_capture_on_commit_callbacks):
    day = today - dt.timedelta(days=30)
    rows = [f"3100000001,{day},theft,绕越计量", f"3100000002,{day},违约用电,超容量"]
    with django_capture_on_commit_callbacks(execute=True):
        report = import_conduct(source=conduct(*rows), name="c.csv")
    assert (report.created, report.updated) == (2, 0)
    assert set(ConductEvent.objects.values_list("kind", flat=True)) == {"theft", "violation"}
    grades = dict(CreditRating.objects.values_list("customer_id", "grade"))
    assert grades == {customers[0].pk: "C", customers[1].pk: "B"}
    report = import_conduct(source=conduct(*rows), name="c.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    report = import_conduct(source=conduct(rows[0].replace("绕越计量", "私接线路"), rows[1]), name="c.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert ConductEvent.objects.get(kind="theft").note == "私接线路"


def test_conduct_rows_are_checked(customers, today):
    day = today - dt.timedelta(days=3)
    rows = [
        f"3100000001,{day},fraud,",  # 2 unknown kind
        f"3100000001,{today + dt.timedelta(days=1)},theft,",  # 3 in the future
        f"3100000003,{day},theft,",  # 4 unknown customer
        f"3100000001,{day},theft,{'x' * 201}",  # 5 note too long
        f"3100000001,{day},bounced_payment,",  # 6 fine
        f"3100000001,{day},退票,",  # 7 the same event as row 6
    ]
    assert failed(conduct(*rows), import_conduct) == [
        (2, "kind"),
        (3, "date"),
        (4, "customer_no"),
        (5, "note"),
        (7, "date"),
    ]
    assert not ConductEvent.objects.exists()
