"""Serializers of the key-account API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import serializers

from gridcare.core.limits import NAME_MAX, TEXT_MAX
from gridcare.core.uploads import DOCUMENT_MAX_BYTES

from ..choices import DrillResult, Severity
from ..models import Drill, EmergencyPlan, InspectionFinding, SafetyInspection, ServicePackage, Subscription
from ..services import CONTACTS_MAX, FINDINGS_MAX

DOC_HELP = f"PDF、Word（DOCX）或图片（JPEG/PNG/WebP），≤{DOCUMENT_MAX_BYTES // 1024 // 1024} MB（multipart）"


class ServicePackageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServicePackage
        fields = ["id", "code", "name", "includes", "inspection_interval_months", "active"]


class SubscriptionSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.customer_no", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    package = serializers.CharField(source="package.code", read_only=True)
    package_name = serializers.CharField(source="package.name", read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "customer",
            "customer_name",
            "package",
            "package_name",
            "start_date",
            "ended_on",
            "version",
        ]


class SubscriptionCreateSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=20, help_text="户号")
    package = serializers.CharField(max_length=32, help_text="服务包编码")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)


class KeyAccountVersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class InspectionFindingSerializer(serializers.ModelSerializer):
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    rectification = serializers.IntegerField(source="rectification_id", read_only=True, allow_null=True)

    class Meta:
        model = InspectionFinding
        fields = ["id", "description", "severity", "severity_label", "needs_work", "rectification"]


class SafetyInspectionSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.customer_no", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    package = serializers.CharField(source="subscription.package.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    inspector = serializers.CharField(
        source="inspector.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = SafetyInspection
        fields = [
            "id",
            "customer",
            "customer_name",
            "package",
            "seq",
            "due_date",
            "status",
            "status_label",
            "done_on",
            "inspector",
            "notes",
            "version",
        ]


class SafetyInspectionDetailSerializer(SafetyInspectionSerializer):
    findings = InspectionFindingSerializer(source="finding_rows", many=True, read_only=True)

    class Meta(SafetyInspectionSerializer.Meta):
        fields = [*SafetyInspectionSerializer.Meta.fields, "findings"]


class FindingInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    severity = serializers.ChoiceField(choices=Severity.choices)
    needs_work = serializers.BooleanField(default=False)


class InspectionRecordSerializer(KeyAccountVersionSerializer):
    done_on = serializers.DateField()
    notes = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    findings = FindingInputSerializer(many=True, required=False, default=list, max_length=FINDINGS_MAX)


class ReasonSerializer(KeyAccountVersionSerializer):
    reason = serializers.CharField(max_length=TEXT_MAX)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX)
    role = serializers.CharField(max_length=NAME_MAX, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class DrillSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    result_label = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = Drill
        fields = [
            "id",
            "plan",
            "scheduled_for",
            "status",
            "status_label",
            "held_on",
            "participants",
            "result",
            "result_label",
            "notes",
            "version",
        ]


class EmergencyPlanSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.customer_no", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    state = serializers.CharField(read_only=True, help_text="current / expiring / expired（停用的预案为空）")
    has_document = serializers.SerializerMethodField()
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = EmergencyPlan
        fields = [
            "id",
            "customer",
            "customer_name",
            "title",
            "review_date",
            "state",
            "active",
            "has_document",
            "filename",
            "content_type",
            "size",
            "contacts",
            "backup_power",
            "backup_capacity_kw",
            "version",
        ]

    def get_has_document(self, obj) -> bool:
        return bool(obj.document)


class EmergencyPlanDetailSerializer(EmergencyPlanSerializer):
    drills = DrillSerializer(source="drill_rows", many=True, read_only=True)

    class Meta(EmergencyPlanSerializer.Meta):
        fields = [*EmergencyPlanSerializer.Meta.fields, "drills"]


class EmergencyPlanCreateSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=20, help_text="户号")
    title = serializers.CharField(max_length=200)
    review_date = serializers.DateField()
    document = serializers.FileField(help_text=DOC_HELP)
    contacts = serializers.JSONField(
        required=False, default=list, help_text="[{name, role, phone}]，最多10位"
    )
    backup_power = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    backup_capacity_kw = serializers.DecimalField(
        max_digits=9,
        decimal_places=1,
        min_value=0,
        max_value=1000000,
        required=False,
        allow_null=True,
        default=None,
    )

    def validate_contacts(self, value):
        if (
            not isinstance(value, list)
            or len(value) > CONTACTS_MAX
            or not all(isinstance(c, dict) for c in value)
        ):
            raise serializers.ValidationError(
                gettext("最多 %(n)s 位联系人，每位为 {name, role, phone}") % {"n": CONTACTS_MAX}
            )
        return value


class EmergencyPlanReviewSerializer(KeyAccountVersionSerializer):
    title = serializers.CharField(max_length=200, required=False)
    review_date = serializers.DateField(required=False)
    document = serializers.FileField(required=False, help_text=DOC_HELP)
    contacts = serializers.JSONField(required=False)
    backup_power = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    backup_capacity_kw = serializers.DecimalField(
        max_digits=9, decimal_places=1, min_value=0, max_value=1000000, required=False
    )

    validate_contacts = EmergencyPlanCreateSerializer.validate_contacts


class DrillScheduleSerializer(serializers.Serializer):
    scheduled_for = serializers.DateField()


class DrillRecordSerializer(KeyAccountVersionSerializer):
    held_on = serializers.DateField()
    result = serializers.ChoiceField(choices=DrillResult.choices)
    participants = serializers.CharField(max_length=TEXT_MAX)
    notes = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
