"""Serializers of the outages API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from gridcare.core.limits import TEXT_MAX
from gridcare.core.params import DATETIME_YEARS

from ..choices import OutageKind, OutageStatus
from ..models import Outage

CODE_MAX = 64
CODES_MAX = 500


class BoundedDateTimeField(serializers.DateTimeField):
    """A datetime within ``DATETIME_YEARS`` (far from year 1 and 9999, so storing it in UTC
    cannot overflow); anything else is refused naming the field."""

    def to_internal_value(self, value):
        lo, hi = DATETIME_YEARS
        message = _("时间须在 %(lo)s 年至 %(hi)s 年之间") % {"lo": lo, "hi": hi}
        try:
            result = super().to_internal_value(value)
        except OverflowError:  # year 1 or 9999: converting to UTC leaves the calendar
            raise serializers.ValidationError(message) from None
        if not lo <= result.year <= hi:
            raise serializers.ValidationError(message)
        return result


def _optional_time(help_text: str):
    return BoundedDateTimeField(required=False, allow_null=True, default=None, help_text=help_text)


def _codes(help_text: str, **kwargs):
    return serializers.ListField(
        child=serializers.CharField(max_length=CODE_MAX),
        max_length=CODES_MAX,
        help_text=help_text,
        **kwargs,
    )


class OutageSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    area_count = serializers.IntegerField(read_only=True, help_text="停电台区数")
    customers_affected = serializers.IntegerField(read_only=True, help_text="停电客户数（停电时冻结）")
    customers_off = serializers.IntegerField(read_only=True, help_text="尚未恢复送电的客户数")

    class Meta:
        model = Outage
        fields = [
            "outage_no",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "cause",
            "planned_start",
            "planned_end",
            "started_at",
            "restored_at",
            "estimated_restoration",
            "isolated_at",
            "version",
            "area_count",
            "customers_affected",
            "customers_off",
        ]


class OutageAreaSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="台区编码")
    name = serializers.CharField(help_text="台区名称")
    started_at = serializers.DateTimeField(allow_null=True)
    restored_at = serializers.DateTimeField(allow_null=True)
    restored = serializers.BooleanField(help_text="该台区已恢复送电")
    customers_affected = serializers.IntegerField()
    customers_off = serializers.IntegerField()


class OutageWarningSerializer(serializers.Serializer):
    percent = serializers.IntegerField(help_text="预警级别（已用时限百分比；100 为超时升级）")
    due_at = serializers.DateTimeField(help_text="当时的恢复送电时限")
    threshold_at = serializers.DateTimeField(help_text="达到该级别的时点")
    at = serializers.DateTimeField(help_text="发出时间")
    escalated_to = serializers.CharField(
        source="escalated_to.code", allow_null=True, default=None, help_text="超时升级至的单位编码"
    )


class OutageDetailSerializer(OutageSerializer):
    """One outage with its areas and its restoration deadline (the view sets ``area_rows``:
    ``selectors.outage_area_rows``, ``restoration_due`` …: ``overdue.attach_restoration_state``,
    and ``warning_rows``: ``overdue.outage_warnings``)."""

    areas = OutageAreaSerializer(many=True, read_only=True, source="area_rows")
    restoration_due_at = serializers.DateTimeField(
        source="restoration_due.at",
        allow_null=True,
        default=None,
        read_only=True,
        help_text="恢复送电时限：预计恢复时间，否则计划送电时间，否则（故障）抢修承诺时限",
    )
    restoration_due_basis = serializers.CharField(
        source="restoration_due.basis",
        allow_null=True,
        default=None,
        read_only=True,
        help_text="时限依据：estimate / planned / commitment",
    )
    restoration_overdue = serializers.BooleanField(read_only=True, help_text="停电中且已过恢复送电时限")
    warnings = OutageWarningSerializer(many=True, read_only=True, source="warning_rows")

    class Meta(OutageSerializer.Meta):
        fields = [
            *OutageSerializer.Meta.fields,
            "areas",
            "restoration_due_at",
            "restoration_due_basis",
            "restoration_overdue",
            "warnings",
        ]


class OutageCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OutageKind.choices)
    feeders = _codes("线路编码：线路下的全部台区停电", required=False, default=list)
    areas = _codes("台区编码", required=False, default=list)
    cause = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)
    planned_start = _optional_time("计划停电时间")
    planned_end = _optional_time("计划送电时间")
    started_at = _optional_time("已停电时填写：停电时间（同时冻结停电客户）")
    estimated_restoration = _optional_time("预计恢复时间")
    outage_no = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=32, help_text="停电编号（空：自动编号）"
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


class OutageStartSerializer(_VersionedSerializer):
    at = _optional_time("停电时间（空：现在）")


class OutageRestoreSerializer(_VersionedSerializer):
    areas = _codes(
        "恢复送电的台区编码（空：全部尚未恢复的台区）", required=False, allow_null=True, default=None
    )
    at = _optional_time("恢复送电时间（空：现在）")


class OutageIsolateSerializer(_VersionedSerializer):
    at = _optional_time("故障隔离时间（空：现在）")


class OutageCancelSerializer(_VersionedSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


class LookupOutageSerializer(serializers.Serializer):
    outage_no = serializers.CharField()
    kind = serializers.ChoiceField(choices=OutageKind.choices)
    kind_label = serializers.CharField()
    status = serializers.ChoiceField(choices=OutageStatus.choices)
    started_at = serializers.DateTimeField(allow_null=True)
    estimated_restoration = serializers.DateTimeField(allow_null=True)
    cause = serializers.CharField()
    planned_start = serializers.DateTimeField(allow_null=True)
    planned_end = serializers.DateTimeField(allow_null=True)


class LookupSerializer(serializers.Serializer):
    customer_found = serializers.BooleanField(help_text="找到了该户号或电话的客户（本单位范围内）")
    in_outage = serializers.BooleanField(help_text="客户所在台区正在停电，或今天计划停电")
    outage = LookupOutageSerializer(allow_null=True)
