"""Serializers of the rectification API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from rest_framework import serializers

from gridcare.core.limits import DESCRIPTION_MAX, TEXT_MAX
from gridcare.core.uploads import DOCUMENT_MAX_BYTES

from ..models import RectificationEvidence, RectificationItem, RectificationSetting, RectificationWarning
from ..sources import source_label

DAYS_BOUNDS = RectificationSetting.SPEC[RectificationSetting.DEFAULT_DUE_WORKING_DAYS][1:]


class RectificationItemSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text="编号（ZG+序号）")
    source_label = serializers.SerializerMethodField(help_text="来源（文字）")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True, help_text="责任单位编码")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    description = serializers.CharField(source="detail", read_only=True, help_text="问题描述")
    owner = serializers.CharField(source="owner.username", read_only=True, allow_null=True, default=None)
    overdue = serializers.BooleanField(read_only=True, help_text="待整改且已过整改期限")

    class Meta:
        model = RectificationItem
        fields = [
            "id",
            "number",
            "source_kind",
            "source_label",
            "source_ref",
            "title",
            "description",
            "unit",
            "unit_name",
            "owner",
            "due_date",
            "status",
            "status_label",
            "overdue",
            "cycle",
            "opened_at",
            "fixed_at",
            "verified_at",
            "cancelled_at",
            "version",
        ]

    def get_source_label(self, obj) -> str:
        return source_label(obj.source_kind)


class RectificationEvidenceSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, allow_null=True, default=None)
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = RectificationEvidence
        fields = ["cycle", "text", "at", "by", "has_file", "filename", "content_type", "size", "token"]

    def get_has_file(self, obj) -> bool:
        return bool(obj.file)


class RectificationWarningSerializer(serializers.ModelSerializer):
    escalated_to = serializers.CharField(
        source="escalated_to.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = RectificationWarning
        fields = ["cycle", "percent", "due_at", "threshold_at", "at", "escalated_to"]


class RectificationItemDetailSerializer(RectificationItemSerializer):
    evidence = RectificationEvidenceSerializer(source="evidence_rows", many=True, read_only=True)
    warnings = RectificationWarningSerializer(source="warning_rows", many=True, read_only=True)
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)
    verify_note = serializers.CharField(read_only=True)
    reopen_reason = serializers.CharField(read_only=True)
    cancel_reason = serializers.CharField(read_only=True)

    class Meta(RectificationItemSerializer.Meta):
        fields = [
            *RectificationItemSerializer.Meta.fields,
            "verify_note",
            "reopen_reason",
            "cancel_reason",
            "evidence",
            "warnings",
            "allowed_actions",
        ]


class RectificationOpenSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    # Not ``detail``: an error body's top-level ``detail`` is the error message.
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default="", help_text="问题描述"
    )
    unit = serializers.CharField(max_length=32, help_text="责任单位编码")
    owner = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="责任人用户ID"
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    due_in_working_days = serializers.IntegerField(
        min_value=DAYS_BOUNDS[0], max_value=DAYS_BOUNDS[1], required=False, allow_null=True, default=None
    )


class _Versioned(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class RectificationFixSerializer(_Versioned):
    evidence = serializers.CharField(max_length=TEXT_MAX, help_text="整改情况")
    evidence_file = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        help_text=f"佐证文件：照片（JPEG/PNG/WebP）、PDF 或 Word（DOCX），≤{DOCUMENT_MAX_BYTES // 1024 // 1024} MB（multipart）",
    )


class RectificationVerifySerializer(_Versioned):
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class RectificationReopenSerializer(_Versioned):
    reason = serializers.CharField(max_length=TEXT_MAX)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    due_in_working_days = serializers.IntegerField(
        min_value=DAYS_BOUNDS[0], max_value=DAYS_BOUNDS[1], required=False, allow_null=True, default=None
    )


class RectificationCancelSerializer(_Versioned):
    reason = serializers.CharField(max_length=TEXT_MAX)
