"""The one FilterSet of the callback worklist, shared by the workbench page and the API."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.calendar import local_tz
from gridcare.core.textutil import normalize_query
from gridcare.org.models import OrgUnit
from gridcare.workorders.choices import RequestType

from .choices import CallbackKind
from .models import CallbackTask

SEARCH_MAX = 64  # what a search box takes: an order number, a phone, a name


class CallbackDue:
    """The worklist's deadline filter: all (blank), due by the end of today (overdue ones
    included: what must be done today), or already overdue."""

    TODAY = "today"
    OVERDUE = "overdue"
    CHOICES = [(TODAY, _("今天内到期（含已超时）")), (OVERDUE, _("已超时"))]


def callback_search_q(query: str) -> Q | None:
    """Order number (``GD…``, from its start), customer number, phone (exact, or the last 4–8
    digits) or name (contact's or customer's, any part) — one box, like the caller lookup.

    Written over the callback's own joins: the pending worklist is small, so no customer
    scan is needed whatever the table size."""
    text = normalize_query(query)[:SEARCH_MAX]
    if not text:
        return None
    spaced = text.replace(" ", "")
    compact = spaced.replace("-", "")
    if compact[:2].upper() == "GD" and compact.isascii():
        return Q(order__order_no__startswith=compact.upper())
    if compact.isascii() and compact.isdigit():
        cond = Q(order__customer__customer_no=compact)
        for form in {compact, spaced}:  # phones are stored as typed: "0514-82673101" or "051482673101"
            cond |= (
                Q(order__contact_phone=form)
                | Q(order__customer__phone=form)
                | Q(order__customer__phone2=form)
            )
        if 4 <= len(compact) <= 8:  # "the last four digits of the number"
            cond |= Q(order__contact_phone__endswith=compact) | Q(order__customer__phone__endswith=compact)
        return cond
    cond = Q()
    for term in text.split(" "):
        cond &= Q(order__contact_name__contains=term) | Q(order__customer__name__contains=term)
    return cond


class CallbackTaskFilterSet(django_filters.FilterSet):
    """Filters of the callback worklist (the workbench and ``/api/callback-tasks/``)."""

    q = django_filters.CharFilter(
        method="filter_q", label=_("工单号 / 户号 / 电话 / 姓名"), max_length=SEARCH_MAX
    )
    due = django_filters.ChoiceFilter(choices=CallbackDue.CHOICES, method="filter_due", label=_("回访时限"))
    request_type = django_filters.ChoiceFilter(
        field_name="order__request_type", choices=RequestType.choices, label=_("诉求类型")
    )
    kind = django_filters.ChoiceFilter(choices=CallbackKind.choices, label=_("回访类型"))
    unit = django_filters.CharFilter(method="filter_unit", label=_("责任单位编码（含下级）"), max_length=32)

    class Meta:
        model = CallbackTask
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        cond = callback_search_q(value)
        return queryset if cond is None else queryset.filter(cond)

    def filter_due(self, queryset, name, value):
        now = timezone.now()
        if value == CallbackDue.OVERDUE:
            return queryset.filter(due_at__lt=now)
        if value == CallbackDue.TODAY:
            tomorrow = timezone.localtime(now, local_tz()).date() + dt.timedelta(days=1)
            return queryset.filter(due_at__lt=dt.datetime.combine(tomorrow, dt.time.min, tzinfo=local_tz()))
        return queryset

    def filter_unit(self, queryset, name, value):
        path = OrgUnit.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(unit_path__startswith=path)
