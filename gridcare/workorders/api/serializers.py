"""Serializers of the work-order API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from gridcare.core.authz import has_perm
from gridcare.core.limits import DESCRIPTION_MAX, NAME_MAX, TEXT_MAX
from gridcare.core.serializers import CachedFieldsMixin, ExcerptField
from gridcare.core.textutil import mask_phone
from gridcare.grid.choices import AreaClass

from ..choices import (
    Action,
    ApplicationSubtype,
    Channel,
    ClockBasis,
    ClockKind,
    Dimension,
    FaultCause,
    Priority,
    RequestType,
    Status,
)
from ..models import WorkOrder, WorkOrderClock, WorkOrderEvent


class ChoiceLabelField(serializers.CharField):
    """The translated label of a choice column, read from a dict.

    ``get_FOO_display`` rebuilds the field's choices dict on every call, hashing each lazy
    label (a translation lookup per choice): on a 50-row page that was a quarter of the
    request's time.
    """

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        label = self.labels.get(value)
        return value if label is None else str(label)


class WorkOrderListSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    """One row of a work-order list: what a queue needs, with no further queries per row."""

    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    status_label = ChoiceLabelField(Status.choices, source="status")
    request_type_label = ChoiceLabelField(RequestType.choices, source="request_type")
    dimension_label = ChoiceLabelField(Dimension.choices, source="dimension")
    # Blank on orders without a subtype: read-only model fields lose allow_blank, say it here.
    subtype = serializers.ChoiceField(choices=ApplicationSubtype.choices, read_only=True, allow_blank=True)
    description = ExcerptField()
    unit = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    customer = serializers.CharField(
        source="customer.customer_no", read_only=True, allow_null=True, default=None
    )
    customer_name = serializers.CharField(
        source="customer.name", read_only=True, allow_null=True, default=None
    )
    area = serializers.CharField(source="area.code", read_only=True, allow_null=True, default=None)
    overdue = serializers.SerializerMethodField()
    remaining_seconds = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "order_no",
            "status",
            "status_label",
            "channel",
            "request_type",
            "request_type_label",
            "subtype",
            "dimension",
            "dimension_label",
            "priority",
            "description",
            "customer",
            "customer_name",
            "area",
            "unit",
            "unit_name",
            "master",
            "children_count",
            "due_at",
            "overdue",
            "remaining_seconds",
            "urge_count",
            "created_at",
            "version",
        ]
        read_only_fields = fields

    def _now(self):
        now = self.context.get("now")
        if now is None:
            now = self.context["now"] = timezone.now()
        return now

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(self._now())

    def get_remaining_seconds(self, obj) -> int | None:
        return obj.remaining_seconds(self._now())


class WorkOrderClockSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ClockKind.choices, read_only=True)
    kind_label = ChoiceLabelField(ClockKind.choices, source="kind")
    basis = serializers.ChoiceField(choices=ClockBasis.choices, read_only=True)
    remaining_seconds = serializers.SerializerMethodField()
    met_late = serializers.BooleanField(read_only=True)
    provisional = serializers.BooleanField(
        read_only=True,
        help_text="暂定：按工作日计算、跨入尚未录入节假日的年份；录入该年后自动重算",
    )

    class Meta:
        model = WorkOrderClock
        fields = [
            "kind",
            "kind_label",
            "basis",
            "amount",
            "started_at",
            "due_at",
            "provisional",
            "met_at",
            "met_late",
            "paused_since",
            "paused_seconds",
            "remaining_seconds",
        ]
        read_only_fields = fields

    def get_remaining_seconds(self, obj) -> int | None:
        return obj.remaining_seconds()


class WorkOrderEventSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    action = serializers.ChoiceField(choices=Action.choices, read_only=True)
    action_label = ChoiceLabelField(Action.choices, source="action")
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)
    # Plain strings (status codes, or "" on creation): a second enum of the statuses would
    # make the schema name one choice set twice.
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    text = serializers.CharField(
        read_only=True,
        help_text="The entry in the caller's language: the system's words (data.msg, rendered now), then the note",
    )

    class Meta:
        model = WorkOrderEvent
        fields = ["at", "actor", "action", "action_label", "from_status", "to_status", "note", "text", "data"]
        read_only_fields = fields


class WorkOrderPhotoSerializer(serializers.Serializer):
    """A site photo: its metadata and where to fetch the file (signed-in users who may see the order)."""

    token = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)
    caption = serializers.CharField(read_only=True)
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", read_only=True, allow_null=True, default=None
    )
    uploaded_at = serializers.DateTimeField(read_only=True)

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("work-order-photo-file", kwargs={"key": obj.order_id, "token": obj.token})


class WorkOrderPhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text="JPEG / PNG / WebP, 最大 8 MB")
    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class WorkOrderDetailSerializer(WorkOrderListSerializer):
    """The whole order: owner, handler, clocks, timeline, children and the actions allowed now."""

    accepted_unit = serializers.CharField(source="accepted_unit.code", read_only=True)
    accepted_by = serializers.CharField(
        source="accepted_by.username", read_only=True, allow_null=True, default=None
    )
    handler = serializers.CharField(source="handler.username", read_only=True, allow_null=True, default=None)
    feeder = serializers.CharField(source="feeder.code", read_only=True, allow_null=True, default=None)
    master_no = serializers.CharField(source="master.order_no", read_only=True, allow_null=True, default=None)
    area_class = serializers.ChoiceField(choices=AreaClass.choices, read_only=True, allow_blank=True)
    description = serializers.CharField(read_only=True)
    children = serializers.SerializerMethodField()
    fault_cause = serializers.ChoiceField(choices=FaultCause.choices, read_only=True, allow_blank=True)
    photos = WorkOrderPhotoSerializer(many=True, read_only=True)
    clocks = WorkOrderClockSerializer(many=True, read_only=True)
    events = WorkOrderEventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    due_at_provisional = serializers.SerializerMethodField(
        help_text="due_at 是暂定时限（其时限跨入尚未录入节假日的年份）"
    )

    class Meta(WorkOrderListSerializer.Meta):
        fields = [
            *WorkOrderListSerializer.Meta.fields,
            "contact_name",
            "contact_phone",
            "address",
            "area_class",
            "feeder",
            "accepted_unit",
            "accepted_by",
            "handler",
            "master_no",
            "children",
            "departed_at",
            "arrived_at",
            "isolated_at",
            "restored_at",
            "fault_cause",
            "photos",
            "reply",
            "return_reason",
            "cancel_reason",
            "satisfied",
            "clock_paused_at",
            "due_at_provisional",
            "replied_at",
            "closed_at",
            "updated_at",
            "clocks",
            "events",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_contact_phone(self, obj) -> str:
        """Shown in full to roles that contact customers, masked for everyone else."""
        request = self.context.get("request")
        if request is not None and has_perm(request.user, "customers.reveal"):
            return obj.contact_phone
        return mask_phone(obj.contact_phone)

    def get_due_at_provisional(self, obj) -> bool:
        from ..rules import due_at_provisional

        return due_at_provisional(obj.due_at, obj.clocks.all())

    def get_children(self, obj) -> list[str]:
        return [c.order_no for c in obj.children.all()]

    def get_allowed_actions(self, obj) -> list[str]:
        """The actions the caller may take on this order now (the order page offers the same)."""
        from ..selectors import work_order_allowed_actions

        request = self.context.get("request")
        if request is None:
            return []
        return work_order_allowed_actions(request.user, obj)


class WorkOrderCreateSerializer(serializers.Serializer):
    """Accept a request. ``customer`` is a customer number, ``area`` a transformer-area code."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    subtype = serializers.ChoiceField(
        choices=ApplicationSubtype.choices, required=False, allow_blank=True, default=""
    )
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    description = serializers.CharField(allow_blank=True, trim_whitespace=True, max_length=DESCRIPTION_MAX)
    customer = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    area = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, allow_null=True, default=None
    )
    contact_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=NAME_MAX)
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    answered = serializers.BooleanField(
        required=False, default=False, help_text="咨询在受理时已直接答复（直接进入已回单）"
    )
    reply = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)
    notice_ref = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=64,
        help_text="来电提示的编号（如停电查询返回的停电编号）：报修并入该停电的主工单，而不另行派工",
    )


class _VersionedSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="客户端看到的版本；已被他人修改时返回 409",
    )


class WorkOrderDispatchSerializer(_VersionedSerializer):
    unit = serializers.CharField(help_text="目标单位编码", max_length=32)
    handler = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="处理人用户名", max_length=150
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


class WorkOrderTransferSerializer(_VersionedSerializer):
    unit = serializers.CharField(help_text="目标单位编码", max_length=32)
    handler = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)


class WorkOrderNoteSerializer(_VersionedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


class WorkOrderReplySerializer(_VersionedSerializer):
    reply = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)


class WorkOrderArchiveSerializer(_VersionedSerializer):
    satisfied = serializers.BooleanField(
        allow_null=True,
        help_text="必填，无默认值：客户是否满意。true 满意，false 不满意，null 未能确认"
        "（例如联系不上客户）。Required, no default: true satisfied, false unsatisfied, null unknown.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


class WorkOrderReasonSerializer(_VersionedSerializer):
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)


class WorkOrderMergeSerializer(_VersionedSerializer):
    master = serializers.CharField(help_text="主单号或ID", max_length=64)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


class WorkOrderFieldTimeSerializer(_VersionedSerializer):
    at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="实际时间（空：现在）"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


class WorkOrderRestoreSerializer(WorkOrderFieldTimeSerializer):
    fault_cause = serializers.ChoiceField(choices=FaultCause.choices)
    isolated_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="故障隔离时间（可选；到达现场后、恢复送电前）",
    )


class WorkOrderPrioritySerializer(_VersionedSerializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)


class WorkOrderUrgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)
