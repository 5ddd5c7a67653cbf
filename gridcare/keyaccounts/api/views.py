"""REST endpoints of key-account service: packages, subscriptions (start, end), safety
inspections (?due= ?overdue= ?customer=; record with findings, cancel), emergency plans
(?expiring= ?customer=; file with a document, review), drills (schedule, record, cancel).
Every action takes an optional ``expected_version`` where two people may edit (stale: 409)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from gridcare.core.errors import ApplicationError
from gridcare.core.params import id_param
from gridcare.core.uploads import read_upload
from gridcare.customers.selectors import customer_get

from .. import selectors, services
from ..choices import InspectionStatus
from ..models import Drill, EmergencyPlan, KeyAccountSetting, SafetyInspection, ServicePackage, Subscription
from . import serializers as s


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _customer(user, customer_no: str):
    customer = customer_get(user, customer_no)
    if customer is None:
        raise ApplicationError(_("客户不存在或不在本单位范围内"), field="customer", code="unknown")
    return customer


class _Scoped(viewsets.GenericViewSet):
    """Detail lookups through the scoped queryset: another unit's row is a 404."""

    def get_object(self):
        obj = self.get_queryset().filter(pk=id_param(self.kwargs.get("pk"))).first()
        if obj is None:
            raise Http404
        return obj


@extend_schema_view(list=extend_schema(summary="大客户服务包"))
class ServicePackageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {"list": "keyaccounts.view"}
    serializer_class = s.ServicePackageSerializer
    pagination_class = None
    queryset = ServicePackage.objects.order_by("inspection_interval_months", "code")


class SubscriptionFilterSet(django_filters.FilterSet):
    customer = django_filters.CharFilter(
        field_name="customer__customer_no", max_length=20, label=gettext_lazy("户号")
    )
    current = django_filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label=gettext_lazy("现行")
    )

    class Meta:
        model = Subscription
        fields = ["customer", "current"]


@extend_schema_view(
    list=extend_schema(summary="服务包订购（?customer= ?current=）"),
    retrieve=extend_schema(summary="服务包订购"),
)
class SubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Scoped):
    permissions_by_action = {
        "list": "keyaccounts.view",
        "retrieve": "keyaccounts.view",
        "create": "keyaccounts.manage",
        "end": "keyaccounts.manage",
    }
    serializer_class = s.SubscriptionSerializer
    filterset_class = SubscriptionFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Subscription.objects.none()
        return (
            Subscription.objects.visible_to(self.request.user)
            .select_related("customer", "package")
            .order_by("-start_date", "-id")
        )

    @extend_schema(
        request=s.SubscriptionCreateSerializer,
        responses={201: s.SubscriptionSerializer},
        summary="订购服务包",
    )
    def create(self, request, *args, **kwargs):
        data = _input(s.SubscriptionCreateSerializer, request.data)
        customer = _customer(request.user, data["customer"])
        package = ServicePackage.objects.filter(code=data["package"]).first()
        sub = services.subscription_start(
            actor=request.user, customer=customer, package=package, start_date=data["start_date"]
        )
        return Response(s.SubscriptionSerializer(sub).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.KeyAccountVersionSerializer, responses={200: s.SubscriptionSerializer}, summary="结束服务包"
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        sub = self.get_object()
        data = _input(s.KeyAccountVersionSerializer, request.data)
        sub = services.subscription_end(actor=request.user, subscription=sub, **data)
        return Response(s.SubscriptionSerializer(sub).data)


class SafetyInspectionFilterSet(django_filters.FilterSet):
    customer = django_filters.CharFilter(
        field_name="customer__customer_no", max_length=20, label=gettext_lazy("户号")
    )
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=gettext_lazy("状态"))
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=gettext_lazy("逾期（待检查且已过应检日期）")
    )
    due = django_filters.BooleanFilter(
        method="filter_due", label=gettext_lazy("到期（待检查且在提前天数内）")
    )

    class Meta:
        model = SafetyInspection
        fields = ["customer", "status", "overdue", "due"]

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = qs.filter(status=InspectionStatus.SCHEDULED, due_date__lt=timezone.localdate())
        return q if value else qs.exclude(pk__in=q.values("pk"))

    def filter_due(self, qs, name, value):
        if not value:
            return qs
        lead = KeyAccountSetting.get(KeyAccountSetting.INSPECTION_LEAD_DAYS)
        return qs.filter(
            status=InspectionStatus.SCHEDULED, due_date__lte=timezone.localdate() + dt.timedelta(days=lead)
        )


@extend_schema_view(
    list=extend_schema(summary="安全检查（?due= ?overdue= ?status= ?customer=）"),
    retrieve=extend_schema(summary="安全检查及发现问题"),
)
class SafetyInspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Scoped):
    permissions_by_action = {
        "list": "keyaccounts.view",
        "retrieve": "keyaccounts.view",
        "record": "keyaccounts.inspect",
        "cancel": "keyaccounts.manage",
    }
    serializer_class = s.SafetyInspectionSerializer
    filterset_class = SafetyInspectionFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SafetyInspection.objects.none()
        return selectors.inspections_for(self.request.user).order_by("due_date", "id")

    def _detail(self, inspection) -> Response:
        current = selectors.inspection_get(self.request.user, inspection.pk)
        current.finding_rows = selectors.inspection_findings(current)
        return Response(s.SafetyInspectionDetailSerializer(current).data)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(
        request=s.InspectionRecordSerializer,
        responses={200: s.SafetyInspectionDetailSerializer},
        summary="记录安全检查（需整改的问题登记为整改事项）",
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        inspection = self.get_object()
        data = _input(s.InspectionRecordSerializer, request.data)
        data["findings"] = [dict(f) for f in data["findings"]]
        services.inspection_record(actor=request.user, inspection=inspection, **data)
        return self._detail(inspection)

    @extend_schema(
        request=s.ReasonSerializer,
        responses={200: s.SafetyInspectionDetailSerializer},
        summary="取消安全检查",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        inspection = self.get_object()
        data = _input(s.ReasonSerializer, request.data)
        services.inspection_cancel(actor=request.user, inspection=inspection, **data)
        return self._detail(inspection)


class EmergencyPlanFilterSet(django_filters.FilterSet):
    customer = django_filters.CharFilter(
        field_name="customer__customer_no", max_length=20, label=gettext_lazy("户号")
    )
    active = django_filters.BooleanFilter(label=gettext_lazy("现行"))
    expiring = django_filters.BooleanFilter(method="filter_expiring", label=gettext_lazy("即将到期或已过期"))

    class Meta:
        model = EmergencyPlan
        fields = ["customer", "active", "expiring"]

    def filter_expiring(self, qs, name, value):
        if not value:
            return qs
        horizon = timezone.localdate() + dt.timedelta(days=selectors.expiring_days())
        return qs.filter(active=True, review_date__lte=horizon)


@extend_schema_view(
    list=extend_schema(summary="应急预案（?expiring= ?active= ?customer=）"),
    retrieve=extend_schema(summary="应急预案及演练"),
)
class EmergencyPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Scoped):
    permissions_by_action = {
        "list": "keyaccounts.view",
        "retrieve": "keyaccounts.view",
        "create": "keyaccounts.manage",
        "review": "keyaccounts.manage",
        "drills": "keyaccounts.manage",
    }
    serializer_class = s.EmergencyPlanSerializer
    filterset_class = EmergencyPlanFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EmergencyPlan.objects.none()
        return selectors.plans_for(self.request.user).order_by("review_date", "id")

    def _state(self, plans):
        today = timezone.localdate()
        days = selectors.expiring_days()
        for p in plans:
            p.state = selectors.plan_state(p.review_date, today, days) if p.active else ""
        return plans

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return self._state(page) if page is not None else page

    def _detail(self, plan, code=status.HTTP_200_OK) -> Response:
        current = selectors.plan_get(self.request.user, plan.pk)
        self._state([current])
        current.drill_rows = selectors.plan_drills(current)
        return Response(s.EmergencyPlanDetailSerializer(current).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(
        request={"multipart/form-data": s.EmergencyPlanCreateSerializer},
        responses={201: s.EmergencyPlanDetailSerializer},
        summary="建立应急预案（上传预案文件）",
    )
    def create(self, request, *args, **kwargs):
        data = _input(s.EmergencyPlanCreateSerializer, request.data)
        customer = _customer(request.user, data.pop("customer"))
        upload = data.pop("document")
        plan = services.plan_create(
            actor=request.user,
            customer=customer,
            document_content=read_upload(upload, field="document"),
            document_name=upload.name,
            **data,
        )
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": s.EmergencyPlanReviewSerializer,
            "application/json": s.EmergencyPlanReviewSerializer,
        },
        responses={200: s.EmergencyPlanDetailSerializer},
        summary="复审应急预案（新的复审日期、联系人、电源、文件）",
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        plan = self.get_object()
        data = dict(_input(s.EmergencyPlanReviewSerializer, request.data))
        upload = data.pop("document", None)
        services.plan_update(
            actor=request.user,
            plan=plan,
            document_content=read_upload(upload, field="document") or None,
            document_name=upload.name if upload is not None else "",
            **data,
        )
        return self._detail(plan)

    @extend_schema(
        request=s.DrillScheduleSerializer, responses={201: s.DrillSerializer}, summary="安排应急演练"
    )
    @action(detail=True, methods=["post"])
    def drills(self, request, pk=None):
        plan = self.get_object()
        data = _input(s.DrillScheduleSerializer, request.data)
        drill = services.drill_schedule(actor=request.user, plan=plan, **data)
        return Response(s.DrillSerializer(drill).data, status=status.HTTP_201_CREATED)


@extend_schema_view(retrieve=extend_schema(summary="应急演练"))
class DrillViewSet(mixins.RetrieveModelMixin, _Scoped):
    permissions_by_action = {
        "retrieve": "keyaccounts.view",
        "record": "keyaccounts.manage",
        "cancel": "keyaccounts.manage",
    }
    serializer_class = s.DrillSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Drill.objects.none()
        return Drill.objects.visible_to(self.request.user)

    @extend_schema(
        request=s.DrillRecordSerializer, responses={200: s.DrillSerializer}, summary="记录应急演练"
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        drill = self.get_object()
        data = _input(s.DrillRecordSerializer, request.data)
        return Response(
            s.DrillSerializer(services.drill_record(actor=request.user, drill=drill, **data)).data
        )

    @extend_schema(
        request=s.KeyAccountVersionSerializer, responses={200: s.DrillSerializer}, summary="取消应急演练"
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        drill = self.get_object()
        data = _input(s.KeyAccountVersionSerializer, request.data)
        return Response(
            s.DrillSerializer(services.drill_cancel(actor=request.user, drill=drill, **data)).data
        )
