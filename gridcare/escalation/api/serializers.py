"""Serializers of the escalation API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from rest_framework import serializers

from gridcare.core.limits import DESCRIPTION_MAX, TEXT_MAX
from gridcare.core.params import MAX_ID
from gridcare.core.textutil import mask_phone

from ..choices import (
    CallbackResult,
    CompensationKind,
    FailureCause,
    FailureOrigin,
    FailureSource,
    RecoveryKind,
    UrgeChannel,
)
from ..models import (
    CallbackTask,
    Escalation,
    Notification,
    RecoveryAction,
    ServiceFailure,
    SocialSupervisor,
    Urge,
)


class NotificationSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no", read_only=True, allow_null=True, default=None)
    text = serializers.CharField(
        source="message", read_only=True, help_text="The notification in the caller's language"
    )
    code = serializers.CharField(read_only=True, help_text="The message code ('' for free text)")
    params = serializers.JSONField(read_only=True, help_text="The message's parameters")

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "code", "params", "url", "order_no", "created_at", "read_at"]


class NotificationReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        allow_null=True,
        default=None,
        max_length=1000,
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class EscalationSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no", read_only=True)
    from_unit = serializers.CharField(source="from_unit.code", read_only=True)
    to_unit = serializers.CharField(source="to_unit.code", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "order_no", "reason", "from_unit", "to_unit", "to_unit_name", "level", "note", "at"]


class UrgeSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no", read_only=True)
    follow_up = serializers.CharField(
        source="follow_up.order_no", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Urge
        fields = ["id", "order_no", "channel", "words", "number", "at", "follow_up"]


class UrgeCreateSerializer(serializers.Serializer):
    order = serializers.CharField(help_text="工单编号", max_length=64)
    channel = serializers.ChoiceField(choices=UrgeChannel.choices, default=UrgeChannel.HOTLINE)
    words = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


class CallbackTaskSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no", read_only=True)
    request_type = serializers.CharField(source="order.request_type", read_only=True)
    reply = serializers.CharField(source="order.reply", read_only=True)

    class Meta:
        model = CallbackTask
        fields = [
            "id",
            "order_no",
            "request_type",
            "kind",
            "due_at",
            "status",
            "result",
            "words",
            "attempts",
            "last_attempt_at",
            "reply",
        ]


class CallbackRecordSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CallbackResult.choices)
    words = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


class RecoveryActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecoveryAction
        fields = [
            "id",
            "failure",
            "kind",
            "description",
            "amount",
            "compensation_kind",
            "status",
            "authority_limit",
            "proposed_at",
            "decided_at",
            "decision_note",
            "done_at",
        ]


class RecoveryProposeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RecoveryKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, default=0)
    compensation_kind = serializers.ChoiceField(
        choices=CompensationKind.choices, required=False, allow_blank=True, default=""
    )


class RecoveryDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=RecoveryAction._meta.get_field("decision_note").max_length,
    )


class ServiceFailureSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no", read_only=True, allow_null=True, default=None)
    responsible_unit = serializers.CharField(source="responsible_unit.code", read_only=True)
    actions = RecoveryActionSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceFailure
        fields = [
            "id",
            "order_no",
            "source",
            "origin",
            "cause",
            "responsible_unit",
            "responsible_person",
            "description",
            "recorded_at",
            "satisfaction_after",
            "actions",
        ]


class ServiceFailureCreateSerializer(serializers.Serializer):
    order = serializers.CharField(
        help_text="工单编号（投诉属实时必填且须为投诉工单；其他途径可不填）",
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
    )
    source = serializers.ChoiceField(choices=FailureSource.choices, default=FailureSource.COMPLAINT)
    origin = serializers.ChoiceField(choices=FailureOrigin.choices)
    cause = serializers.ChoiceField(choices=FailureCause.choices)
    responsible_unit = serializers.CharField(help_text="责任单位编码", max_length=32)
    responsible_person = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    description = serializers.CharField(max_length=DESCRIPTION_MAX)


class ManualEscalationSerializer(serializers.Serializer):
    order = serializers.CharField(help_text="工单编号", max_length=64)
    reason = serializers.CharField(help_text="提级原因", max_length=300)


class SocialSupervisorSerializer(serializers.ModelSerializer):
    """A social supervisor; the phone is masked for every role (reveal through the audited action)."""

    unit = serializers.CharField(source="unit.code", read_only=True)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = SocialSupervisor
        fields = ["id", "name", "organisation", "phone", "email", "area", "unit", "active", "registered_at"]

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)


class SocialSupervisorCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    organisation = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    phone = serializers.CharField(max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True, default="", max_length=254)
    area = serializers.CharField(max_length=100)
    unit = serializers.CharField(help_text="联系单位编码", max_length=32)


class SupervisorSubmissionSerializer(serializers.Serializer):
    request_type = serializers.CharField(max_length=32)
    dimension = serializers.CharField(max_length=32)
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    subtype = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    customer = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    area = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)


class SupervisorSubmissionResultSerializer(serializers.Serializer):
    order_no = serializers.CharField()


class SocialSupervisorRevealRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


class SocialSupervisorPhoneSerializer(serializers.Serializer):
    phone = serializers.CharField()
