"""The grade and why on the customer page (core's detail panels): for roles that serve
customers, with each demerit's points and expiry, the vetoes, the last 12 months' bills and
the conduct; absent for other roles; a fixed number of queries."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.care.panels import customer_care_panel
from gridcare.care.rating import add_months
from gridcare.care.services import credit_ratings_recompute
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role

from .factories import make_bill, make_event, months_back


@pytest.fixture
def rated(world):
    """A customer with 14 months of bills (one paid late), a violation, and a rating."""
    today = timezone.localdate()
    c = CustomerFactory(area=world.area_a)
    for n in range(2, 16):
        period, due = months_back(today, n)
        paid = due + dt.timedelta(days=9) if n == 4 else due - dt.timedelta(days=2)
        make_bill(c, period, due=due, paid=paid)
    make_event(c, "violation", today - dt.timedelta(days=30), note="擅自超容量用电")
    credit_ratings_recompute(customer_ids=[c.pk])
    return c


def page(user, customer) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/customers/{customer.customer_no}/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_agent_sees_the_grade_and_why(world, rated):
    today = timezone.localdate()
    html = page(world.staff(Role.HOTLINE_AGENT), rated)
    assert "信用等级与缴费" in html and 'data-grade="B"' in html
    late_period, late_due = months_back(today, 4)
    late_paid = late_due + dt.timedelta(days=9)
    assert f"{late_period} 电费逾期缴纳" in html
    assert add_months(late_paid, 12).isoformat() in html  # the late payment's expiry
    violation_day = today - dt.timedelta(days=30)
    assert f"违约用电（{violation_day}）：{add_months(violation_day, 12)} 前最高B级" in html
    assert add_months(violation_day, 24).isoformat() in html  # the violation's own points expire later
    assert "擅自超容量用电" in html
    # the last 12 months' bills, not older ones
    assert months_back(today, 2)[0] in html and months_back(today, 13)[0] in html
    assert f"<td>{months_back(today, 14)[0]}</td>" not in html


def test_the_panel_reads_in_english(world, rated):
    client = Client()
    client.force_login(world.staff(Role.COUNTER_CLERK))
    client.cookies["django_language"] = "en"
    html = client.get(f"/customers/{rated.customer_no}/").content.decode()
    assert 'data-grade="B"' in html


@pytest.mark.parametrize("role", [Role.PLANNER, Role.REPAIR_CREW, Role.DISPATCHER, Role.MANAGER])
def test_roles_that_do_not_serve_customers_do_not_see_it(world, rated, role):
    user = world.staff(role)
    html = page(user, rated)
    assert "信用等级与缴费" not in html and "data-grade" not in html
    assert customer_care_panel(user, rated) is None


def test_a_customer_never_rated_shows_the_rules_default(world):
    c = CustomerFactory(area=world.area_a)
    panel = customer_care_panel(world.staff(Role.CUSTOMER_MANAGER), c)
    ctx = panel["context"]
    assert (ctx["grade"], ctx["stored"], ctx["bills"]) == ("B", False, [])
    assert ctx["vetoes"] == ["新客户（账单不足 1 个月）：最高B级"]


def test_another_countys_customer_gives_no_panel(world, rated):
    other = world.staff(Role.HOTLINE_AGENT, world.county_b)
    assert customer_care_panel(other, rated) is None


def test_the_customer_page_query_count_is_fixed(world, rated):
    """More history costs no more queries (the page's whole budget with every app's panels
    is pinned in ``gridcare/tests/test_customer_360.py``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(world.staff(Role.HOTLINE_AGENT))
    url = f"/customers/{rated.customer_no}/"
    client.get(url)  # warm caches (calendar, settings)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(16, 40):  # more history: the same queries
        period, due = months_back(timezone.localdate(), n)
        make_bill(rated, period, due=due)
        make_event(rated, "bounced_payment", due)
    credit_ratings_recompute(customer_ids=[rated.pk])
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert 'data-grade="C"' in html
    assert '<span class="badge red">欠费</span>' not in html  # the unpaid bills are older than 12 months
