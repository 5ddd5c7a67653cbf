"""The frequent-outage customers page (频繁停电): customers with more than N interruptions in
the last M months (``frequent``), scoped, paged, sortable, with a CSV export."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.core.authz import requires
from gridcare.core.listing import export_response

from . import frequent

PER_PAGE = 50
EXPORT_MAX_ROWS = 5000

SORT_LABELS = {
    "count": gettext_lazy("停电次数"),
    "minutes": gettext_lazy("停电总时长"),
    "last": gettext_lazy("最近停电时间"),
    "customer": gettext_lazy("户号"),
}


class FrequentForm(forms.Form):
    min_count = forms.IntegerField(
        label=gettext_lazy("停电次数超过"),
        min_value=frequent.MIN_COUNT_RANGE[0],
        max_value=frequent.MIN_COUNT_RANGE[1],
    )
    months = forms.IntegerField(
        label=gettext_lazy("统计月数（近几个月）"),
        min_value=frequent.MONTHS_RANGE[0],
        max_value=frequent.MONTHS_RANGE[1],
    )
    sort = forms.ChoiceField(label=gettext_lazy("排序"), choices=list(SORT_LABELS.items()), required=False)

    @staticmethod
    def defaults() -> dict:
        """The rule as set on the settings pages (``OutageSetting``); the form overrides it per view."""
        min_count, months = frequent.frequent_thresholds()
        return {"min_count": min_count, "months": months, "sort": "count"}


def _row(r: dict) -> dict:
    return {**r, "minutes": round(frequent.minutes_of(r["total_duration"]))}


@requires("outages.view")
def frequent_page(request):
    """Customers with frequent interruptions (``?min_count=&months=&sort=``; ``format=csv``)."""
    bound = "min_count" in request.GET or "months" in request.GET
    defaults = FrequentForm.defaults()
    form = FrequentForm(request.GET if bound else None, initial=defaults)
    valid = not bound or form.is_valid()
    params = {
        **defaults,
        **({k: v for k, v in form.cleaned_data.items() if v} if bound and valid else {}),
    }
    now = timezone.now()
    rows = (
        frequent.frequent_customers(
            request.user,
            min_count=params["min_count"],
            months=params["months"],
            order=params["sort"],
            now=now,
        )
        if valid
        else None
    )
    if rows is not None and request.GET.get("format") == "csv":
        headers = [
            _("户号"),
            _("户名"),
            _("台区编号"),
            _("台区"),
            _("供电所"),
            _("停电次数"),
            _("停电总时长（分钟）"),
            _("最近停电时间"),
        ]
        out = []
        for r in rows[:EXPORT_MAX_ROWS]:
            r = _row(r)
            out.append(
                [
                    r["customer__customer_no"],
                    r["customer__name"],
                    r["customer__area__code"],
                    r["customer__area__name"],
                    r["customer__station__name"],
                    r["interruptions"],
                    r["minutes"],
                    timezone.localtime(r["last_started"]).strftime("%Y-%m-%d %H:%M"),
                ]
            )
        return export_response("csv", "frequent-outages", headers, out)
    ctx = {
        "form": form,
        "params": params,
        "since": frequent.months_ago(now, params["months"]),
        "page_obj": None,
    }
    if rows is not None:
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = [_row(r) for r in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        ctx.update(
            {
                "page_obj": page,
                "paginator": page.paginator,
                "querystring_without_page": (query.urlencode() + "&") if query else "",
                "export_query": query.urlencode(),
            }
        )
    return render(request, "outages/frequent.html", ctx)
