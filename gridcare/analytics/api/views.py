"""Read-only API: hotspots and published analysis reports."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcare.workorders.choices import Dimension

from ..access import reports_for
from ..hotspots import LEVELS
from ..planning import planning_rows
from ..views import cached_hotspots, hotspot_params
from .serializers import HotspotSerializer, PublishedReportListSerializer, PublishedReportSerializer


class HotspotListView(APIView):
    """Significant complaint/fault hotspots in the caller's scope, ranked by q-value."""

    permissions_by_action = {"get": "analytics.view_insight"}

    @extend_schema(
        operation_id="hotspots_list",
        parameters=[
            OpenApiParameter(
                "level", OpenApiTypes.STR, enum=list(LEVELS), description="area | feeder | station"
            ),
            OpenApiParameter("days", OpenApiTypes.INT, description="window length in days (default 90)"),
            OpenApiParameter("dimension", OpenApiTypes.STR, enum=list(Dimension.values)),
        ],
        responses=HotspotSerializer(many=True),
    )
    def get(self, request):
        run = cached_hotspots(request.user, **hotspot_params(request))
        return Response(HotspotSerializer(planning_rows(run), many=True).data)


class PublishedReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Published weekly/monthly analysis reports; the detail carries the full figure set."""

    permissions_by_action = {"list": "analytics.view_reports", "retrieve": "analytics.view_reports"}
    filterset_fields = ["kind", "period"]
    lookup_value_regex = "[0-9]+"  # integer ids: anything else is a 404, not a failed query

    def get_queryset(self):
        qs = reports_for(self.request.user)
        return qs.defer("data") if self.action == "list" else qs

    def get_serializer_class(self):
        return PublishedReportListSerializer if self.action == "list" else PublishedReportSerializer
