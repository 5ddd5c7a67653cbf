"""The list-page helper every app uses: FilterSet + scoped queryset + pagination."""

from django.core.paginator import Paginator


def paginate(request, qs, per_page: int = 50) -> dict:
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
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
