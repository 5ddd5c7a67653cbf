"""The list-page helper every app uses: FilterSet + scoped queryset + pagination."""

import json

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Lists count exactly up to this many rows at no cost; above it, when PostgreSQL's planner
# expects more than ESTIMATE_ABOVE rows, the count is its estimate.
EXACT_COUNT_LIMIT = 1000
ESTIMATE_ABOVE = 20_000
# No list is paged this deep; a larger page number is an empty page, not a huge OFFSET.
MAX_PAGE = 1_000_000


def estimated_row_count(qs: QuerySet) -> int | None:
    """The planner's estimate of how many rows ``qs`` matches (PostgreSQL), else None.

    ``EXPLAIN`` plans without running the query, so this costs about a millisecond
    whatever the table size; the figure comes from the statistics ``ANALYZE`` keeps.
    """
    if connections[qs.db].vendor != "postgresql":
        return None
    plan = json.loads(qs.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


DEFERRED_JOIN_FROM = 200  # rows skipped before a page reads ids first (see EstimatedCountPaginator._rows)


class EstimatedCountPaginator(Paginator):
    """A paginator that never counts a large result exactly.

    ``COUNT(*)`` over a million scoped orders reads every matching row (hundreds of ms)
    on every page view. Here the count first reads at most ``exact_limit + 1`` rows: at or
    under the limit that is the count. Above it, on PostgreSQL, the planner estimates the
    result: over ``estimate_above`` rows the estimate is the count (``count_exact`` False);
    otherwise (a mid-sized result, or stale statistics, or another database) the count is
    exact. When the count is an estimate, page numbers past it are allowed (an empty page
    at the end) and ``has_next`` comes from fetching one row more than a page.
    """

    exact_limit = EXACT_COUNT_LIMIT
    estimate_above = ESTIMATE_ABOVE

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        qs = self.object_list
        if not isinstance(qs, QuerySet):
            return super().count, True
        head = qs.order_by().values("pk")[: self.exact_limit + 1].count()
        if head <= self.exact_limit:
            return head, True
        estimate = estimated_row_count(qs)
        if estimate is None or estimate <= self.estimate_above:
            return qs.count(), True
        return estimate, False

    @property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_exact(self) -> bool:
        return self._counted[1]

    def validate_number(self, number):
        if self.count_exact:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer")
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number > MAX_PAGE:  # an offset no database takes (?page=99999999999999999999)
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.count_exact:
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            return self._get_page(self._rows(bottom, top), number, self)
        rows = self._rows(bottom, bottom + self.per_page + 1)
        return EstimatedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def _rows(self, bottom: int, top: int) -> list:
        """The rows of ``[bottom, top)``. Past the first pages, a deferred join: the page's
        ids first (the ordering index walks past the skipped rows without joining anything
        to them), then those rows with their relations — instead of joining every skipped
        row to customer, area and unit only to throw it away."""
        qs = self.object_list
        if bottom < DEFERRED_JOIN_FROM or not isinstance(qs, QuerySet):
            return list(qs[bottom:top])
        ids = list(qs.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in qs.order_by().filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]


class EstimatedPage(Page):
    """A page of an estimated count: whether a next page exists is known, not computed."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


def paginate(request, qs, per_page: int = 50) -> dict:
    page = EstimatedCountPaginator(qs, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "page_obj": page,
        "paginator": page.paginator,
        "querystring_without_page": (params.urlencode() + "&") if params else "",
    }


def export_response(fmt: str, kind: str, headers, rows):
    from django.http import HttpResponse
    from django.utils import timezone

    from .exporting import render_table

    data = render_table(fmt, headers, rows)
    ctype = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{kind}-{timezone.localdate():%Y%m%d}.{fmt}"'
    return resp
