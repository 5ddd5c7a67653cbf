"""REST endpoints of data quality: the findings (list, one, assign, bulk assign, resolve,
dismiss) and the runs of the checks (list, run now)."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridcare.core.errors import ApplicationError

from .. import selectors, services
from ..choices import ACTIVE_STATUSES, CheckCode, FindingStatus, RunTrigger
from ..models import CheckRun, Finding
from . import serializers as s


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


def _user(pk: int):
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        raise ApplicationError(_("处理人不存在"), field="assignee", code="not_found")
    return user


class FindingFilterSet(django_filters.FilterSet):
    code = django_filters.ChoiceFilter(choices=CheckCode.choices, label=gettext_lazy("检查项"))
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices, label=gettext_lazy("状态"))
    active = django_filters.BooleanFilter(
        method="filter_active", label=gettext_lazy("未关闭（待处理或已分派）")
    )
    station = django_filters.CharFilter(field_name="station__code", label=gettext_lazy("供电所编码"))
    customer_no = django_filters.CharFilter(field_name="customer__customer_no", label=gettext_lazy("户号"))

    class Meta:
        model = Finding
        fields = ["code", "status", "active", "station", "customer_no"]

    def filter_active(self, qs, name, value):
        if value is None:
            return qs
        statuses = list(ACTIVE_STATUSES)
        return qs.filter(status__in=statuses) if value else qs.exclude(status__in=statuses)


@extend_schema_view(
    list=extend_schema(summary="数据质量问题列表（?code= ?status= ?active=true ?station=）"),
    retrieve=extend_schema(summary="数据质量问题"),
)
class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Findings of the stations the caller may see. Actions take an optional
    ``expected_version`` (409 when stale); a transition the status does not allow is 409."""

    permissions_by_action = {
        "list": "dataquality.view",
        "retrieve": "dataquality.view",
        "assign": "dataquality.assign",
        "bulk_assign": "dataquality.assign",
        "resolve": "dataquality.work",
        "dismiss": "dataquality.work",
    }
    serializer_class = s.FindingSerializer
    filterset_class = FindingFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Finding.objects.none()
        return selectors.findings_for(self.request.user, status=selectors.STATUS_ALL)

    def get_object(self) -> Finding:
        finding = selectors.finding_get(self.request.user, self.kwargs["pk"])
        if finding is None:
            raise Http404
        return finding

    def _respond(self, finding: Finding) -> Response:
        return Response(s.FindingSerializer(selectors.finding_get(self.request.user, finding.pk)).data)

    @extend_schema(request=s.AssignSerializer, responses=s.FindingSerializer, summary="分派")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        finding = self.get_object()
        data = _input(s.AssignSerializer, request.data)
        return self._respond(
            services.finding_assign(
                actor=request.user,
                finding=finding,
                assignee=_user(data["assignee"]),
                expected_version=data.get("expected_version"),
            )
        )

    @extend_schema(request=s.BulkAssignSerializer, responses=s.BulkAssignResultSerializer, summary="批量分派")
    @action(detail=False, methods=["post"], url_path="bulk-assign")
    def bulk_assign(self, request):
        data = _input(s.BulkAssignSerializer, request.data)
        result = services.findings_assign_bulk(
            actor=request.user, ids=data["ids"], assignee=_user(data["assignee"])
        )
        return Response(result)

    @extend_schema(request=s.CloseSerializer, responses=s.FindingSerializer, summary="标记为已解决")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        finding = self.get_object()
        data = _input(s.CloseSerializer, request.data)
        return self._respond(services.finding_resolve(actor=request.user, finding=finding, **data))

    @extend_schema(request=s.CloseSerializer, responses=s.FindingSerializer, summary="忽略（须说明原因）")
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        finding = self.get_object()
        data = _input(s.CloseSerializer, request.data)
        return self._respond(services.finding_dismiss(actor=request.user, finding=finding, **data))


@extend_schema_view(list=extend_schema(summary="数据质量检查运行记录"))
class CheckRunViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {"list": "dataquality.view", "create": "dataquality.run"}
    serializer_class = s.CheckRunSerializer

    def get_queryset(self):
        return CheckRun.objects.order_by("-started_at", "-id")

    @extend_schema(request=None, responses={201: s.CheckRunSerializer}, summary="立即运行检查")
    def create(self, request, *args, **kwargs):
        run = services.data_quality_run(actor=request.user, trigger=RunTrigger.MANUAL)
        return Response(s.CheckRunSerializer(run).data, status=status.HTTP_201_CREATED)
