import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CustomerCategory
from .models import Customer
from .selectors import customer_search_q

YES_NO_ALL = forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])


class CustomerFilterSet(django_filters.FilterSet):
    """One filter set for the customer list page and /api/customers/."""

    q = django_filters.CharFilter(method="search", label="户号/电话/户名/地址")
    area = django_filters.CharFilter(field_name="area__code", label="台区编码")
    station = django_filters.CharFilter(field_name="station__code", label="供电所编码")
    category = django_filters.ChoiceFilter(choices=CustomerCategory.choices, label="用户类别")
    important = django_filters.BooleanFilter(label="重要客户", widget=YES_NO_ALL)
    sensitive = django_filters.BooleanFilter(label="敏感客户", widget=YES_NO_ALL)

    class Meta:
        model = Customer
        fields = ["area", "station", "category", "important", "sensitive"]

    def search(self, qs, name, value):
        cond = customer_search_q(value)
        return qs if cond is None else qs.filter(cond)
