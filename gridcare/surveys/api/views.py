"""REST endpoints of surveys: campaigns (list ?status=, detail with the CSI per supply
station, create a draft, send, close — each action takes an optional ``expected_version``:
stale is a 409) and the CSI per unit for a period (``/api/surveys/csi/?start=&end=&level=``)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcare.core.errors import ApplicationError
from gridcare.core.params import DATE_MIN, id_param
from gridcare.org.selectors import units_visible_to

from .. import selectors, services
from ..choices import CampaignStatus
from ..models import SurveyCampaign
from . import serializers as s

MAX_PERIOD_DAYS = 3660


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _units(user, per_unit: dict[str, dict]) -> list[dict]:
    names = selectors.unit_names(per_unit)
    return [{"unit_path": p, "unit_name": names.get(p, p), **f} for p, f in per_unit.items()]


@extend_schema_view(
    list=extend_schema(summary="满意度调查列表（?status=）"),
    retrieve=extend_schema(summary="满意度调查：答复情况、各供电所满意度指数、可执行的操作"),
)
class SurveyCampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Survey campaigns the caller may see (the campaign's unit within their scope)."""

    permissions_by_action = {
        "list": "surveys.view",
        "retrieve": "surveys.view",
        "create": "surveys.manage",
        "send": "surveys.manage",
        "close": "surveys.manage",
    }
    serializer_class = s.SurveyCampaignSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SurveyCampaign.objects.none()
        raw = self.request.query_params.get("status", "")
        return selectors.campaigns_for(self.request.user, status=raw if raw in CampaignStatus.values else "")

    def get_object(self) -> SurveyCampaign:
        campaign = selectors.campaign_get(self.request.user, id_param(self.kwargs.get("pk")))
        if campaign is None:
            raise Http404
        return campaign

    def _respond(self, campaign: SurveyCampaign, code: int = status.HTTP_200_OK) -> Response:
        current = selectors.campaign_get(self.request.user, campaign.pk)
        if current is None:  # pragma: no cover - a campaign does not leave its scope
            raise Http404
        overall, per_unit = selectors.campaign_csi(self.request.user, current)
        current.allowed_actions = selectors.allowed_actions(self.request.user, current)
        current.overall = overall
        current.units = _units(self.request.user, per_unit)
        return Response(s.SurveyCampaignDetailSerializer(current).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    @extend_schema(
        request=s.SurveyCampaignCreateSerializer,
        responses={201: s.SurveyCampaignDetailSerializer},
        summary="新建满意度调查（草稿）",
    )
    def create(self, request, *args, **kwargs):
        data = _input(s.SurveyCampaignCreateSerializer, request.data)
        unit = units_visible_to(request.user).filter(code=data.pop("unit")).first()
        if unit is None:
            raise ApplicationError(_("调查范围单位不存在或不在本单位范围内"), field="unit", code="unknown")
        campaign = services.campaign_create(actor=request.user, unit=unit, **data)
        return self._respond(campaign, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.VersionedSerializer,
        responses={200: s.SurveyCampaignDetailSerializer},
        summary="抽样并发送调查短信",
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        campaign = self.get_object()
        data = _input(s.VersionedSerializer, request.data)
        return self._respond(services.campaign_send(actor=request.user, campaign=campaign, **data))

    @extend_schema(
        request=s.VersionedSerializer, responses={200: s.SurveyCampaignDetailSerializer}, summary="结束调查"
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        campaign = self.get_object()
        data = _input(s.VersionedSerializer, request.data)
        return self._respond(services.campaign_close(actor=request.user, campaign=campaign, **data))


def _date(request, name: str, default: dt.date) -> dt.date:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return default
    try:
        day = dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise ApplicationError(_("日期格式为 YYYY-MM-DD"), field=name, code="invalid") from None
    if not DATE_MIN <= day <= timezone.localdate() + dt.timedelta(days=366):
        raise ApplicationError(_("日期超出范围"), field=name, code="out_of_range")
    return day


class SurveyCsiView(APIView):
    """The customer satisfaction index per unit for a period (``?start=&end=`` inclusive,
    default the last 90 days; ``?level=station|county|city``) — the pages' definition."""

    permissions_by_action = {"get": "surveys.view"}

    @extend_schema(
        operation_id="surveys_csi",
        parameters=[
            OpenApiParameter("start", str, required=False, description="YYYY-MM-DD"),
            OpenApiParameter("end", str, required=False, description="YYYY-MM-DD"),
            OpenApiParameter("level", str, required=False, description="station | county | city"),
        ],
        responses={200: s.CsiSerializer},
        summary="客户满意度指数（各单位，含 95% 置信区间）",
    )
    def get(self, request):
        end = _date(request, "end", timezone.localdate())
        start = _date(request, "start", end - dt.timedelta(days=89))
        if start > end:
            raise ApplicationError(_("开始日期不能晚于结束日期"), field="start", code="invalid")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ApplicationError(_("统计期最长十年"), field="start", code="out_of_range")
        level = request.query_params.get("level") or "station"
        if level not in ("station", "county", "city"):
            raise ApplicationError(_("汇总层级无效"), field="level", code="invalid")
        per_unit = selectors.csi_by_unit(request.user, start=start, end=end, level=level)
        return Response(
            {
                "start": start,
                "end": end,
                "level": level,
                "overall": selectors.csi_overall(request.user, start=start, end=end),
                "units": _units(request.user, per_unit),
            }
        )
