import django_filters

from .choices import UnitKind
from .models import OrgUnit


class OrgUnitFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices)
    parent = django_filters.CharFilter(field_name="parent__code", label="上级单位编码")
    q = django_filters.CharFilter(method="search", label="名称或编码")

    class Meta:
        model = OrgUnit
        fields = ["kind", "parent"]

    def search(self, qs, name, value):
        from django.db.models import Q

        return qs.filter(Q(name__contains=value) | Q(code__startswith=value))
