"""Serializers of the proactive API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from gridcare.core.limits import NAME_MAX, TEXT_MAX

from ..choices import TASK_OUTCOMES, CampaignKind, CareList, DemandSource, DemandStatus
from ..models import MAX_DEMAND_KW, Campaign, CampaignTarget, MeterFact, PotentialDemand
from ..services import MESSAGE_MAX


class MeterFactSerializer(serializers.ModelSerializer):
    customer_no = serializers.CharField(source="customer.customer_no", read_only=True)
    area_code = serializers.CharField(source="customer.area.code", read_only=True)
    station = serializers.CharField(source="customer.station.code", read_only=True)
    box_condition_label = serializers.CharField(source="get_box_condition_display", read_only=True)

    class Meta:
        model = MeterFact
        fields = [
            "customer_no",
            "meter_no",
            "installed_on",
            "box_condition",
            "box_condition_label",
            "area_code",
            "station",
        ]


class CampaignSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    care_list_label = serializers.CharField(source="get_care_list_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    station = serializers.CharField(source="station.code", read_only=True, allow_null=True, default=None)
    area = serializers.CharField(source="area.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "care_list",
            "care_list_label",
            "status",
            "status_label",
            "station",
            "area",
            "message",
            "rules",
            "total",
            "launched_at",
            "closed_at",
            "created_at",
            "version",
        ]


class CampaignProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    settled = serializers.IntegerField()
    percent = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="状态 → 户数")


class CampaignDetailSerializer(CampaignSerializer):
    progress = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "progress"]

    def get_progress(self, obj) -> dict:
        p = obj.progress
        return {
            **{k: p[k] for k in ("total", "pending", "settled", "percent")},
            "by_status": {s: n for s, _l, n in p["by_status"]},
        }


class CampaignCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX)
    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    care_list = serializers.ChoiceField(choices=CareList.choices, default=CareList.ANY)
    station = serializers.CharField(max_length=32, required=False, allow_blank=True, help_text="供电所编码")
    area = serializers.CharField(max_length=32, required=False, allow_blank=True, help_text="台区编码")
    message = serializers.CharField(max_length=MESSAGE_MAX, required=False, allow_blank=True)


class ProactiveVersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1
    )


class CampaignCancelSerializer(ProactiveVersionSerializer):
    reason = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class CampaignTargetSerializer(serializers.ModelSerializer):
    customer_no = serializers.CharField(source="customer.customer_no", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CampaignTarget
        fields = [
            "customer_no",
            "meter_no",
            "installed_on",
            "box_condition",
            "meters",
            "status",
            "status_label",
            "note",
            "done_at",
        ]


class TaskRecordSerializer(serializers.Serializer):
    customer_no = serializers.CharField(max_length=20)
    outcome = serializers.ChoiceField(choices=[(s.value, s.label) for s in TASK_OUTCOMES])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PotentialDemandSerializer(serializers.ModelSerializer):
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    station = serializers.CharField(source="station.code", read_only=True)
    area = serializers.CharField(source="area.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = PotentialDemand
        fields = [
            "id",
            "title",
            "source",
            "source_label",
            "source_detail",
            "station",
            "area",
            "location",
            "expected_kw",
            "expected_date",
            "status",
            "status_label",
            "note",
            "created_at",
            "version",
        ]


class PotentialDemandInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=NAME_MAX)
    source = serializers.ChoiceField(choices=DemandSource.choices)
    source_detail = serializers.CharField(max_length=NAME_MAX, required=False, allow_blank=True)
    station = serializers.CharField(max_length=32, help_text="供电所编码")
    area = serializers.CharField(
        max_length=32, required=False, allow_blank=True, allow_null=True, help_text="台区编码"
    )
    location = serializers.CharField(max_length=200)
    expected_kw = serializers.DecimalField(
        max_digits=10, decimal_places=1, min_value=Decimal("0.1"), max_value=MAX_DEMAND_KW
    )
    expected_date = serializers.DateField()
    status = serializers.ChoiceField(choices=DemandStatus.choices, required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    expected_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1
    )
