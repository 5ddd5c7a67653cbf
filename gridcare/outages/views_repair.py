"""Crew times against commitments (抢修时效): a read-only page over ``repair_times``."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.core.authz import requires

from . import repair_times


class RepairTimesForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("受理月份"), max_length=7, required=False)
    group = forms.ChoiceField(
        label=gettext_lazy("分组"), choices=list(repair_times.GROUPS.items()), required=False
    )

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            parsed = dt.datetime.strptime(value, "%Y-%m")
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM")) from None
        return dt.date(parsed.year, parsed.month, 1)


@requires("outages.view")
def repair_times_page(request):
    """Fault-repair times and time-limit compliance for one month (``?month=YYYY-MM&group=``)."""
    default_month = repair_times.current_month()
    form = RepairTimesForm(
        request.GET or None,
        initial={"month": default_month.strftime("%Y-%m"), "group": repair_times.DEFAULT_GROUP},
    )
    month, group, data = default_month, repair_times.DEFAULT_GROUP, None
    valid = not form.is_bound or form.is_valid()
    if form.is_bound and valid:
        month = form.cleaned_data["month"] or default_month
        group = form.cleaned_data["group"] or repair_times.DEFAULT_GROUP
    if valid:
        data = repair_times.repair_times(request.user, month=month, group=group)
    ctx = {
        "form": form,
        "month": month,
        "group_label": repair_times.GROUPS[group],
        "data": data,
    }
    return render(request, "outages/repair_times.html", ctx)
