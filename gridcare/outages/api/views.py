"""REST endpoints of outages: list, detail, announce, start, restore, cancel, and the caller
lookup of the IVR (is this customer out of power now?)."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridcare.core.errors import ApplicationError

from .. import overdue, selectors, services
from ..choices import ACTIVE_STATUSES, OutageKind, OutageStatus
from ..models import Outage
from . import serializers as s


class OutageFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OutageStatus.choices, label=gettext_lazy("状态"))
    kind = django_filters.ChoiceFilter(choices=OutageKind.choices, label=gettext_lazy("停电类型"))
    active = django_filters.BooleanFilter(
        method="filter_active", label=gettext_lazy("进行中（已公告或停电中）")
    )

    class Meta:
        model = Outage
        fields = ["status", "kind", "active"]

    def filter_active(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(status__in=ACTIVE_STATUSES) if value else qs.exclude(status__in=ACTIVE_STATUSES)


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _action_schema(serializer, summary: str):
    return extend_schema(request=serializer, responses={200: s.OutageDetailSerializer}, summary=summary)


LOOKUP_PARAMETERS = [
    OpenApiParameter("phone", OpenApiTypes.STR, description="来电号码（联系电话或备用电话）"),
    OpenApiParameter("customer_no", OpenApiTypes.STR, description="户号（优先于 phone）"),
]


@extend_schema_view(
    list=extend_schema(summary="停电事件列表（?status= ?kind= ?active=true）"),
    retrieve=extend_schema(summary="停电事件：台区及其恢复送电、停电客户数"),
)
class OutageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Outages the caller may see (the responsible station within their scope). Every
    action takes an optional ``expected_version``: when it is stale the answer is 409 and
    nothing changes; an action the outage's status does not allow is a 409 as well."""

    permissions_by_action = {
        "list": "outages.view",
        "retrieve": "outages.view",
        "lookup": "outages.view",
        "create": "outages.manage",
        "start": "outages.manage",
        "restore": "outages.manage",
        "cancel": "outages.manage",
        "isolate": "outages.manage",
    }
    filterset_class = OutageFilterSet
    lookup_field = "outage_no"
    lookup_value_regex = "[^/]+"
    serializer_class = s.OutageSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Outage.objects.none()
        return selectors.outages_for(self.request.user)

    def get_serializer_class(self):
        return s.OutageDetailSerializer if self.action == "retrieve" else s.OutageSerializer

    def get_object(self) -> Outage:
        outage = selectors.outage_get(self.request.user, self.kwargs["outage_no"])
        if outage is None:
            raise Http404
        return outage

    def _respond(self, outage: Outage, code: int = status.HTTP_200_OK) -> Response:
        current = selectors.outage_get(self.request.user, outage.outage_no)
        if current is None:  # pragma: no cover - an outage does not leave its scope
            raise Http404
        return Response(s.OutageDetailSerializer(self._detail(current)).data, status=code)

    @staticmethod
    def _detail(outage: Outage) -> Outage:
        outage.area_rows = selectors.outage_area_rows(outage)
        overdue.attach_restoration_state([outage])
        outage.warning_rows = list(overdue.outage_warnings(outage))
        return outage

    def retrieve(self, request, *args, **kwargs):
        return Response(s.OutageDetailSerializer(self._detail(self.get_object())).data)

    @extend_schema(
        request=s.OutageCreateSerializer, responses={201: s.OutageDetailSerializer}, summary="发布停电事件"
    )
    def create(self, request, *args, **kwargs):
        data = _input(s.OutageCreateSerializer, request.data)
        outage = services.outage_create(actor=request.user, **data)
        return self._respond(outage, status.HTTP_201_CREATED)

    @_action_schema(s.OutageStartSerializer, "开始停电（冻结停电客户）")
    @action(detail=True, methods=["post"])
    def start(self, request, outage_no=None):
        outage = self.get_object()
        data = _input(s.OutageStartSerializer, request.data)
        outage = services.outage_start(actor=request.user, outage=outage, **data)
        return self._respond(outage)

    @_action_schema(s.OutageRestoreSerializer, "恢复送电（全部或部分台区）")
    @action(detail=True, methods=["post"])
    def restore(self, request, outage_no=None):
        outage = self.get_object()
        data = _input(s.OutageRestoreSerializer, request.data)
        outage = services.outage_restore(actor=request.user, outage=outage, **data)
        return self._respond(outage)

    @_action_schema(s.OutageIsolateSerializer, "记录故障隔离时间（停电开始后、恢复送电前；可更正）")
    @action(detail=True, methods=["post"])
    def isolate(self, request, outage_no=None):
        outage = self.get_object()
        data = _input(s.OutageIsolateSerializer, request.data)
        outage = services.outage_isolate(actor=request.user, outage=outage, **data)
        return self._respond(outage)

    @_action_schema(s.OutageCancelSerializer, "取消停电")
    @action(detail=True, methods=["post"])
    def cancel(self, request, outage_no=None):
        outage = self.get_object()
        data = _input(s.OutageCancelSerializer, request.data)
        outage = services.outage_cancel(actor=request.user, outage=outage, **data)
        return self._respond(outage)

    @extend_schema(
        parameters=LOOKUP_PARAMETERS,
        responses={200: s.LookupSerializer},
        summary="来电查询：客户所在台区是否停电（IVR）",
        description="按户号或来电号码找到客户，回答其台区是否正在停电（尚未恢复送电），或今天计划停电。"
        "找不到客户时 customer_found 为 false。",
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def lookup(self, request):
        customer_no = (request.query_params.get("customer_no") or "").strip()
        phone = (request.query_params.get("phone") or "").strip()
        if not customer_no and not phone:
            raise ApplicationError(_("请提供来电号码或户号"), field="phone", code="required")
        if len(customer_no) > 32 or len(phone) > 32:
            field = "customer_no" if len(customer_no) > 32 else "phone"
            raise ApplicationError(_("号码过长"), field=field, code="too_long")
        found, outage = selectors.caller_outage(request.user, phone=phone, customer_no=customer_no)
        body = {"customer_found": found, "in_outage": outage is not None, "outage": None}
        if outage is not None:
            body["outage"] = {
                "outage_no": outage.outage_no,
                "kind": outage.kind,
                "kind_label": outage.get_kind_display(),
                "status": outage.status,
                "started_at": outage.started_at,
                "estimated_restoration": outage.estimated_restoration,
                "cause": outage.cause,
                "planned_start": outage.planned_start,
                "planned_end": outage.planned_end,
            }
        return Response(s.LookupSerializer(body).data)
