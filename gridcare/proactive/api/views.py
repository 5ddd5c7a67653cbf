"""REST endpoints of proactive care: the care lists (meter facts), campaigns (create,
launch, record a field task, close, cancel) and potential-demand records (CRUD)."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridcare.core.errors import ApplicationError
from gridcare.grid.models import TransformerArea
from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit

from .. import selectors, services
from ..choices import CampaignStatus, CareList, DemandStatus
from ..models import Campaign, MeterFact, PotentialDemand
from ..rules import care_rules, list_q
from . import serializers as s


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


def _station(user, code):
    if not code:
        return None
    station = OrgUnit.objects.visible_to(user).filter(kind=UnitKind.STATION, code=code).first()
    if station is None:
        raise ApplicationError(_("供电所不存在或不在您的权限范围内"), field="station", code="not_found")
    return station


def _area(user, code):
    if not code:
        return None
    area = TransformerArea.objects.visible_to(user).filter(code=code).first()
    if area is None:
        raise ApplicationError(_("台区不存在或不在您的权限范围内"), field="area", code="not_found")
    return area


class MeterFactFilterSet(django_filters.FilterSet):
    care_list = django_filters.ChoiceFilter(
        choices=CareList.choices, method="filter_care_list", label=gettext_lazy("清单")
    )
    station = django_filters.CharFilter(
        field_name="customer__station__code", label=gettext_lazy("供电所编码")
    )
    area = django_filters.CharFilter(field_name="customer__area__code", label=gettext_lazy("台区编码"))
    customer_no = django_filters.CharFilter(field_name="customer__customer_no", label=gettext_lazy("户号"))

    class Meta:
        model = MeterFact
        fields = ["care_list", "station", "area", "customer_no"]

    def filter_care_list(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(list_q(value, care_rules(), timezone.localdate()))


@extend_schema_view(list=extend_schema(summary="电能表档案与主动服务清单（?care_list=rotation|old_box|any）"))
class MeterFactViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {"list": "proactive.view"}
    serializer_class = s.MeterFactSerializer
    filterset_class = MeterFactFilterSet

    def get_queryset(self):
        return (
            MeterFact.objects.visible_to(self.request.user)
            .select_related("customer", "customer__area", "customer__station")
            .order_by("installed_on", "id")
        )


class CampaignFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, label=gettext_lazy("状态"))

    class Meta:
        model = Campaign
        fields = ["status"]


@extend_schema_view(
    list=extend_schema(summary="主动服务活动列表"),
    retrieve=extend_schema(summary="主动服务活动：进度"),
)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Campaigns the caller may see. Actions take an optional ``expected_version``: a stale
    one answers 409 and nothing changes; an action the campaign's status does not allow is
    a 409 as well."""

    permissions_by_action = {
        "list": "proactive.view",
        "retrieve": "proactive.view",
        "targets": "proactive.view",
        "create": "proactive.manage_campaigns",
        "launch": "proactive.manage_campaigns",
        "close": "proactive.manage_campaigns",
        "cancel": "proactive.manage_campaigns",
        "record": "proactive.record_task",
    }
    serializer_class = s.CampaignSerializer
    filterset_class = CampaignFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return selectors.campaigns_for(self.request.user)

    def get_object(self) -> Campaign:
        campaign = selectors.campaign_get(self.request.user, self.kwargs["pk"])
        if campaign is None:
            raise Http404
        return campaign

    def _detail(self, campaign: Campaign, code=status.HTTP_200_OK) -> Response:
        campaign = selectors.campaign_get(self.request.user, campaign.pk)
        campaign.progress = selectors.campaign_progress(campaign)
        return Response(s.CampaignDetailSerializer(campaign).data, status=code)

    @extend_schema(responses=s.CampaignDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(
        request=s.CampaignCreateSerializer,
        responses={201: s.CampaignDetailSerializer},
        summary="发起活动（按当前规则冻结清单，待启动）",
    )
    def create(self, request, *args, **kwargs):
        data = _input(s.CampaignCreateSerializer, request.data)
        data["station"] = _station(request.user, data.get("station"))
        data["area"] = _area(request.user, data.get("area"))
        campaign = services.campaign_create(actor=request.user, **data)
        return self._detail(campaign, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProactiveVersionSerializer, responses=s.CampaignDetailSerializer, summary="启动活动"
    )
    @action(detail=True, methods=["post"])
    def launch(self, request, pk=None):
        data = _input(s.ProactiveVersionSerializer, request.data)
        return self._detail(services.campaign_launch(actor=request.user, campaign=self.get_object(), **data))

    @extend_schema(
        request=s.ProactiveVersionSerializer, responses=s.CampaignDetailSerializer, summary="结束活动"
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = _input(s.ProactiveVersionSerializer, request.data)
        return self._detail(services.campaign_close(actor=request.user, campaign=self.get_object(), **data))

    @extend_schema(
        request=s.CampaignCancelSerializer, responses=s.CampaignDetailSerializer, summary="取消活动"
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = _input(s.CampaignCancelSerializer, request.data)
        return self._detail(services.campaign_cancel(actor=request.user, campaign=self.get_object(), **data))

    @extend_schema(responses=s.CampaignTargetSerializer(many=True), summary="活动客户（分页）")
    @action(detail=True, methods=["get"])
    def targets(self, request, pk=None):
        qs = selectors.campaign_targets(
            request.user, self.get_object(), status=request.query_params.get("status", "")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.CampaignTargetSerializer(page, many=True).data)

    @extend_schema(
        request=s.TaskRecordSerializer, responses=s.CampaignTargetSerializer, summary="登记现场任务结果"
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        campaign = self.get_object()
        data = _input(s.TaskRecordSerializer, request.data)
        target = selectors.campaign_target_get(request.user, campaign, data["customer_no"])
        if target is None:
            raise ApplicationError(_("该客户不在本活动中"), field="customer_no", code="not_found")
        target = services.campaign_target_record(
            actor=request.user, target=target, outcome=data["outcome"], note=data["note"]
        )
        return Response(s.CampaignTargetSerializer(target).data)


class PotentialDemandFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DemandStatus.choices, label=gettext_lazy("状态"))
    station = django_filters.CharFilter(field_name="station__code", label=gettext_lazy("供电所编码"))

    class Meta:
        model = PotentialDemand
        fields = ["status", "station"]


@extend_schema_view(
    list=extend_schema(summary="潜在用电需求列表"),
    retrieve=extend_schema(summary="潜在用电需求"),
)
class PotentialDemandViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Potential-demand records of the stations the caller may see. Edits take an optional
    ``expected_version`` (409 when stale); a delete needs it (``?expected_version=``)."""

    permissions_by_action = {
        "list": "proactive.view_demand",
        "retrieve": "proactive.view_demand",
        "create": "proactive.manage_demand",
        "update": "proactive.manage_demand",
        "partial_update": "proactive.manage_demand",
        "destroy": "proactive.manage_demand",
    }
    serializer_class = s.PotentialDemandSerializer
    filterset_class = PotentialDemandFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PotentialDemand.objects.none()
        return selectors.demands_for(self.request.user)

    def get_object(self) -> PotentialDemand:
        demand = selectors.demand_get(self.request.user, self.kwargs["pk"])
        if demand is None:
            raise Http404
        return demand

    def _data(self, request, partial: bool) -> tuple[dict, int | None]:
        ser = s.PotentialDemandInputSerializer(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("expected_version", None)
        if "station" in data:
            data["station"] = _station(request.user, data["station"])
        if "area" in data:
            data["area"] = _area(request.user, data["area"])
        return data, version

    @extend_schema(request=s.PotentialDemandInputSerializer, responses={201: s.PotentialDemandSerializer})
    def create(self, request, *args, **kwargs):
        data, _version = self._data(request, partial=False)
        demand = services.demand_create(actor=request.user, data=data)
        return Response(s.PotentialDemandSerializer(demand).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PotentialDemandInputSerializer, responses=s.PotentialDemandSerializer)
    def update(self, request, *args, **kwargs):
        demand = self.get_object()
        data, version = self._data(request, partial=kwargs.get("partial", False))
        demand = services.demand_update(
            actor=request.user, demand=demand, data=data, expected_version=version
        )
        return Response(s.PotentialDemandSerializer(demand).data)

    @extend_schema(request=s.PotentialDemandInputSerializer, responses=s.PotentialDemandSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        from gridcare.core.params import id_param

        demand = self.get_object()
        version = id_param(
            request.query_params.get("expected_version") or request.data.get("expected_version")
        )
        services.demand_delete(actor=request.user, demand=demand, expected_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)
