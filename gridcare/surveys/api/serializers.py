"""Serializers of the surveys API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from rest_framework import serializers

from gridcare.customers.choices import CustomerCategory

from ..choices import Audience
from ..models import SAMPLE_MAX, SAMPLE_MIN, SurveyCampaign, SurveySetting

ORDER_DAYS = SurveySetting.SPEC[SurveySetting.DEFAULT_ORDER_DAYS][1:]


class SurveyCampaignSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True, help_text="调查范围单位编码")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    invited = serializers.IntegerField(read_only=True, help_text="发送邀请数")
    answered = serializers.IntegerField(read_only=True, help_text="已答复数")

    class Meta:
        model = SurveyCampaign
        fields = [
            "id",
            "title",
            "unit",
            "unit_name",
            "category",
            "audience",
            "order_days",
            "sample_size",
            "opens_on",
            "closes_on",
            "status",
            "status_label",
            "sent_at",
            "closed_at",
            "invited",
            "answered",
            "version",
        ]


class CsiRowSerializer(serializers.Serializer):
    unit_path = serializers.CharField(required=False)
    unit_name = serializers.CharField(required=False)
    n = serializers.IntegerField(help_text="已答复")
    invited = serializers.IntegerField(help_text="发送邀请")
    csi = serializers.FloatField(allow_null=True, help_text="满意度指数（0–100）")
    low = serializers.FloatField(allow_null=True, help_text="95% 置信下限")
    high = serializers.FloatField(allow_null=True, help_text="95% 置信上限")
    response_rate = serializers.FloatField(allow_null=True, help_text="答复率（%）")


class SurveyCampaignDetailSerializer(SurveyCampaignSerializer):
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)
    overall = CsiRowSerializer(read_only=True)
    units = CsiRowSerializer(many=True, read_only=True)

    class Meta(SurveyCampaignSerializer.Meta):
        fields = [*SurveyCampaignSerializer.Meta.fields, "allowed_actions", "overall", "units"]


class SurveyCampaignCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    unit = serializers.CharField(max_length=32, help_text="调查范围单位编码")
    category = serializers.ChoiceField(
        choices=CustomerCategory.choices, required=False, allow_blank=True, default=""
    )
    audience = serializers.ChoiceField(choices=Audience.choices, required=False, default=Audience.ALL)
    order_days = serializers.IntegerField(
        min_value=ORDER_DAYS[0], max_value=ORDER_DAYS[1], required=False, allow_null=True, default=None
    )
    sample_size = serializers.IntegerField(min_value=SAMPLE_MIN, max_value=SAMPLE_MAX)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class VersionedSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class CsiSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    level = serializers.CharField()
    overall = CsiRowSerializer()
    units = CsiRowSerializer(many=True)
