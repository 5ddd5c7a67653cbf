"""REST endpoints of inspections: sites, inspections (list ?quarter= ?site_kind= ?kind=
?status= ?passed=, detail with results and files, record one as JSON, publish), the
quarter rule (coverage of the last four quarters) and the quarter's figures."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcare.core.params import id_param

from .. import selectors, services
from ..choices import InspectionKind, InspectionStatus, SiteKind
from ..models import Inspection, InspectionSite
from . import serializers as s

QUARTER = OpenApiParameter("quarter", str, description="季度，如 2026-Q3（默认本季度）")


def _quarter(request) -> selectors.Quarter:
    return selectors.Quarter.parse(request.query_params.get("quarter", "")) or selectors.current_quarter()


class InspectionSiteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sites the caller may see (their units and below)."""

    permissions_by_action = {"list": "inspections.view", "retrieve": "inspections.view"}
    serializer_class = s.InspectionSiteSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InspectionSite.objects.none()
        return selectors.sites_for(self.request.user, active=None)

    def get_object(self):
        site = self.get_queryset().filter(pk=id_param(self.kwargs.get("pk"))).first()
        if site is None:
            raise Http404
        return site


@extend_schema_view(
    list=extend_schema(
        summary="明查暗访记录（?quarter= ?site_kind= ?kind= ?status= ?passed=）", parameters=[QUARTER]
    ),
    retrieve=extend_schema(summary="一次检查：检查项结果、附件"),
)
class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": "inspections.view",
        "retrieve": "inspections.view",
        "create": "inspections.record",
        "publish": "inspections.publish",
    }
    serializer_class = s.InspectionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Inspection.objects.none()
        q = self.request.query_params
        passed = {"true": True, "1": True, "false": False, "0": False}.get(q.get("passed", "").lower())
        return selectors.inspections_for(
            self.request.user,
            site_kind=q.get("site_kind", "") if q.get("site_kind") in SiteKind.values else "",
            kind=q.get("kind", "") if q.get("kind") in InspectionKind.values else "",
            status=q.get("status", "") if q.get("status") in InspectionStatus.values else "",
            passed=passed,
            quarter=selectors.Quarter.parse(q.get("quarter", "")),
        )

    def get_object(self) -> Inspection:
        inspection = selectors.inspection_get(self.request.user, id_param(self.kwargs.get("pk")))
        if inspection is None:
            raise Http404
        return inspection

    def _detail(self, pk: int) -> Response:
        inspection = selectors.inspection_get(self.request.user, pk)
        inspection.result_rows = selectors.inspection_results(inspection)
        inspection.file_rows = selectors.inspection_files(inspection)
        return s.InspectionDetailSerializer(inspection).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object().pk))

    @extend_schema(
        request=s.InspectionCreateSerializer,
        responses={201: s.InspectionDetailSerializer},
        summary="登记一次检查（每个启用的检查项一个结果；不合格项自动登记整改）",
    )
    def create(self, request, *args, **kwargs):
        ser = s.InspectionCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        results = {}
        for row in data["results"]:
            results[row["item"]] = {"passed": row["passed"], "note": row["note"]}
        inspection = services.inspection_record(
            actor=request.user,
            site=data["site"],
            kind=data["kind"],
            checklist=data["checklist"],
            at=data["at"],
            results=results,
            findings=data["findings"],
        )
        return Response(self._detail(inspection.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.VersionSerializer, responses={200: s.InspectionDetailSerializer}, summary="公布检查结果"
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        inspection = self.get_object()
        ser = s.VersionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.inspection_publish(
            actor=request.user, inspection=inspection, expected_version=ser.validated_data["expected_version"]
        )
        return Response(self._detail(inspection.pk))


class InspectionCoverageView(APIView):
    """The quarter rule: each active site's inspections in each of the last four quarters
    and whether it is missing its due number; with the given quarter's figures."""

    permissions_by_action = {"get": "inspections.view"}

    @extend_schema(
        parameters=[QUARTER], responses={200: dict}, summary="季度覆盖（每季度至少检查一次）与季度检查指标"
    )
    def get(self, request):
        quarter = _quarter(request)
        rows = selectors.coverage(request.user, selectors.last_quarters(today=quarter.start))
        figures = selectors.quarter_figures(request.user, quarter)
        figures["quarter"] = str(quarter)
        return Response(
            {
                "figures": figures,
                "sites": [
                    {
                        "site": r["site"].pk,
                        "name": r["site"].name,
                        "kind": r["site"].kind,
                        "unit": r["site"].unit.code,
                        "per_quarter": r["site"].per_quarter,
                        "quarters": [
                            {"quarter": str(c["quarter"]), "count": c["count"], "missing": c["missing"]}
                            for c in r["cells"]
                        ],
                    }
                    for r in rows
                ],
            }
        )
