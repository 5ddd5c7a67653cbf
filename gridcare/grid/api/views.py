from rest_framework import viewsets

from gridcare.grid.filters import FeederFilterSet, TransformerAreaFilterSet
from gridcare.grid.selectors import areas_for, feeders_for, substations_for

from .serializers import FeederSerializer, SubstationSerializer, TransformerAreaSerializer


class SubstationViewSet(viewsets.ReadOnlyModelViewSet):
    permissions_by_action = {
        "list": "grid.view",
        "retrieve": "grid.view",
    }
    serializer_class = SubstationSerializer
    lookup_value_regex = "[0-9]+"  # integer ids: anything else is a 404, not a failed query

    def get_queryset(self):
        return substations_for(self.request.user).order_by("name")


class FeederViewSet(viewsets.ReadOnlyModelViewSet):
    permissions_by_action = {
        "list": "grid.view",
        "retrieve": "grid.view",
    }
    serializer_class = FeederSerializer
    filterset_class = FeederFilterSet
    lookup_field = "code"

    def get_queryset(self):
        return feeders_for(self.request.user).select_related("substation").order_by("code")


class TransformerAreaViewSet(viewsets.ReadOnlyModelViewSet):
    permissions_by_action = {
        "list": "grid.view",
        "retrieve": "grid.view",
    }
    serializer_class = TransformerAreaSerializer
    filterset_class = TransformerAreaFilterSet
    lookup_field = "code"

    def get_queryset(self):
        return areas_for(self.request.user).select_related("feeder", "station").order_by("code")
