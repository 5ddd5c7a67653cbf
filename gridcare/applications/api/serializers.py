"""Serializers of the applications API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from rest_framework import serializers

from gridcare.core.limits import NAME_MAX, TEXT_MAX
from gridcare.core.messages import render_stored

from ..choices import ApplicationSubtype, Channel, CustomerCategory, TimeWindow, Variant
from ..models import Application, ApplicationEvent, ApplicationStage, ProcessFollowUp


class ApplicationSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text="编号（YK+序号）")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True, help_text="办理单位编码")
    customer_no = serializers.CharField(
        source="customer.customer_no", read_only=True, allow_null=True, default=None
    )
    accepted_by = serializers.CharField(source="accepted_by.username", read_only=True)
    current_stage = serializers.CharField(
        source="current_stage.name", read_only=True, allow_null=True, default=None
    )
    current_stage_seq = serializers.IntegerField(
        source="current_stage.seq", read_only=True, allow_null=True, default=None
    )
    current_stage_due_at = serializers.DateTimeField(
        source="current_stage.due_at", read_only=True, allow_null=True, default=None
    )
    stalled = serializers.BooleanField(read_only=True, help_text="停滞：办理中且超过设定工作日未流转")
    awaiting_answer = serializers.BooleanField(read_only=True, help_text="停滞或终止后尚未答复")
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "kind",
            "category",
            "variant",
            "channel",
            "customer_no",
            "applicant_name",
            "unit",
            "plan_name",
            "accepted_by",
            "accepted_at",
            "status",
            "status_label",
            "current_stage",
            "current_stage_seq",
            "current_stage_due_at",
            "overall_limit_days",
            "paused_days",
            "due_at",
            "last_moved_at",
            "completed_at",
            "terminated_at",
            "home_visit_due_at",
            "home_visit_date",
            "home_visit_window",
            "stalled",
            "awaiting_answer",
            "overdue",
            "version",
        ]


class ApplicationStageSerializer(serializers.ModelSerializer):
    owner_unit = serializers.CharField(
        source="owner_unit.code", read_only=True, allow_null=True, default=None
    )
    received = serializers.SerializerMethodField(help_text="已收取的资料")

    class Meta:
        model = ApplicationStage
        fields = [
            "seq",
            "code",
            "name",
            "status",
            "limit_days",
            "owner_role",
            "owner_unit",
            "documents",
            "received",
            "optional",
            "started_at",
            "due_at",
            "paused_days",
            "completed_at",
            "working_days",
            "note",
        ]

    def get_received(self, obj) -> list[str]:
        return sorted(d.name for d in obj.received.all())


class ApplicationEventSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    code = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationEvent
        fields = ["at", "code", "text", "notified"]

    def get_text(self, obj) -> str:
        return render_stored(obj.message)

    def get_code(self, obj) -> str:
        return obj.message.get("code", "")


class ProcessFollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessFollowUp
        fields = ["kind", "since", "opened_at", "reason", "reply", "answered_at"]


class ApplicationDetailSerializer(ApplicationSerializer):
    stages = ApplicationStageSerializer(source="stage_rows", many=True, read_only=True)
    events = ApplicationEventSerializer(source="event_rows", many=True, read_only=True)
    follow_ups = ProcessFollowUpSerializer(source="follow_up_rows", many=True, read_only=True)
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)
    terminate_reason = serializers.CharField(read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "terminate_reason",
            "stages",
            "events",
            "follow_ups",
            "allowed_actions",
        ]


class ApplicationAcceptSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicationSubtype.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(
        choices=CustomerCategory.choices, required=False, allow_blank=True, default=""
    )
    variant = serializers.ChoiceField(choices=Variant.choices, required=False, default=Variant.STANDARD)
    customer_no = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    applicant_name = serializers.CharField(max_length=NAME_MAX, required=False, allow_blank=True, default="")
    applicant_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    applicant_address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    unit = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="办理单位编码（无户号时）"
    )
    work_order = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="工单ID"
    )


class _Versioned(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class StageCompleteSerializer(_Versioned):
    stage = serializers.IntegerField(min_value=1, max_value=100, help_text="当前环节的顺序号")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    skip = serializers.BooleanField(required=False, default=False, help_text="可不适用的环节：不适用")


class ApplicationPauseSerializer(_Versioned):
    reason = serializers.CharField(max_length=500)


class ApplicationTerminateSerializer(_Versioned):
    reason = serializers.CharField(max_length=500)


class HomeVisitSerializer(_Versioned):
    date = serializers.DateField()
    window = serializers.ChoiceField(choices=TimeWindow.choices)


class FollowUpSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX)
    reply = serializers.CharField(max_length=TEXT_MAX)


class DocumentReceiveSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    file = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="扫描件（multipart）"
    )


class ReportRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    accepted = serializers.IntegerField()
    completed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    stalled = serializers.IntegerField()
    terminated = serializers.IntegerField()
    answered = serializers.IntegerField()
    avg_stage_days = serializers.FloatField(allow_null=True)


class ReportStageSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()
    avg = serializers.FloatField(allow_null=True)
    late = serializers.IntegerField()


class ProcessReportSerializer(serializers.Serializer):
    month = serializers.CharField()
    by = serializers.CharField()
    rows = ReportRowSerializer(many=True)
    stages = ReportStageSerializer(many=True)
    totals = serializers.DictField()
