"""REST endpoints of the evaluation: the scorecard (``?level=hall|unit|staff&period=2026-Q3``
or ``2026-07``) and the expert assessments (list ``?period=``, retrieve, create, update with
``expected_version`` — stale: 409 — and delete)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcare.core.errors import ApplicationError
from gridcare.core.params import id_param
from gridcare.org.selectors import units_visible_to

from .. import selectors, services
from ..choices import Level
from ..models import ExpertAssessment
from ..scoring import parse_period
from . import serializers as s


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


class ScorecardView(APIView):
    """The three-party scorecard of what the caller may see."""

    permissions_by_action = {"get": "evaluation.view"}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "level", OpenApiTypes.STR, enum=list(Level.values), description="营业厅/单位/员工"
            ),
            OpenApiParameter("period", OpenApiTypes.STR, description="YYYY-Qn 或 YYYY-MM（默认本季度）"),
        ],
        responses={200: s.ScorecardSerializer},
        summary="三方评价记分卡",
    )
    def get(self, request):
        level = request.query_params.get("level", Level.HALL)
        if level not in Level.values:
            raise ApplicationError(_("层级无效"), field="level", code="invalid")
        raw = request.query_params.get("period", "")
        period = parse_period(raw) if raw else selectors.default_period()
        if period is None:
            raise ApplicationError(_("期间格式应为 YYYY-Qn 或 YYYY-MM"), field="period", code="invalid")
        data = selectors.scorecard(request.user, level=level, period=period)
        return Response(s.ScorecardSerializer(data).data)


@extend_schema_view(
    list=extend_schema(
        summary="专家评价列表（?period=YYYY-MM 或 YYYY-Qn）",
        parameters=[OpenApiParameter("period", OpenApiTypes.STR, description="YYYY-MM 或 YYYY-Qn")],
    ),
    retrieve=extend_schema(summary="专家评价"),
    destroy=extend_schema(
        summary="删除专家评价",
        parameters=[
            OpenApiParameter("expected_version", OpenApiTypes.INT, description="打开时的版本（过期则 409）")
        ],
    ),
)
class ExpertAssessmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Expert assessments of halls and units within the caller's scope."""

    permissions_by_action = {
        "list": "evaluation.view",
        "retrieve": "evaluation.view",
        "create": "evaluation.assess",
        "update": "evaluation.assess",
        "partial_update": "evaluation.assess",
        "destroy": "evaluation.assess",
    }
    serializer_class = s.ExpertAssessmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ExpertAssessment.objects.none()
        raw = self.request.query_params.get("period", "")
        period = parse_period(raw) if raw else None
        if raw and period is None:
            raise ApplicationError(_("期间格式应为 YYYY-Qn 或 YYYY-MM"), field="period", code="invalid")
        return selectors.assessments_for(self.request.user, period=period)

    def get_object(self) -> ExpertAssessment:
        row = selectors.assessment_get(self.request.user, id_param(self.kwargs.get("pk")))
        if row is None:
            raise Http404
        return row

    def _respond(self, row, code=status.HTTP_200_OK) -> Response:
        return Response(
            s.ExpertAssessmentSerializer(selectors.assessment_get(self.request.user, row.pk)).data,
            status=code,
        )

    @extend_schema(
        request=s.AssessmentCreateSerializer,
        responses={201: s.ExpertAssessmentSerializer},
        summary="登记专家评价",
    )
    def create(self, request, *args, **kwargs):
        data = _input(s.AssessmentCreateSerializer, request.data)
        unit = None
        if data.get("unit"):
            unit = units_visible_to(request.user).filter(code=data["unit"]).first()
            if unit is None:
                raise ApplicationError(_("单位不存在或不在本单位范围内"), field="unit", code="unknown")
        row = services.assessment_save(
            actor=request.user,
            scores=data["scores"],
            period=parse_period(data["period"]).start,
            hall=data.get("hall"),
            unit=unit,
            expert=data.get("expert"),
            note=data.get("note", ""),
        )
        return self._respond(row, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.AssessmentUpdateSerializer,
        responses={200: s.ExpertAssessmentSerializer},
        summary="修改专家评价",
    )
    def update(self, request, *args, **kwargs):
        row = self.get_object()
        data = _input(s.AssessmentUpdateSerializer, request.data)
        row = services.assessment_save(
            actor=request.user,
            assessment=row,
            scores=data["scores"],
            note=data.get("note", row.note),
            expected_version=data.get("expected_version"),
        )
        return self._respond(row)

    @extend_schema(
        request=s.AssessmentUpdateSerializer,
        responses={200: s.ExpertAssessmentSerializer},
        summary="修改专家评价",
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        row = self.get_object()
        services.assessment_delete(
            actor=request.user,
            assessment=row,
            expected_version=id_param(request.query_params.get("expected_version")),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
