"""REST endpoints of the work order: list, create (idempotent), detail and one POST per action."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcare.core.api.pagination import LargeListPagination
from gridcare.core.errors import ApplicationError
from gridcare.core.intake import caller_report_created

from .. import selectors, services
from ..choices import Action
from ..filters import WorkOrderFilterSet
from ..models import WorkOrder
from .serializers import (
    WorkOrderArchiveSerializer,
    WorkOrderCreateSerializer,
    WorkOrderDetailSerializer,
    WorkOrderDispatchSerializer,
    WorkOrderFieldTimeSerializer,
    WorkOrderListSerializer,
    WorkOrderMergeSerializer,
    WorkOrderNoteSerializer,
    WorkOrderPhotoSerializer,
    WorkOrderPhotoUploadSerializer,
    WorkOrderPrioritySerializer,
    WorkOrderReasonSerializer,
    WorkOrderReplySerializer,
    WorkOrderRestoreSerializer,
    WorkOrderTransferSerializer,
    WorkOrderUrgeSerializer,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="重试同一请求时携带相同的键：返回首次创建的工单，不会重复创建；同一键配不同内容返回 422。",
)


def _action_schema(serializer, summary: str):
    return extend_schema(request=serializer, responses={200: WorkOrderDetailSerializer}, summary=summary)


@extend_schema_view(
    list=extend_schema(
        summary="工单列表（按最近时限排序）",
        description="分页返回。结果很多（数据库估计超过 2 万张）时 count 为估计值（count_exact 为 false）；"
        "是否有下一页以 next 为准。",
    ),
    retrieve=extend_schema(summary="工单详情：时限、轨迹、子单与当前可执行操作"),
)
class WorkOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Work orders the caller may see (responsible or accepting unit within their scope).

    ``{key}`` is the order number or the numeric id. Every action takes an optional
    ``expected_version``: when it is stale the answer is 409 and nothing changes; an
    action the order's status does not allow is a 409 as well.
    """

    permissions_by_action = {
        "list": "workorders.view",
        "retrieve": "workorders.view",
        "create": "workorders.create",
        "dispatch_order": "workorders.dispatch",
        "return_": "workorders.return",
        "transfer": "workorders.transfer",
        "start": "workorders.start",
        "reply": "workorders.reply",
        "callback": "workorders.callback",
        "archive": "workorders.archive",
        "cancel": "workorders.cancel",
        "reopen": "workorders.reopen",
        "pause": "workorders.pause",
        "resume": "workorders.resume",
        "merge": "workorders.merge",
        "detach": "workorders.detach",
        "urge": "workorders.urge",
        "priority": "workorders.priority",
        "depart": "workorders.depart",
        "restore": "workorders.restore",
        "add_photo": "workorders.attach_photo",
    }

    filterset_class = WorkOrderFilterSet
    pagination_class = LargeListPagination
    lookup_field = "key"
    lookup_value_regex = "[^/]+"
    serializer_class = WorkOrderListSerializer

    def get_queryset(self):
        return selectors.work_orders_sorted_by_due(selectors.work_orders_for(self.request.user))

    def get_serializer_class(self):
        if self.action == "retrieve":
            return WorkOrderDetailSerializer
        if self.action == "create":
            return WorkOrderCreateSerializer
        return WorkOrderListSerializer

    def get_object(self):
        return self._detail(self.kwargs["key"])

    def _detail(self, key) -> WorkOrder:
        try:
            return selectors.work_order_detail(self.request.user, key)
        except WorkOrder.DoesNotExist:
            raise Http404 from None

    def _respond(self, order: WorkOrder, code: int = status.HTTP_200_OK) -> Response:
        """The order after an action, read back in full. An action that moved it out of the
        actor's scope (a crew returning it to the dispatcher) still answers with its result:
        the actor just did it, so they see what they did — once, with no actions left."""
        try:
            current = self._detail(order.pk)
        except Http404:
            current = selectors.work_order_result(order.pk)
        return Response(
            WorkOrderDetailSerializer(current, context=self.get_serializer_context()).data, status=code
        )

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        request=WorkOrderCreateSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        summary="受理工单",
        responses={
            201: WorkOrderDetailSerializer,
            200: OpenApiResponse(WorkOrderDetailSerializer, description="同一 Idempotency-Key 的重试"),
        },
    )
    def create(self, request, *args, **kwargs):
        data = self._input(WorkOrderCreateSerializer)
        key = request.headers.get("Idempotency-Key") or None
        if key is not None and len(key) > 128:
            raise ApplicationError(_("Idempotency-Key 过长（最多128字符）"), field="idempotency_key")
        # A report on a caller notice (the outage the IVR's lookup named): filed without the
        # automatic merge, then handed to the notice's owner, which joins it where it belongs.
        notice_ref = data.pop("notice_ref", "").strip()
        if notice_ref:
            with transaction.atomic():
                result = services.work_order_submit(
                    actor=request.user, idempotency_key=key, auto_merge=False, **data
                )
                if not result.replayed:
                    caller_report_created(request.user, result.order, {"notice_ref": notice_ref})
        else:
            result = services.work_order_submit(actor=request.user, idempotency_key=key, **data)
        order, replayed = result.order, result.replayed
        code = status.HTTP_200_OK if replayed else status.HTTP_201_CREATED
        # A plain new order comes back from the service complete (clocks, timeline, no
        # children): serialize it as it is, without reading it again.
        if result.parts is not None and not notice_ref:
            order._prefetched_objects_cache = dict(result.parts)
            response = Response(
                WorkOrderDetailSerializer(order, context=self.get_serializer_context()).data, status=code
            )
        else:
            response = self._respond(order, code)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _act(self, action: str, serializer_class) -> Response:
        """Every action goes through the one dispatcher (``services.work_order_act``), with the
        order's key: the service locks and reads the order itself."""
        seen = services.work_order_resolve(self.request.user, self.kwargs["key"])  # 404 before input errors
        data = self._input(serializer_class)
        result = services.work_order_act(actor=self.request.user, key=seen, action=action, data=data)
        return self._respond(result.order)

    @_action_schema(WorkOrderDispatchSerializer, "派单")
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_order(self, request, key=None):  # not "dispatch": that is APIView's request entry point
        return self._act(Action.DISPATCH, WorkOrderDispatchSerializer)

    @_action_schema(WorkOrderTransferSerializer, "转派")
    @action(detail=True, methods=["post"])
    def transfer(self, request, key=None):
        return self._act(Action.TRANSFER, WorkOrderTransferSerializer)

    @_action_schema(WorkOrderFieldTimeSerializer, "开始处理（抢修到达现场；at：实际到达时间）")
    @action(detail=True, methods=["post"])
    def start(self, request, key=None):
        return self._act(Action.START, WorkOrderFieldTimeSerializer)

    @_action_schema(WorkOrderFieldTimeSerializer, "抢修出发")
    @action(detail=True, methods=["post"])
    def depart(self, request, key=None):
        return self._act(Action.DEPART, WorkOrderFieldTimeSerializer)

    @_action_schema(WorkOrderRestoreSerializer, "恢复送电（故障原因）")
    @action(detail=True, methods=["post"])
    def restore(self, request, key=None):
        return self._act(Action.RESTORE, WorkOrderRestoreSerializer)

    @extend_schema(
        request={"multipart/form-data": WorkOrderPhotoUploadSerializer},
        responses={201: WorkOrderPhotoSerializer},
        summary="上传现场照片",
    )
    @action(
        detail=True, methods=["post"], url_path="photos", url_name="photos", parser_classes=[MultiPartParser]
    )
    def add_photo(self, request, key=None):
        seen = services.work_order_resolve(request.user, key)
        data = self._input(WorkOrderPhotoUploadSerializer)
        upload = data["photo"]
        if upload.size > services.PHOTO_MAX_BYTES:
            raise ApplicationError(_("照片过大（最大 8 MB）"), field="photo", code="too_large")
        photo = services.work_order_photo_add(
            actor=request.user,
            order=seen,
            content=upload.read(),
            filename=upload.name,
            caption=data["caption"],
        )
        return Response(WorkOrderPhotoSerializer(photo).data, status=status.HTTP_201_CREATED)

    @_action_schema(WorkOrderReplySerializer, "回单")
    @action(detail=True, methods=["post"])
    def reply(self, request, key=None):
        return self._act(Action.REPLY, WorkOrderReplySerializer)

    @_action_schema(WorkOrderNoteSerializer, "回访")
    @action(detail=True, methods=["post"])
    def callback(self, request, key=None):
        return self._act(Action.CALLBACK, WorkOrderNoteSerializer)

    @_action_schema(WorkOrderArchiveSerializer, "归档")
    @action(detail=True, methods=["post"])
    def archive(self, request, key=None):
        return self._act(Action.ARCHIVE, WorkOrderArchiveSerializer)

    @_action_schema(WorkOrderReasonSerializer, "退单")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, key=None):
        return self._act(Action.RETURN, WorkOrderReasonSerializer)

    @_action_schema(WorkOrderReasonSerializer, "撤销")
    @action(detail=True, methods=["post"])
    def cancel(self, request, key=None):
        return self._act(Action.CANCEL, WorkOrderReasonSerializer)

    @_action_schema(WorkOrderReasonSerializer, "重新处理")
    @action(detail=True, methods=["post"])
    def reopen(self, request, key=None):
        return self._act(Action.REOPEN, WorkOrderReasonSerializer)

    @_action_schema(WorkOrderReasonSerializer, "暂停计时（等待客户）")
    @action(detail=True, methods=["post"])
    def pause(self, request, key=None):
        return self._act(Action.PAUSE, WorkOrderReasonSerializer)

    @_action_schema(WorkOrderNoteSerializer, "恢复计时")
    @action(detail=True, methods=["post"])
    def resume(self, request, key=None):
        return self._act(Action.RESUME, WorkOrderNoteSerializer)

    @_action_schema(WorkOrderMergeSerializer, "并入主单")
    @action(detail=True, methods=["post"])
    def merge(self, request, key=None):
        return self._act(Action.MERGE, WorkOrderMergeSerializer)

    @_action_schema(WorkOrderNoteSerializer, "解除合并")
    @action(detail=True, methods=["post"])
    def detach(self, request, key=None):
        return self._act(Action.DETACH, WorkOrderNoteSerializer)

    @_action_schema(WorkOrderUrgeSerializer, "催办")
    @action(detail=True, methods=["post"])
    def urge(self, request, key=None):
        return self._act(Action.URGE, WorkOrderUrgeSerializer)

    @_action_schema(WorkOrderPrioritySerializer, "调整优先级")
    @action(detail=True, methods=["post"])
    def priority(self, request, key=None):
        return self._act(Action.PRIORITY, WorkOrderPrioritySerializer)


class WorkOrderPhotoFileView(APIView):
    """The file of a site photo, for anyone who may see the order (session or token)."""

    permissions_by_action = {"get": "workorders.view"}

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY}, summary="现场照片文件")
    def get(self, request, key: str, token: str):
        from django.http import FileResponse

        from ..models import WorkOrder

        try:
            order = selectors.work_order_get(request.user, key)
        except WorkOrder.DoesNotExist:
            raise Http404 from None
        photo = selectors.work_order_photos(request.user, order).filter(token=token).first()
        if photo is None:
            raise Http404
        try:
            handle = photo.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response
