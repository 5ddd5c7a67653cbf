"""REST endpoints of business applications: list (?status= ?kind= ?unit= ?stalled=
?overdue= ?mine=), detail, accept, and the actions complete-stage, document (multipart),
pause, resume, terminate, home-visit, follow-up; the month-end report
(``/api/applications/report/?month=YYYY-MM&by=clerk|hall|unit``). Every action takes an
optional ``expected_version`` (stale: 409); an out-of-order stage is a 409 naming ``stage``."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcare.core.errors import ApplicationError
from gridcare.core.params import id_param
from gridcare.core.uploads import read_upload
from gridcare.customers.models import Customer
from gridcare.org.selectors import units_visible_to

from .. import selectors, services
from ..choices import OPEN, ApplicationStatus, ApplicationSubtype
from ..models import Application
from . import serializers as s


class ApplicationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices, label=gettext_lazy("状态"))
    kind = django_filters.ChoiceFilter(choices=ApplicationSubtype.choices, label=gettext_lazy("业务类型"))
    open = django_filters.BooleanFilter(method="filter_open", label=gettext_lazy("在途"))
    stalled = django_filters.BooleanFilter(method="filter_stalled", label=gettext_lazy("停滞"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=gettext_lazy("超期"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=gettext_lazy("我受理的"))
    unit = django_filters.CharFilter(
        method="filter_unit", max_length=32, label=gettext_lazy("办理单位编码（含下级）")
    )

    class Meta:
        model = Application
        fields = ["status", "kind", "open", "stalled", "overdue", "mine", "unit"]

    def filter_open(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(status__in=OPEN) if value else qs.exclude(status__in=OPEN)

    def filter_stalled(self, qs, name, value):
        if value is None:
            return qs
        q = selectors.stalled_q()
        return qs.filter(q) if value else qs.exclude(q)

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = selectors.overdue_q()
        return qs.filter(q) if value else qs.exclude(q)

    def filter_mine(self, qs, name, value):
        if value is None:
            return qs
        return (
            qs.filter(accepted_by=self.request.user) if value else qs.exclude(accepted_by=self.request.user)
        )

    def filter_unit(self, qs, name, value):
        unit = units_visible_to(self.request.user).filter(code=value).first() if value else None
        if value and unit is None:
            return qs.none()
        return qs.filter(unit_path__startswith=unit.path) if unit else qs


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _action_schema(serializer, summary: str):
    return extend_schema(request=serializer, responses={200: s.ApplicationDetailSerializer}, summary=summary)


@extend_schema_view(
    list=extend_schema(summary="业务申请列表（?status= ?open= ?kind= ?unit= ?stalled= ?overdue= ?mine=）"),
    retrieve=extend_schema(summary="业务申请：环节、办理记录、流程跟踪、可执行的操作"),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Business applications the caller may see (the owning unit within their scope)."""

    permissions_by_action = {
        "list": "applications.view",
        "retrieve": "applications.view",
        "create": "applications.accept",
        "complete_stage": "applications.work",
        "document": "applications.work",
        "pause": "applications.work",
        "resume": "applications.work",
        "terminate": "applications.work",
        "home_visit": "applications.accept",
        "follow_up": "applications.follow_up",
    }
    filterset_class = ApplicationFilterSet
    serializer_class = s.ApplicationSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        return selectors.annotate_flags(
            Application.objects.visible_to(self.request.user).select_related(
                "unit", "customer", "accepted_by", "current_stage"
            ),
            timezone.now(),
        ).order_by("-accepted_at", "-id")

    def get_object(self) -> Application:
        app = selectors.application_get(self.request.user, id_param(self.kwargs.get("pk")))
        if app is None:
            raise Http404
        return app

    def _respond(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        now = timezone.now()
        app = (
            selectors.annotate_flags(Application.objects.visible_to(self.request.user), now)
            .select_related("unit", "customer", "accepted_by", "current_stage")
            .filter(pk=pk)
            .first()
        )
        if app is None:  # pragma: no cover - an application does not leave its scope
            raise Http404
        app.stage_rows = list(
            app.stages.select_related("owner_unit").prefetch_related("received").order_by("seq")
        )
        app.event_rows = list(app.events.order_by("at", "id"))
        app.follow_up_rows = list(app.follow_ups.order_by("opened_at", "id"))
        app.allowed_actions = selectors.allowed_actions(self.request.user, app, now=now)
        return Response(s.ApplicationDetailSerializer(app).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object().pk)

    @extend_schema(
        request=s.ApplicationAcceptSerializer,
        responses={201: s.ApplicationDetailSerializer},
        summary="受理业务申请",
    )
    def create(self, request, *args, **kwargs):
        data = _input(s.ApplicationAcceptSerializer, request.data)
        customer = None
        if data["customer_no"]:
            customer = (
                Customer.objects.visible_to(request.user).filter(customer_no=data["customer_no"]).first()
            )
            if customer is None:
                raise ApplicationError(_("户号不存在或不在本单位范围内"), field="customer_no", code="unknown")
        unit = None
        if data["unit"]:
            unit = units_visible_to(request.user).filter(code=data["unit"]).first()
            if unit is None:
                raise ApplicationError(_("办理单位不存在或不在本单位范围内"), field="unit", code="unknown")
        order = None
        if data["work_order"]:
            from gridcare.workorders.models import WorkOrder

            order = WorkOrder.objects.visible_to(request.user).filter(pk=data["work_order"]).first()
            if order is None:
                raise ApplicationError(_("工单不存在或不在本单位范围内"), field="work_order", code="unknown")
        app = services.application_accept(
            actor=request.user,
            kind=data["kind"],
            channel=data["channel"],
            category=data["category"],
            variant=data["variant"],
            customer=customer,
            applicant_name=data["applicant_name"],
            applicant_phone=data["applicant_phone"],
            applicant_address=data["applicant_address"],
            unit=unit,
            work_order=order,
        )
        return self._respond(app.pk, status.HTTP_201_CREATED)

    @_action_schema(s.StageCompleteSerializer, "完成当前环节（只能是当前环节；所需资料须已收取）")
    @action(detail=True, methods=["post"], url_path="complete-stage")
    def complete_stage(self, request, pk=None):
        app = self.get_object()
        data = _input(s.StageCompleteSerializer, request.data)
        services.application_stage_complete(actor=request.user, application=app, **data)
        return self._respond(app.pk)

    @_action_schema(s.DocumentReceiveSerializer, "收取当前环节的资料（可附扫描件，multipart）")
    @action(detail=True, methods=["post"])
    def document(self, request, pk=None):
        app = self.get_object()
        data = _input(s.DocumentReceiveSerializer, request.data)
        upload = data.pop("file", None)
        content = read_upload(upload, field="file")
        services.application_document_receive(
            actor=request.user,
            application=app,
            name=data["name"],
            file_content=content or None,
            file_name=upload.name if upload is not None else "",
        )
        return self._respond(app.pk)

    @_action_schema(s.ApplicationPauseSerializer, "等待客户，暂停计时")
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        app = self.get_object()
        services.application_pause(
            actor=request.user, application=app, **_input(s.ApplicationPauseSerializer, request.data)
        )
        return self._respond(app.pk)

    @_action_schema(s._Versioned, "恢复计时（期限顺延暂停的工作日）")
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        app = self.get_object()
        services.application_resume(actor=request.user, application=app, **_input(s._Versioned, request.data))
        return self._respond(app.pk)

    @_action_schema(s.ApplicationTerminateSerializer, "终止申请")
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        app = self.get_object()
        services.application_terminate(
            actor=request.user, application=app, **_input(s.ApplicationTerminateSerializer, request.data)
        )
        return self._respond(app.pk)

    @_action_schema(s.HomeVisitSerializer, "预约上门服务（日期与时段）")
    @action(detail=True, methods=["post"], url_path="home-visit")
    def home_visit(self, request, pk=None):
        app = self.get_object()
        services.home_visit_book(
            actor=request.user, application=app, **_input(s.HomeVisitSerializer, request.data)
        )
        return self._respond(app.pk)

    @_action_schema(s.FollowUpSerializer, "记录停滞/终止流程的原因和答复")
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        app = self.get_object()
        services.process_follow_up_record(
            actor=request.user, application=app, **_input(s.FollowUpSerializer, request.data)
        )
        return self._respond(app.pk)


class ProcessReportView(APIView):
    """The month-end process report (流程月报) of what the caller may see."""

    permissions_by_action = {"get": "applications.report"}

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM（默认上个月）"),
            OpenApiParameter("by", OpenApiTypes.STR, enum=list(selectors.REPORT_BY), description="统计维度"),
        ],
        responses={200: s.ProcessReportSerializer},
        summary="流程月报",
    )
    def get(self, request):
        raw = request.query_params.get("month", "")
        month = selectors.parse_month(raw) if raw else selectors.last_complete_month()
        if month is None:
            raise ApplicationError(_("月份格式应为 YYYY-MM"), field="month", code="invalid")
        by = request.query_params.get("by", "clerk")
        if by not in selectors.report_available_by():
            raise ApplicationError(_("统计维度无效"), field="by", code="invalid")
        return Response(s.ProcessReportSerializer(selectors.process_report(request.user, month, by)).data)
