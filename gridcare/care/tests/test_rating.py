"""The credit rating's rules (``care.rating.assess``), each on its own: thresholds, expiry,
each veto, new customers, and the day the grade next changes by itself."""

import datetime as dt
from decimal import Decimal

from gridcare.care.rating import BillFact, ConductFact, Rules, add_months, assess

TODAY = dt.date(2026, 6, 15)
AMOUNT = Decimal("100.00")


def bill(period, *, due, paid=None, paid_amount=None):
    if paid is not None and paid_amount is None:
        paid_amount = AMOUNT
    return BillFact.of(period, due, paid, AMOUNT, paid_amount)


def on_time(n=12):
    """``n`` bills paid before their due date, the newest for 2026-05."""
    out = []
    for i in range(n):
        due = add_months(dt.date(2026, 6, 25), -i)
        month = add_months(due, -1)
        out.append(bill(f"{month:%Y-%m}", due=due, paid=due - dt.timedelta(days=10)))
    return out


def late(period, paid: dt.date):
    return bill(period, due=paid - dt.timedelta(days=5), paid=paid)


def grade(bills=(), conduct=(), rules=None, **kw):
    return assess(bills=bills, conduct=conduct, rules=rules or Rules(), today=TODAY, **kw)


def codes(a):
    return [r["code"] for r in a.reasons()]


def test_add_months_clips_to_the_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 14) == dt.date(2028, 1, 15)


def test_bills_paid_on_time_give_a():
    a = grade(on_time())
    assert (a.grade, a.points, a.demerits, a.vetoes) == ("A", 0, [], [])
    assert codes(a) == ["care.grade.points"]


def test_point_thresholds_give_b_then_c():
    rules = Rules(points_late=1, grade_b_points=3, grade_c_points=5)
    two = [late(f"2026-0{m}", dt.date(2026, m, 28)) for m in (1, 2)]
    assert grade(on_time() + two, rules=rules).grade == "A"
    three = two + [late("2026-03", dt.date(2026, 3, 28))]
    a = grade(on_time() + three, rules=rules)
    assert (a.grade, a.points) == ("B", 3)
    five = three + [late("2026-04", dt.date(2026, 4, 28)), late("2026-05", dt.date(2026, 5, 28))]
    assert grade(on_time() + five, rules=rules).grade == "C"


def test_a_late_payment_counts_for_the_configured_months_from_payment():
    rules = Rules(points_late=4, bill_months=12)
    recent = late("2025-07", dt.date(2025, 8, 20))  # expires 2026-08-20
    a = grade(on_time() + [recent], rules=rules)
    (d,) = a.demerits
    assert (d.points, d.expires) == (4, dt.date(2026, 8, 20))
    assert a.grade == "B"
    assert d.message.params == {
        "period": "2025-07",
        "due": "2025-08-15",
        "paid": "2025-08-20",
        "points": 4,
        "expires": "2026-08-20",
    }
    expired = late("2025-05", dt.date(2025, 6, 15))  # expires 2026-06-15: today, gone
    a = grade(on_time() + [expired], rules=rules)
    assert (a.grade, a.demerits) == ("A", [])
    assert grade(on_time() + [recent], rules=Rules(points_late=4, bill_months=6)).demerits == []


def test_an_unpaid_bill_counts_until_paid_and_a_bill_not_due_yet_counts_nothing():
    unpaid = bill("2025-01", due=dt.date(2025, 2, 25))  # more than a year ago, still unpaid
    a = grade(on_time() + [unpaid], rules=Rules(points_unpaid=3))
    (d,) = a.demerits
    assert (d.points, d.expires) == (3, None) and a.grade == "B"
    pending = bill("2026-05", due=dt.date(2026, 6, 25))
    a = grade(on_time() + [pending])
    assert (a.grade, a.demerits, a.review_on) == ("A", [], dt.date(2026, 6, 26))
    short = bill("2026-04", due=dt.date(2026, 5, 25), paid=dt.date(2026, 5, 20), paid_amount=Decimal("50"))
    assert [d.points for d in grade(on_time() + [short]).demerits] == [3]  # paid short: unpaid


def test_theft_gives_c_and_no_promotion_for_two_years():
    rules = Rules(points_conduct={"theft": 0}, conduct_months=6, theft_months=24)
    a = grade(on_time(), [ConductFact(dt.date(2024, 7, 1), "theft")], rules=rules)
    assert a.grade == "C" and a.points == 0
    assert [v.code for v in a.vetoes] == ["care.veto.theft"]
    assert a.vetoes[0].params == {"date": "2024-07-01", "until": "2026-07-01"}
    assert a.review_on == dt.date(2026, 7, 1)
    a = grade(on_time(), [ConductFact(dt.date(2024, 6, 1), "theft")], rules=rules)
    assert (a.grade, a.vetoes) == ("A", [])


def test_violation_caps_at_b_for_a_year():
    rules = Rules(points_conduct={"violation": 0}, violation_months=12)
    a = grade(on_time(), [ConductFact(dt.date(2025, 7, 1), "violation")], rules=rules)
    assert a.grade == "B" and [v.code for v in a.vetoes] == ["care.veto.violation"]
    a = grade(on_time(), [ConductFact(dt.date(2025, 6, 1), "violation")], rules=rules)
    assert a.grade == "A"
    # the cap does not lift a worse grade
    a = grade(on_time(), [ConductFact(dt.date(2025, 7, 1), "violation")], rules=Rules(grade_c_points=6))
    assert a.grade == "C"


def test_three_months_unpaid_in_the_window_give_c():
    rules = Rules(points_unpaid=0, unpaid_count=3, unpaid_window=12)
    unpaid = [bill(f"2026-0{m}", due=dt.date(2026, m + 1, 25)) for m in (1, 2, 3)]
    a = grade(on_time() + unpaid, rules=rules)
    assert a.grade == "C" and [v.code for v in a.vetoes] == ["care.veto.unpaid"]
    assert a.vetoes[0].params == {"months": 12, "count": 3}
    assert grade(on_time() + unpaid[:2], rules=rules).grade == "A"
    # an unpaid bill due before the window does not count towards the veto
    old = [bill("2025-03", due=dt.date(2025, 4, 25))]
    assert grade(on_time() + unpaid[:2] + old, rules=rules).grade == "A"
    assert grade(on_time() + unpaid, rules=Rules(points_unpaid=0, unpaid_count=0)).grade == "A"


def test_a_new_customer_starts_at_b():
    a = grade([])
    assert a.grade == "B" and [v.code for v in a.vetoes] == ["care.veto.new_customer"]
    assert grade([], bill_count=1).grade == "A"  # only the bills that cost points were passed
    assert grade(on_time(2), rules=Rules(new_min_bills=3)).grade == "B"
    assert grade([], rules=Rules(new_min_bills=0)).grade == "A"


def test_each_conduct_kind_costs_its_points_until_it_expires():
    rules = Rules(
        points_conduct={"bounced_payment": 2, "pay_plan_broken": 3, "arrears_cutoff": 4}, conduct_months=24
    )
    events = [
        ConductFact(dt.date(2026, 1, 10), "bounced_payment"),
        ConductFact(dt.date(2025, 3, 1), "pay_plan_broken"),
        ConductFact(dt.date(2024, 6, 15), "arrears_cutoff"),  # expired today
    ]
    a = grade(on_time(), events, rules=rules)
    assert [(d.points, d.expires) for d in a.demerits] == [
        (2, dt.date(2028, 1, 10)),
        (3, dt.date(2027, 3, 1)),
    ]
    assert (a.points, a.grade) == (5, "B")
    assert a.review_on == dt.date(2027, 3, 1)


def test_rules_stamp_follows_every_number():
    assert Rules().stamp() == Rules().stamp()
    assert Rules().stamp() != Rules(grade_b_points=4).stamp()
    assert Rules().stamp() != Rules(points_conduct={**Rules().points_conduct, "theft": 11}).stamp()
