"""The one FilterSet of work-order lists, shared by the API and the UI."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.filters import BoundedDateTimeFilter
from gridcare.org.models import OrgUnit

from .choices import Channel, Dimension, Priority, RequestType, Status
from .models import WorkOrder


class WorkOrderFilterSet(django_filters.FilterSet):
    """Filters of every work-order list (API ``/api/work-orders/`` and the UI lists).

    Multiple-choice filters are on the order's own columns, so they cannot duplicate rows:
    ``distinct=False`` keeps django-filter's default ``SELECT DISTINCT`` away, which would
    sort every matching order (all columns) before the first page at a million orders.
    """

    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False, label=_("状态"))
    request_type = django_filters.MultipleChoiceFilter(
        choices=RequestType.choices, distinct=False, label=_("诉求类型")
    )
    dimension = django_filters.MultipleChoiceFilter(
        choices=Dimension.choices, distinct=False, label=_("分析维度")
    )
    channel = django_filters.MultipleChoiceFilter(
        choices=Channel.choices, distinct=False, label=_("受理渠道")
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("优先级"))
    unit = django_filters.CharFilter(method="filter_unit", label=_("责任单位编码（含下级）"))
    customer = django_filters.CharFilter(field_name="customer__customer_no", label=_("户号"))
    area = django_filters.CharFilter(field_name="area__code", label=_("台区编码"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已超时"))
    due_before = BoundedDateTimeFilter(field_name="due_at", lookup_expr="lt", label=_("时限早于"))
    created_after = BoundedDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("受理时间起"))
    created_before = BoundedDateTimeFilter(field_name="created_at", lookup_expr="lt", label=_("受理时间止"))
    q = django_filters.CharFilter(method="filter_q", label=_("工单号/电话"))

    class Meta:
        model = WorkOrder
        fields: list[str] = []

    def filter_unit(self, queryset, name, value):
        path = OrgUnit.objects.filter(code=value).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(unit_path__startswith=path)

    def filter_overdue(self, queryset, name, value):
        from .selectors import overdue_q

        now = timezone.now()
        return queryset.filter(overdue_q(now)) if value else queryset.exclude(overdue_q(now))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(order_no=value) | Q(contact_phone=value))
