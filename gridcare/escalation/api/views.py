"""REST endpoints of the escalation domain; every queryset comes from a scoped selector."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridcare.core.errors import ApplicationError
from gridcare.org.selectors import units_visible_to
from gridcare.workorders import selectors as wo_selectors
from gridcare.workorders.models import WorkOrder

from .. import selectors, services
from ..choices import FailureSource
from ..filters import CallbackTaskFilterSet
from ..models import Notification
from . import serializers as s


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _order(user, key: str) -> WorkOrder:
    try:
        return wo_selectors.work_order_get(user, key)
    except WorkOrder.DoesNotExist:
        raise ApplicationError(
            _("工单 %(no)s 不存在") % {"no": key}, field="order", code="not_found", status=404
        )


def _unit(user, code: str, field: str = "unit"):
    unit = units_visible_to(user).filter(code=code).first()
    if unit is None:
        raise ApplicationError(
            _("单位编码 %(code)s 不存在") % {"code": code}, field=field, code="unknown_unit"
        )
    return unit


@extend_schema_view(list=extend_schema(summary="我的站内通知"))
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications, newest first (``?unread=1`` for unread only)."""

    permissions_by_action = {
        "list": "escalation.notifications",
        "mark_read": "escalation.notifications",
    }

    serializer_class = s.NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notifications_for(
            self.request.user, unread_only=self.request.query_params.get("unread") == "1"
        )

    @extend_schema(
        request=s.NotificationReadSerializer, responses={200: s.MarkedSerializer}, summary="标为已读"
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        data = _input(s.NotificationReadSerializer, request.data)
        return Response({"marked": services.notification_mark_read(actor=request.user, ids=data["ids"])})


@extend_schema_view(list=extend_schema(summary="升级督办看板"))
class EscalationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": "escalation.view_board",
        "create": "escalation.escalate_manual",
    }
    serializer_class = s.EscalationSerializer

    @extend_schema(
        request=s.ManualEscalationSerializer, responses={201: s.EscalationSerializer}, summary="人工提级"
    )
    def create(self, request):
        data = _input(s.ManualEscalationSerializer, request.data)
        esc = services.order_escalate_by_hand(
            actor=request.user, order=_order(request.user, data["order"]), reason=data["reason"]
        )
        return Response(s.EscalationSerializer(esc).data, status=status.HTTP_201_CREATED)

    def get_queryset(self):
        return selectors.escalations_for(
            self.request.user,
            open_only=self.request.query_params.get("open") == "1",
            reason=self.request.query_params.get("reason") or None,
        )


@extend_schema_view(list=extend_schema(summary="催办记录"))
class UrgeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": "escalation.view_board",
        "create": "workorders.urge",
    }
    serializer_class = s.UrgeSerializer

    def get_queryset(self):
        return selectors.urges_for(self.request.user)

    @extend_schema(request=s.UrgeCreateSerializer, responses={201: s.UrgeSerializer}, summary="记录催办")
    def create(self, request):
        data = _input(s.UrgeCreateSerializer, request.data)
        urge = services.urge_record(
            actor=request.user,
            order=_order(request.user, data["order"]),
            channel=data["channel"],
            words=data["words"],
        )
        return Response(s.UrgeSerializer(urge).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="回访工作台（待回访，按时限排序）"))
class CallbackTaskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": "escalation.callbacks",
        "record": "escalation.callbacks",
    }
    serializer_class = s.CallbackTaskSerializer
    filterset_class = CallbackTaskFilterSet  # the workbench's own filters (search, due, type, unit)
    lookup_value_regex = "[0-9]+"  # integer ids: anything else is a 404, not a failed query

    def get_queryset(self):
        return selectors.callback_worklist(
            self.request.user, overdue_only=self.request.query_params.get("overdue") == "1"
        )

    @extend_schema(
        request=s.CallbackRecordSerializer, responses={200: s.CallbackTaskSerializer}, summary="记录一次回访"
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        task = selectors.callback_tasks_for(request.user).filter(pk=pk).first()
        if task is None:
            raise Http404
        data = _input(s.CallbackRecordSerializer, request.data)
        task = services.callback_record(
            actor=request.user, task=task, outcome=data["outcome"], words=data["words"]
        )
        return Response(s.CallbackTaskSerializer(task).data)


@extend_schema_view(
    list=extend_schema(summary="服务失误"), retrieve=extend_schema(summary="服务失误与补救措施")
)
class ServiceFailureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": "escalation.view_failures",
        "retrieve": "escalation.view_failures",
        "create": "escalation.record_failure",
        "actions": "escalation.propose_recovery",
    }
    serializer_class = s.ServiceFailureSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        qs = selectors.failures_for(self.request.user).prefetch_related("actions")
        source = self.request.query_params.get("source") or ""
        if source:
            if source not in FailureSource.values:
                raise ApplicationError(
                    _("未知的发现途径：%(value)s") % {"value": source}, field="source", code="invalid_choice"
                )
            qs = qs.filter(source=source)
        return qs.order_by("-recorded_at", "-id")

    @extend_schema(
        request=s.ServiceFailureCreateSerializer,
        responses={201: s.ServiceFailureSerializer},
        summary="认定服务失误",
    )
    def create(self, request):
        data = _input(s.ServiceFailureCreateSerializer, request.data)
        failure = services.service_failure_record(
            actor=request.user,
            order=_order(request.user, data["order"]) if data["order"] else None,
            source=data["source"],
            origin=data["origin"],
            cause=data["cause"],
            responsible_unit=_unit(request.user, data["responsible_unit"], "responsible_unit"),
            responsible_person=data["responsible_person"],
            description=data["description"],
        )
        return Response(s.ServiceFailureSerializer(failure).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.RecoveryProposeSerializer,
        responses={201: s.RecoveryActionSerializer},
        summary="提出补救措施",
    )
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        failure = self.get_object()
        data = _input(s.RecoveryProposeSerializer, request.data)
        act = services.recovery_action_propose(actor=request.user, failure=failure, **data)
        return Response(s.RecoveryActionSerializer(act).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="补救措施（?pending=1 待审批）"))
class RecoveryActionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": "escalation.view_failures",
        "approve": "escalation.approve_recovery",
        "reject": "escalation.reject_recovery",
        "complete": "escalation.complete_recovery",
    }
    serializer_class = s.RecoveryActionSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if self.request.query_params.get("pending") == "1":
            return selectors.recovery_pending_approval(self.request.user)
        return selectors.recovery_actions_for(self.request.user).order_by("-proposed_at", "-id")

    def _act(self, request, pk, fn, **kwargs):
        act = selectors.recovery_actions_for(request.user).filter(pk=pk).first()
        if act is None:
            raise Http404
        data = _input(s.RecoveryDecisionSerializer, request.data)
        return Response(
            s.RecoveryActionSerializer(fn(actor=request.user, action=act, note=data["note"], **kwargs)).data
        )

    @extend_schema(
        request=s.RecoveryDecisionSerializer, responses={200: s.RecoveryActionSerializer}, summary="批准"
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(request, pk, services.recovery_action_decide, approve=True)

    @extend_schema(
        request=s.RecoveryDecisionSerializer, responses={200: s.RecoveryActionSerializer}, summary="驳回"
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, pk, services.recovery_action_decide, approve=False)

    @extend_schema(
        request=s.RecoveryDecisionSerializer, responses={200: s.RecoveryActionSerializer}, summary="执行完成"
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(request, pk, services.recovery_action_complete)


@extend_schema_view(list=extend_schema(summary="社会监督员"))
class SocialSupervisorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": "escalation.view_supervisors",
        "create": "escalation.manage_supervisors",
        "submissions": "escalation.supervisor_submission",
        "reveal": "escalation.reveal_supervisor_phone",
    }
    serializer_class = s.SocialSupervisorSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.supervisors_for(self.request.user)

    @extend_schema(
        request=s.SocialSupervisorCreateSerializer,
        responses={201: s.SocialSupervisorSerializer},
        summary="登记",
    )
    def create(self, request):
        data = _input(s.SocialSupervisorCreateSerializer, request.data)
        data["unit"] = _unit(request.user, data["unit"])
        sup = services.social_supervisor_register(actor=request.user, **data)
        return Response(s.SocialSupervisorSerializer(sup).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.SupervisorSubmissionSerializer,
        responses={201: s.SupervisorSubmissionResultSerializer},
        summary="受理监督员反映的问题",
    )
    @action(detail=True, methods=["post"])
    def submissions(self, request, pk=None):
        sup = self.get_object()
        data = _input(s.SupervisorSubmissionSerializer, request.data)
        order = services.supervisor_submission_create(
            actor=request.user,
            supervisor=sup,
            request_type=data["request_type"],
            dimension=data["dimension"],
            description=data["description"],
            subtype=data["subtype"],
            customer=data["customer"] or None,
            area=data["area"] or None,
        )
        return Response({"order_no": order.order_no}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.SocialSupervisorRevealRequestSerializer,
        responses={200: s.SocialSupervisorPhoneSerializer},
        summary="查看监督员完整电话（审计）",
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The supervisor's phone in clear; every reveal is audited."""
        data = _input(s.SocialSupervisorRevealRequestSerializer, request.data)
        revealed = services.social_supervisor_reveal_phone(
            actor=request.user, supervisor=self.get_object(), reason=data["reason"]
        )
        return Response(s.SocialSupervisorPhoneSerializer(revealed).data)
