from rest_framework import viewsets

from gridcare.org.filters import OrgUnitFilterSet
from gridcare.org.selectors import units_visible_to

from .serializers import OrgUnitSerializer


class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisation units the caller may see: their own unit and every unit below it."""

    permissions_by_action = {
        "list": "org.view",
        "retrieve": "org.view",
    }

    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilterSet
    lookup_field = "code"

    def get_queryset(self):
        return units_visible_to(self.request.user).select_related("parent").order_by("path")
