"""Serializers of the inspections API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from rest_framework import serializers

from gridcare.core.limits import DESCRIPTION_MAX

from ..choices import InspectionKind
from ..models import Inspection, InspectionFile, InspectionResult, InspectionSite


class InspectionSiteSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True, help_text="责任单位编码")
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = InspectionSite
        fields = ["id", "kind", "kind_label", "name", "unit", "unit_name", "hall", "per_quarter", "active"]


class InspectionSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text="编号（JC+序号）")
    site_name = serializers.CharField(source="site.name", read_only=True)
    site_kind = serializers.CharField(source="site.kind", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    inspector = serializers.CharField(source="inspector.username", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "number",
            "site",
            "site_name",
            "site_kind",
            "kind",
            "kind_label",
            "checklist",
            "at",
            "inspector",
            "score",
            "pass_mark",
            "passed",
            "vetoed",
            "status",
            "status_label",
            "published_at",
            "version",
        ]


class InspectionResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionResult
        fields = ["position", "text", "weight", "veto", "passed", "note", "rectification_id"]


class InspectionFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionFile
        fields = ["token", "filename", "content_type", "size", "at"]


class InspectionDetailSerializer(InspectionSerializer):
    findings = serializers.CharField(read_only=True)
    results = InspectionResultSerializer(source="result_rows", many=True, read_only=True)
    files = InspectionFileSerializer(source="file_rows", many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "findings", "results", "files"]


class ResultInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, help_text="检查项 id")
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class InspectionCreateSerializer(serializers.Serializer):
    site = serializers.IntegerField(min_value=1, help_text="检查对象 id")
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    checklist = serializers.IntegerField(min_value=1)
    at = serializers.DateTimeField(help_text="检查时间")
    findings = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default="")
    results = ResultInputSerializer(many=True, allow_empty=False, max_length=200)


class VersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
