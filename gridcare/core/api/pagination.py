from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from gridcare.core.listing import ESTIMATE_ABOVE, EstimatedCountPaginator


class StandardPagination(PageNumberPagination):
    """Page-number pagination with a client-chosen page size (at most 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class LargeListPagination(StandardPagination):
    """Pagination of lists that reach millions of rows (work orders).

    The same shape as ``StandardPagination`` plus ``count_exact``: ``count`` is exact
    unless PostgreSQL's planner expects more than 20,000 results, then it is the planner's
    estimate, so no page view counts a million rows. ``next`` is exact either way; a page past the real
    end of an estimated list is empty rather than 404.
    """

    django_paginator_class = EstimatedCountPaginator

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": paginator.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["required"] = ["count", "count_exact", "results"]
        props = schema["properties"]
        props["count"]["description"] = (
            f"结果总数：结果较少时为精确值；数据库估计超过 {ESTIMATE_ABOVE} 条时为估计值"
            "（见 count_exact），是否有下一页以 next 为准。Total results: exact, unless the "
            f"database expects more than {ESTIMATE_ABOVE}: then an estimate."
        )
        props = {
            "count": props["count"],
            "count_exact": {
                "type": "boolean",
                "example": True,
                "description": "count 是否为精确值 / whether count is exact",
            },
            **{k: v for k, v in props.items() if k != "count"},
        }
        schema["properties"] = props
        return schema
