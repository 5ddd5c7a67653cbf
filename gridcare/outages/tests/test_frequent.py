"""Frequent-outage customers (频繁停电): the threshold, the window, short interruptions,
scoping, and the page's queries."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind, OutageStatus
from gridcare.outages.frequent import frequent_customers, months_ago
from gridcare.outages.models import Outage, OutageCustomer
from gridcare.outages.reliability import SHORT_INTERRUPTION_MINUTES

_numbers = itertools.count(1)


def interruption(customer, *, start, minutes=60, ongoing=False):
    """One restored (or still ongoing) interruption of ``customer`` in an outage of its own."""
    restored = None if ongoing else start + dt.timedelta(minutes=minutes)
    outage = Outage.objects.create(
        outage_no=f"FQ{next(_numbers):06d}",
        kind=OutageKind.FAULT,
        status=OutageStatus.IN_PROGRESS if ongoing else OutageStatus.RESTORED,
        started_at=start,
        restored_at=restored,
        unit_path=customer.station.path,
    )
    return OutageCustomer.objects.create(
        outage=outage, customer=customer, area=customer.area, started_at=start, restored_at=restored
    )


def days_ago(n):
    return timezone.now() - dt.timedelta(days=n)


@pytest.fixture
def agent(world):
    return world.staff(Role.HOTLINE_AGENT, world.county_a)


def _nos(user, **kw):
    return [r["customer__customer_no"] for r in frequent_customers(user, **kw)]


def test_more_than_n_is_frequent_exactly_n_is_not(world, agent):
    exactly, more = CustomerFactory(area=world.area_a), CustomerFactory(area=world.area_a)
    for d in (1, 5, 10):
        interruption(exactly, start=days_ago(d))
    for d in (1, 5, 10, 20):
        interruption(more, start=days_ago(d))
    assert _nos(agent) == [more.customer_no]
    rows = list(frequent_customers(agent))
    assert rows[0]["interruptions"] == 4
    assert _nos(agent, min_count=2) == [more.customer_no, exactly.customer_no]


def test_window_and_short_interruptions(world, agent):
    c = CustomerFactory(area=world.area_a)
    for d in (1, 5, 10):
        interruption(c, start=days_ago(d))
    old = interruption(c, start=months_ago(timezone.now(), 2) - dt.timedelta(hours=1))
    short = interruption(c, start=days_ago(3), minutes=SHORT_INTERRUPTION_MINUTES - 1)
    assert _nos(agent) == []  # the old one is outside two months, the short one is not counted
    assert _nos(agent, months=3) == [c.customer_no]
    OutageCustomer.objects.filter(pk=short.pk).update(
        restored_at=short.started_at + dt.timedelta(minutes=SHORT_INTERRUPTION_MINUTES)
    )
    assert _nos(agent) == [c.customer_no]  # exactly the threshold counts, as in reliability
    assert old.pk


def test_ongoing_interruption_counts_and_minutes_are_summed(world, agent):
    c = CustomerFactory(area=world.area_a)
    for d in (2, 4, 6):
        interruption(c, start=days_ago(d), minutes=30)
    interruption(c, start=timezone.now() - dt.timedelta(minutes=90), ongoing=True)
    (row,) = frequent_customers(agent)
    assert row["interruptions"] == 4
    minutes = row["total_duration"].total_seconds() / 60
    assert 179 <= minutes <= 182


def test_another_countys_customers_are_not_listed(world, agent):
    mine, theirs = CustomerFactory(area=world.area_a), CustomerFactory(area=world.area_b)
    for c in (mine, theirs):
        for d in (1, 2, 3, 4):
            interruption(c, start=days_ago(d))
    assert _nos(agent) == [mine.customer_no]
    html = _client(agent).get("/outages/frequent/").content.decode()
    assert mine.customer_no in html and theirs.customer_no not in html


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_page_form_bounds_sort_csv_and_permission(world, agent):
    c = CustomerFactory(area=world.area_a)
    for d in (1, 2, 3, 4):
        interruption(c, start=days_ago(d))
    client = _client(agent)
    html = client.get("/outages/frequent/").content.decode()
    assert c.customer_no in html and "/outages/frequent/" in html
    assert c.customer_no not in client.get("/outages/frequent/?min_count=4&months=2").content.decode()
    for bad in ("min_count=0&months=2", "min_count=101&months=2", "min_count=3&months=25", "min_count=x"):
        response = client.get(f"/outages/frequent/?{bad}")
        assert response.status_code == 200 and c.customer_no not in response.content.decode(), bad
    assert client.get("/outages/frequent/?min_count=3&months=2&sort=minutes").status_code == 200
    csv = client.get("/outages/frequent/?min_count=3&months=2&format=csv")
    assert csv["Content-Type"].startswith("text/csv") and c.customer_no in csv.content.decode("utf-8-sig")
    assert _client(world.staff(Role.PLANNER, world.county_a)).get("/outages/frequent/").status_code == 403


def test_page_query_count_does_not_grow_with_rows(world, agent):
    client = _client(agent)

    def count():
        client.get("/outages/frequent/")  # warm the session and permission caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/outages/frequent/").status_code == 200
        return len(ctx.captured_queries)

    c = CustomerFactory(area=world.area_a)
    for d in (1, 2, 3, 4):
        interruption(c, start=days_ago(d))
    one = count()
    for _ in range(5):
        other = CustomerFactory(area=world.area_a)
        for d in (1, 2, 3, 4, 5):
            interruption(other, start=days_ago(d))
    assert count() == one
    with CaptureQueriesContext(connection) as ctx:
        rows = list(frequent_customers(agent))
    # the aggregate (+ the scope's path) + the two settings (N and M)
    assert len(rows) == 6 and len(ctx.captured_queries) <= 4
    with CaptureQueriesContext(connection) as ctx:
        rows = list(frequent_customers(agent, min_count=3, months=2))
    assert len(rows) == 6 and len(ctx.captured_queries) <= 2  # given N and M: no settings read


def test_the_settings_are_the_rule_and_the_form_still_overrides_them(world, agent):
    from gridcare.outages.frequent import frequent_counts_by
    from gridcare.outages.models import OutageSetting

    twice, old = CustomerFactory(area=world.area_a), CustomerFactory(area=world.area_a)
    for d in (1, 5):
        interruption(twice, start=days_ago(d))
    for d in (70, 75, 80, 85):  # more than two months ago, less than three
        interruption(old, start=days_ago(d))
    client = _client(agent)
    assert _nos(agent) == [] and twice.customer_no not in client.get("/outages/frequent/").content.decode()
    OutageSetting.objects.update_or_create(key=OutageSetting.FREQUENT_MIN_COUNT, defaults={"value": 1})
    assert _nos(agent) == [twice.customer_no]
    html = client.get("/outages/frequent/").content.decode()
    assert twice.customer_no in html and 'name="min_count" value="1"' in html
    assert twice.customer_no in client.get("/outages/frequent/?format=csv").content.decode("utf-8-sig")
    assert frequent_counts_by("area") == {world.area_a.pk: 1}
    # The page's form overrides the settings for one view.
    assert twice.customer_no not in client.get("/outages/frequent/?min_count=3&months=2").content.decode()
    OutageSetting.objects.update_or_create(key=OutageSetting.FREQUENT_MONTHS, defaults={"value": 3})
    assert _nos(agent) == [old.customer_no, twice.customer_no]
    assert frequent_counts_by("area") == {world.area_a.pk: 2}
    assert frequent_counts_by("station") == {world.station_a.pk: 2}
    assert frequent_counts_by("area", min_count=3) == {world.area_a.pk: 1}
