"""Serializers of the data-quality API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from rest_framework import serializers

from gridcare.core.limits import TEXT_MAX
from gridcare.core.messages import render_stored

from ..models import CheckRun, Finding
from ..services import BULK_ASSIGN_MAX

MAX_ID = 2**63 - 1


class FindingSerializer(serializers.ModelSerializer):
    code_label = serializers.CharField(source="get_code_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    text = serializers.SerializerMethodField(help_text="问题说明（按读者语言）")
    customer_no = serializers.CharField(
        source="customer.customer_no", read_only=True, allow_null=True, default=None
    )
    area_code = serializers.CharField(source="area.code", read_only=True, allow_null=True, default=None)
    station = serializers.CharField(source="station.code", read_only=True)
    assignee = serializers.CharField(
        source="assignee.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "code",
            "code_label",
            "text",
            "details",
            "customer_no",
            "area_code",
            "station",
            "status",
            "status_label",
            "assignee",
            "note",
            "auto_closed",
            "first_seen_at",
            "last_seen_at",
            "closed_at",
            "version",
        ]

    def get_text(self, obj) -> str:
        return render_stored(obj.details)


class DataQualityVersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1
    )


class AssignSerializer(DataQualityVersionSerializer):
    assignee = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="处理人的用户 ID")


class CloseSerializer(DataQualityVersionSerializer):
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class BulkAssignSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=BULK_ASSIGN_MAX,
    )
    assignee = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class BulkAssignResultSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()
    skipped = serializers.IntegerField()


class CheckRunSerializer(serializers.ModelSerializer):
    trigger_label = serializers.CharField(source="get_trigger_display", read_only=True)

    class Meta:
        model = CheckRun
        fields = ["id", "started_at", "finished_at", "trigger", "trigger_label", "counts"]
