"""The paginator of large lists: exact counts when small, estimates (never a full COUNT) when large."""

import pytest
from django.test import RequestFactory

from gridcare.core import listing
from gridcare.core.listing import EstimatedCountPaginator, paginate
from gridcare.org.models import OrgUnit
from gridcare.org.tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


class SmallLimit(EstimatedCountPaginator):
    exact_limit = 10
    estimate_above = 20


@pytest.fixture
def units():
    for i in range(25):
        OrgUnitFactory(code=f"U{i:02d}", name=f"单位{i}")
    return OrgUnit.objects.order_by("code")


def test_exact_at_or_under_the_limit(units):
    p = SmallLimit(units.filter(code__lt="U10"), 4)
    assert (p.count, p.count_exact, p.num_pages) == (10, True, 3)
    assert [u.code for u in p.page(3)] == ["U08", "U09"]


def test_without_an_estimate_the_count_is_exact(units, monkeypatch):
    # SQLite (the embedded default) has no planner estimate: the count stays exact.
    monkeypatch.setattr(listing, "estimated_row_count", lambda qs: None)
    p = SmallLimit(units, 10)
    assert (p.count, p.count_exact) == (25, True)


def test_a_small_estimate_is_checked_by_an_exact_count(units, monkeypatch):
    monkeypatch.setattr(listing, "estimated_row_count", lambda qs: 7)  # stale statistics
    p = SmallLimit(units, 10)
    assert (p.count, p.count_exact) == (25, True)


def test_estimated_count_pages_by_fetching_one_more_row(units, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(listing, "estimated_row_count", lambda qs: 21)
    p = SmallLimit(units, 10)
    assert (p.count, p.count_exact, p.num_pages) == (21, False, 3)
    with django_assert_num_queries(1):
        page = p.page(2)
    assert [u.code for u in page][0] == "U10" and page.has_next()
    last = p.page(3)
    assert len(last) == 5 and not last.has_next() and last.has_previous()
    assert (last.start_index(), last.end_index()) == (21, 25)
    assert len(p.page(9)) == 0  # past the estimated end: an empty page, not an error


def test_count_reads_at_most_the_limit(units, django_assert_num_queries, monkeypatch):
    seen = []
    monkeypatch.setattr(listing, "estimated_row_count", lambda qs: seen.append(qs) or 1000)
    p = SmallLimit(units, 10)
    with django_assert_num_queries(1):  # the capped count; the estimate is patched out
        assert p.count == 1000
    assert len(seen) == 1


def test_paginate_falls_back_to_the_last_page_and_first_page(units):
    request = RequestFactory().get("/x/", {"page": "abc", "q": "1"})
    ctx = paginate(request, units, per_page=10)
    assert ctx["page_obj"].number == 1 and ctx["querystring_without_page"] == "q=1&"
    ctx = paginate(RequestFactory().get("/x/", {"page": "99"}), units, per_page=10)
    assert ctx["page_obj"].number == 3


def test_deep_pages_read_ids_first_then_the_rows_in_order(units, monkeypatch):
    """Past the first pages a page is two reads: the ids in list order (no joins), then those
    rows with their relations; the page holds the same rows in the same order either way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    qs = OrgUnit.objects.select_related("parent").order_by("-code")
    shallow = [[u.code for u in EstimatedCountPaginator(qs, 4).page(n)] for n in range(1, 8)]
    monkeypatch.setattr(listing, "DEFERRED_JOIN_FROM", 4)
    p = EstimatedCountPaginator(qs, 4)
    assert [[u.code for u in p.page(n)] for n in range(1, 8)] == shallow
    assert shallow[-1] == ["U00"] and len({c for page in shallow for c in page}) == 25
    with CaptureQueriesContext(connection) as ctx:
        page = p.page(3)
    ids_query, rows_query = (q["sql"] for q in ctx.captured_queries)
    assert "JOIN" not in ids_query and "OFFSET" in ids_query.upper()
    assert "JOIN" in rows_query and "OFFSET" not in rows_query.upper()
    assert [u.parent_id for u in page] == [None] * 4 and page.has_next()
