"""Serializers of the evaluation API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from rest_framework import serializers

from gridcare.core.limits import TEXT_MAX
from gridcare.core.params import MAX_ID

from ..models import ExpertAssessment


class ExpertAssessmentSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(read_only=True)
    hall = serializers.IntegerField(source="hall_id", read_only=True, allow_null=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    expert = serializers.CharField(source="expert.username", read_only=True)
    period = serializers.DateField(format="%Y-%m", read_only=True)

    class Meta:
        model = ExpertAssessment
        fields = [
            "id",
            "target_kind",
            "hall",
            "unit",
            "target_name",
            "period",
            "expert",
            "scores",
            "weights",
            "total",
            "note",
            "assessed_at",
            "version",
        ]


class AssessmentCreateSerializer(serializers.Serializer):
    hall = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="营业厅 id（与 unit 二选一）",
    )
    unit = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text="单位编码")
    period = serializers.RegexField(r"^20\d{2}-(0[1-9]|1[0-2])$", help_text="评价月份 YYYY-MM")
    expert = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="专家用户 id（默认本人）"
    )
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100), help_text="各项得分：细则编码 -> 0～100"
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class AssessmentUpdateSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=100))
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    expected_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )


class ScorecardRowSerializer(serializers.Serializer):
    key = serializers.IntegerField()
    label = serializers.CharField()
    unit_name = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text="综合得分")
    customer = serializers.FloatField(allow_null=True)
    customer_n = serializers.IntegerField()
    expert = serializers.FloatField(allow_null=True)
    expert_n = serializers.IntegerField()
    internal = serializers.FloatField(allow_null=True)
    internal_n = serializers.IntegerField()
    renormalised = serializers.BooleanField(help_text="有缺项，权重已按比例折算")
    missing = serializers.ListField(child=serializers.CharField(), help_text="缺数据的部分")
    missing_measures = serializers.ListField(child=serializers.CharField(), help_text="缺数据的指标")
    measures = serializers.DictField(child=serializers.FloatField(allow_null=True))
    trend = serializers.ListField(child=serializers.DictField())


class ScorecardSerializer(serializers.Serializer):
    level = serializers.CharField()
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    trend_periods = serializers.ListField(child=serializers.CharField())
    weights = serializers.DictField(child=serializers.IntegerField())
    rows = ScorecardRowSerializer(many=True)
