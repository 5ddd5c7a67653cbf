import django_filters
from django.db.models import Q

from .choices import AreaClass
from .models import Feeder, TransformerArea


class TransformerAreaFilterSet(django_filters.FilterSet):
    station = django_filters.CharFilter(field_name="station__code", label="供电所编码")
    feeder = django_filters.CharFilter(field_name="feeder__code", label="线路编码")
    area_class = django_filters.ChoiceFilter(choices=AreaClass.choices, label="区域类别")
    q = django_filters.CharFilter(method="search", label="台区名称或编码")

    class Meta:
        model = TransformerArea
        fields = ["station", "feeder", "area_class"]

    def search(self, qs, name, value):
        from gridcare.core.textutil import normalize_query

        value = normalize_query(value)
        return qs.filter(Q(name__contains=value) | Q(code__startswith=value))


class FeederFilterSet(django_filters.FilterSet):
    substation = django_filters.CharFilter(field_name="substation__name", label="变电站")
    q = django_filters.CharFilter(method="search", label="线路名称或编码")

    class Meta:
        model = Feeder
        fields = ["substation"]

    def search(self, qs, name, value):
        return qs.filter(Q(name__contains=value) | Q(code__startswith=value))
