"""REST endpoints of the hall queue: halls, counters (``call-next``), tickets (list with
``?hall= ?status= ?day=``; create = take a number; the clerk's actions; the customer's
rating) and the figures (``?hall= &day=`` or ``&month=YYYY-MM``). Scoped like the pages;
an action the ticket's status does not allow is a 409; errors name the field."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcare.core.errors import ApplicationError
from gridcare.core.filters import IdFilter
from gridcare.core.params import id_param
from gridcare.customers.selectors import customer_get

from .. import selectors, services
from ..choices import TicketStatus
from ..models import Counter, Hall, Ticket
from . import serializers as s


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


@extend_schema_view(list=extend_schema(summary="营业厅列表"), retrieve=extend_schema(summary="营业厅"))
class HallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Halls in the caller's scope."""

    permissions_by_action = {"list": "hall.view", "retrieve": "hall.view"}
    serializer_class = s.HallSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Hall.objects.none()
        return selectors.halls_for(self.request.user)

    def get_object(self):
        hall = selectors.hall_get(self.request.user, id_param(self.kwargs.get("pk")))
        if hall is None:
            raise Http404
        return hall

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        now = timezone.now()
        for h in page or []:
            h.is_open = services.hall_is_open(h, now)
        return page

    def retrieve(self, request, *args, **kwargs):
        hall = self.get_object()
        hall.is_open = services.hall_is_open(hall, timezone.now())
        return Response(s.HallSerializer(hall).data)


@extend_schema_view(list=extend_schema(summary="窗口列表（?hall=）"), retrieve=extend_schema(summary="窗口"))
class HallCounterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {"list": "hall.view", "retrieve": "hall.view", "call_next": "hall.serve"}
    serializer_class = s.HallCounterSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Counter.objects.none()
        hall = selectors.hall_get(self.request.user, id_param(self.request.query_params.get("hall")))
        return selectors.counters_for(self.request.user, hall)

    def get_object(self):
        counter = selectors.counter_get(self.request.user, id_param(self.kwargs.get("pk")))
        if counter is None:
            raise Http404
        return counter

    @extend_schema(
        request=None,
        responses={200: s.HallTicketSerializer, 204: None},
        summary="叫下一号（同时叫号的多个窗口各得一个不同的号；无人等候时 204）",
    )
    @action(detail=True, methods=["post"], url_path="call-next")
    def call_next(self, request, pk=None):
        ticket = services.ticket_call_next(actor=request.user, counter=self.get_object())
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(s.HallTicketSerializer(ticket).data)


class HallTicketFilterSet(django_filters.FilterSet):
    hall = IdFilter(field_name="hall_id", label=gettext_lazy("营业厅 ID"))
    status = django_filters.ChoiceFilter(choices=TicketStatus.choices, label=gettext_lazy("状态"))
    day = django_filters.DateFilter(field_name="day", label=gettext_lazy("日期"))

    class Meta:
        model = Ticket
        fields = ["hall", "status", "day"]


def _action_schema(serializer, summary: str):
    return extend_schema(request=serializer, responses={200: s.HallTicketSerializer}, summary=summary)


@extend_schema_view(
    list=extend_schema(summary="排队号列表（?hall= ?status= ?day=）"),
    retrieve=extend_schema(summary="排队号"),
)
class HallTicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tickets of the halls in the caller's scope."""

    permissions_by_action = {
        "list": "hall.view",
        "retrieve": "hall.view",
        "create": "hall.issue_ticket",
        "recall": "hall.serve",
        "serve": "hall.serve",
        "finish": "hall.serve",
        "no_show": "hall.serve",
        "transfer": "hall.serve",
        "rate": "hall.rate",
    }
    filterset_class = HallTicketFilterSet
    serializer_class = s.HallTicketSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return (
            Ticket.objects.visible_to(self.request.user)
            .select_related("hall", "service_type", "customer", "counter", "work_order")
            .order_by("-issued_at", "-id")
        )

    def get_object(self) -> Ticket:
        ticket = selectors.ticket_get(self.request.user, id_param(self.kwargs.get("pk")))
        if ticket is None:
            raise Http404
        return ticket

    def _respond(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            s.HallTicketSerializer(selectors.ticket_get(self.request.user, ticket.pk)).data, status=code
        )

    @extend_schema(
        request=s.HallTicketTakeSerializer, responses={201: s.HallTicketSerializer}, summary="取号"
    )
    def create(self, request, *args, **kwargs):
        data = _input(s.HallTicketTakeSerializer, request.data)
        hall = selectors.hall_get(request.user, data["hall"])
        if hall is None:
            raise ApplicationError(_("营业厅不存在"), field="hall", code="not_found")
        customer = None
        if data["customer"]:
            customer = customer_get(request.user, data["customer"].strip())
            if customer is None:
                raise ApplicationError(_("户号不存在"), field="customer", code="not_found")
        ticket = services.ticket_take(
            actor=request.user,
            hall=hall,
            service_type=data["service_type"],
            customer=customer,
            declared_care=data["declared_care"],
        )
        return self._respond(ticket, status.HTTP_201_CREATED)

    def _act(self, request, fn):
        ticket = self.get_object()  # out of scope: 404 before any input is judged
        data = _input(s.HallTicketActionSerializer, request.data)
        return self._respond(fn(actor=request.user, ticket=ticket, **data))

    @_action_schema(s.HallTicketActionSerializer, "重复叫号")
    @action(detail=True, methods=["post"])
    def recall(self, request, pk=None):
        return self._act(request, services.ticket_recall)

    @_action_schema(s.HallTicketActionSerializer, "开始办理")
    @action(detail=True, methods=["post"])
    def serve(self, request, pk=None):
        return self._act(request, services.ticket_serve)

    @_action_schema(s.HallTicketActionSerializer, "办结")
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        return self._act(request, services.ticket_finish)

    @_action_schema(s.HallTicketActionSerializer, "过号")
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        return self._act(request, services.ticket_no_show)

    @extend_schema(
        request=s.HallTicketTransferSerializer,
        responses={201: s.HallTicketSerializer},
        summary="转办（返回新号）",
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        ticket = self.get_object()
        data = _input(s.HallTicketTransferSerializer, request.data)
        new = services.ticket_transfer(
            actor=request.user,
            ticket=ticket,
            service_type=data["service_type"] or None,
            to_counter=data["to_counter"],
            expected_version=data["expected_version"],
        )
        return self._respond(new, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.HallTicketRateSerializer,
        responses={201: s.HallRatingSerializer},
        summary="客户评价（1～5 分）",
    )
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        ticket = self.get_object()
        data = _input(s.HallTicketRateSerializer, request.data)
        rating = services.ticket_rate(actor=request.user, ticket=ticket, **data)
        return Response(s.HallRatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class HallFiguresView(APIView):
    """Hall figures of a day (``?day=``, default today) or a month (``?month=YYYY-MM``), per
    hall and counter (``?hall=`` one hall) — the page's and Excel's definitions."""

    permissions_by_action = {"get": "hall.view"}

    @extend_schema(
        operation_id="hall_figures",
        parameters=[
            OpenApiParameter("hall", int, required=False),
            OpenApiParameter("day", str, required=False, description="YYYY-MM-DD"),
            OpenApiParameter("month", str, required=False, description="YYYY-MM"),
        ],
        responses={200: s.HallFiguresSerializer},
        summary="营业厅排队指标（日/月）",
    )
    def get(self, request):
        today = timezone.localdate()
        month_raw = (request.query_params.get("month") or "").strip()
        day_raw = (request.query_params.get("day") or "").strip()
        if month_raw and day_raw:
            raise ApplicationError(_("日期和月份只能选一个"), field="month", code="invalid")
        try:
            month = dt.date.fromisoformat(month_raw[:7] + "-01") if month_raw else None
            if month_raw and len(month_raw) != 7:
                raise ValueError
        except ValueError:
            raise ApplicationError(_("月份格式为 YYYY-MM"), field="month", code="invalid") from None
        try:
            day = dt.date.fromisoformat(day_raw) if day_raw else None
        except ValueError:
            raise ApplicationError(_("日期格式为 YYYY-MM-DD"), field="day", code="invalid") from None
        for name, value in (("month", month), ("day", day)):
            if value is not None and not (dt.date(2000, 1, 1) <= value <= today):
                raise ApplicationError(_("日期须在 2000 年至今天之间"), field=name, code="out_of_range")
        hall = None
        if request.query_params.get("hall"):
            hall = selectors.hall_get(request.user, id_param(request.query_params.get("hall")))
            if hall is None:
                raise ApplicationError(_("营业厅不存在"), field="hall", code="not_found")
        start, end = selectors.period_bounds(day=day, month=month)
        data = selectors.hall_figures(request.user, start=start, end=end, hall=hall)
        return Response(s.HallFiguresSerializer(data).data)
