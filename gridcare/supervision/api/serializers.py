"""Shapes of supervision's API: inputs validated (bounded, fields named), outputs plain."""

from __future__ import annotations

from rest_framework import serializers

from gridcare.core.limits import TEXT_MAX

from ..choices import PeriodKind, RewardKind, ViolationSource
from ..models import (
    POINTS_MAX,
    REWARD_MAX,
    ConductViolation,
    ConsultationPlan,
    SupervisorPoint,
    SupervisorReward,
)

ID_MAX = 2_147_483_647


class PlanSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = ConsultationPlan
        fields = ["id", "unit", "every_months", "reminder_days", "first_due_on", "active", "version"]


class PlanSaveSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=32, help_text="单位编码")
    every_months = serializers.IntegerField(min_value=1, max_value=12, default=3)
    reminder_days = serializers.IntegerField(min_value=0, max_value=60, default=7)
    first_due_on = serializers.DateField(required=False, allow_null=True, default=None)
    active = serializers.BooleanField(default=True)
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=ID_MAX
    )


class PointSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = SupervisorPoint
        fields = [
            "id",
            "supervisor",
            "supervisor_name",
            "consultation",
            "text",
            "raised_on",
            "unit",
            "status",
            "answer",
            "answered_at",
            "rectification",
            "version",
        ]


class PointCreateSerializer(serializers.Serializer):
    supervisor = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    text = serializers.CharField(max_length=TEXT_MAX)
    raised_on = serializers.DateField(required=False, allow_null=True, default=None)
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    consultation = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, default=None, help_text="座谈记录 id"
    )


class PointAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=TEXT_MAX)
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=ID_MAX
    )


class RewardSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)

    class Meta:
        model = SupervisorReward
        fields = [
            "id",
            "supervisor",
            "supervisor_name",
            "point",
            "kind",
            "amount",
            "reason",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "version",
        ]


class RewardCreateSerializer(serializers.Serializer):
    supervisor = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    point = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, default=None
    )
    kind = serializers.ChoiceField(choices=RewardKind.choices)
    amount = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, max_value=REWARD_MAX, default=0
    )
    reason = serializers.CharField(max_length=300)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=ID_MAX
    )


class ViolationSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    norm = serializers.CharField(source="norm.code", read_only=True)
    norm_name = serializers.CharField(source="norm.name", read_only=True)

    class Meta:
        model = ConductViolation
        fields = [
            "id",
            "staff",
            "unit",
            "norm",
            "norm_name",
            "source",
            "source_ref",
            "found_on",
            "detail",
            "points",
            "withdrawn",
            "withdraw_reason",
            "version",
        ]


class ViolationCreateSerializer(serializers.Serializer):
    staff = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="员工用户 id")
    norm = serializers.CharField(max_length=32, help_text="行为规范编码")
    source = serializers.ChoiceField(choices=ViolationSource.choices)
    source_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    found_on = serializers.DateField()
    detail = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    points = serializers.IntegerField(
        min_value=0, max_value=POINTS_MAX, required=False, allow_null=True, default=None
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=ID_MAX
    )


class PeriodQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=PeriodKind.choices, default=PeriodKind.MONTH)
    at = serializers.CharField(max_length=8, required=False, allow_blank=True, default="")


class FigureRowSerializer(serializers.Serializer):
    violations = serializers.IntegerField()
    points = serializers.IntegerField()


class UnitFigureSerializer(FigureRowSerializer):
    unit = serializers.CharField()
    unit_name = serializers.CharField()


class PersonFigureSerializer(FigureRowSerializer):
    staff_id = serializers.IntegerField()
    name = serializers.CharField()
    unit_name = serializers.CharField()


class ConductFiguresSerializer(serializers.Serializer):
    period = serializers.CharField()
    units = UnitFigureSerializer(many=True)
    people = PersonFigureSerializer(many=True)
    total = FigureRowSerializer()


class CauseRowSerializer(serializers.Serializer):
    unit = serializers.CharField()
    cause = serializers.CharField()
    count = serializers.IntegerField()
    previous = serializers.IntegerField()
    flagged = serializers.BooleanField()
    ref = serializers.CharField()
    item = serializers.IntegerField(allow_null=True)
    item_status = serializers.CharField(allow_null=True)
    next_count = serializers.IntegerField(allow_null=True)


class CausesSerializer(serializers.Serializer):
    period = serializers.CharField()
    threshold = serializers.IntegerField()
    rows = CauseRowSerializer(many=True)


class CauseOpenSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=32)
    cause = serializers.CharField(max_length=24)
    period = serializers.ChoiceField(choices=PeriodKind.choices, default=PeriodKind.MONTH)
    at = serializers.CharField(max_length=8)


class ItemRefSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    source_ref = serializers.CharField()
    status = serializers.CharField()
