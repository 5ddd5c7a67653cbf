import django_filters

from .choices import CustomerCategory
from .models import Customer
from .selectors import customer_search_q


class CustomerFilterSet(django_filters.FilterSet):
    """One filter set for the customer list page and /api/customers/."""

    q = django_filters.CharFilter(method="search", label="户号/电话/户名/地址")
    area = django_filters.CharFilter(field_name="area__code", label="台区编码")
    station = django_filters.CharFilter(field_name="station__code", label="供电所编码")
    category = django_filters.ChoiceFilter(choices=CustomerCategory.choices, label="用户类别")
    important = django_filters.BooleanFilter(label="重要客户")
    sensitive = django_filters.BooleanFilter(label="敏感客户")

    class Meta:
        model = Customer
        fields = ["area", "station", "category", "important", "sensitive"]

    def search(self, qs, name, value):
        cond = customer_search_q(value)
        return qs if cond is None else qs.filter(cond)
