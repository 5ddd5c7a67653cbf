"""Stored ratings: recomputation writes only what changed, keeps a history row per grade
change, and the nightly job picks up expiries, bills falling due and changed rules."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridcare.care.models import CareSetting, CreditRating, CreditRatingChange
from gridcare.care.rating import add_months
from gridcare.care.services import credit_ratings_recompute, credit_ratings_review
from gridcare.core.configuration import config_save, section
from gridcare.core.errors import ApplicationError
from gridcare.core.scheduling import PERIODIC, discover
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role

from .factories import make_bill, make_event, months_back

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def customer(world):
    c = CustomerFactory(area=world.area_a)
    for n in range(2, 8):  # six bills paid on time
        period, due = months_back(TODAY, n)
        make_bill(c, period, due=due, paid=due - dt.timedelta(days=5))
    return c


def rating(customer) -> CreditRating:
    return CreditRating.objects.get(customer=customer)


def test_first_rating_is_stored_with_its_history_row(customer):
    counts = credit_ratings_recompute(customer_ids=[customer.pk], today=TODAY)
    assert counts == {"customers": 1, "created": 1, "updated": 0, "changed": 0}
    r = rating(customer)
    assert (r.grade, r.points, r.since, r.review_on) == ("A", 0, TODAY, None)
    assert r.reasons[0]["code"] == "care.grade.points"
    (change,) = CreditRatingChange.objects.filter(customer=customer)
    assert (change.grade_from, change.grade, change.cause) == ("", "A", "manual")


def test_recomputing_the_same_facts_writes_nothing(customer):
    credit_ratings_recompute(customer_ids=[customer.pk], today=TODAY)
    before = rating(customer).computed_at
    counts = credit_ratings_recompute(customer_ids=[customer.pk], today=TODAY)
    assert counts == {"customers": 1, "created": 0, "updated": 0, "changed": 0}
    assert rating(customer).computed_at == before
    assert CreditRatingChange.objects.count() == 1


def test_history_keeps_a_row_per_grade_change_with_its_reasons(customer):
    credit_ratings_recompute(customer_ids=[customer.pk], today=TODAY)
    make_event(customer, "violation", TODAY - dt.timedelta(days=10))
    counts = credit_ratings_recompute(customer_ids=[customer.pk], today=TODAY, cause="import")
    assert counts["changed"] == 1
    r = rating(customer)
    assert (r.grade, r.points, r.since) == ("B", 6, TODAY)
    assert [x["code"] for x in r.reasons] == [
        "care.grade.points",
        "care.demerit.conduct",
        "care.veto.violation",
    ]
    a, b = CreditRatingChange.objects.filter(customer=customer).order_by("at", "id")
    assert (a.grade_from, a.grade) == ("", "A")
    assert (b.grade_from, b.grade, b.points, b.cause) == ("A", "B", 6, "import")
    assert b.reasons == r.reasons
    # A point more without a new grade: the rating changes, the history does not.
    period, due = months_back(TODAY, 9)
    make_bill(customer, period, due=due, paid=due + dt.timedelta(days=3))
    counts = credit_ratings_recompute(customer_ids=[customer.pk], today=TODAY)
    assert (counts["updated"], counts["changed"]) == (1, 0)
    assert (rating(customer).points, rating(customer).grade) == (7, "B")
    assert CreditRatingChange.objects.filter(customer=customer).count() == 2


def test_the_nightly_job_lifts_an_expired_demerit(customer):
    period, due = months_back(TODAY, 8)
    paid = due + dt.timedelta(days=20)
    make_bill(customer, period, due=due, paid=paid)
    make_event(customer, "bounced_payment", TODAY - dt.timedelta(days=40))
    credit_ratings_recompute(customer_ids=[customer.pk], today=TODAY)
    r = rating(customer)
    assert (r.grade, r.points) == ("B", 3)
    expiry = add_months(paid, 12)
    assert r.review_on == expiry
    assert credit_ratings_review(today=expiry - dt.timedelta(days=1))["customers"] == 0
    counts = credit_ratings_review(today=expiry)
    assert (counts["customers"], counts["changed"]) == (1, 1)
    r = rating(customer)
    assert (r.grade, r.points, r.since) == ("A", 2, expiry)
    assert CreditRatingChange.objects.filter(customer=customer, cause="expiry", grade="A").exists()
    assert credit_ratings_review(today=expiry)["customers"] == 0  # idempotent


def test_the_nightly_job_counts_a_bill_that_fell_due_unpaid(customer):
    period, due = months_back(TODAY, 1)  # due later this month
    make_bill(customer, period, due=due)
    credit_ratings_recompute(customer_ids=[customer.pk], today=TODAY)
    assert rating(customer).grade == "A" and rating(customer).review_on == due + dt.timedelta(days=1)
    credit_ratings_review(today=due + dt.timedelta(days=1))
    r = rating(customer)
    assert (r.grade, r.points) == ("B", 3)
    assert r.reasons[1]["code"] == "care.demerit.unpaid"


def test_changed_rules_are_applied_by_the_nightly_job(customer):
    make_event(customer, "bounced_payment", TODAY - dt.timedelta(days=40))
    credit_ratings_recompute(customer_ids=[customer.pk], today=TODAY)
    assert rating(customer).grade == "A"
    CareSetting.objects.filter(key=CareSetting.GRADE_B_POINTS).update(value=2)
    counts = credit_ratings_review(today=TODAY)
    assert counts["changed"] == 1 and rating(customer).grade == "B"


def test_the_job_is_declared_and_runs(customer):
    credit_ratings_recompute(customer_ids=[customer.pk], today=TODAY)
    CreditRating.objects.update(review_on=timezone.localdate())
    job = discover()["care.credit_review"]
    assert job.every_seconds == 24 * 3600 and PERIODIC["care.credit_review"] is job
    assert job.func()["customers"] == 1


def test_settings_are_bounded_and_the_thresholds_ordered(world):
    admin = world.staff(Role.ADMIN)
    credit = section("credit-settings")
    assert credit is not None and credit.model is CareSetting
    row = CareSetting.objects.get(key=CareSetting.GRADE_C_POINTS)
    with pytest.raises(ApplicationError):
        config_save(actor=admin, section=credit, instance=row, data={"value": 3})  # not above B's 3
    with pytest.raises(ApplicationError):
        config_save(actor=admin, section=credit, instance=row, data={"value": 1001})
    config_save(actor=admin, section=credit, instance=row, data={"value": 10})
    assert CareSetting.get(CareSetting.GRADE_C_POINTS) == 10
    with pytest.raises(ValidationError):
        CareSetting(key=CareSetting.UNPAID_COUNT, value=13).clean()
    assert len(CareSetting.objects.all()) == len(CareSetting.SPEC)  # every default seeded
