"""Serializers of the hall-queue API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Counter, Hall, Ticket


class HallSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True, help_text="所属单位编码")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    is_open = serializers.BooleanField(read_only=True, help_text="此刻可取号")

    class Meta:
        model = Hall
        fields = [
            "id",
            "code",
            "name",
            "unit",
            "unit_name",
            "address",
            "weekday_hours",
            "weekend_hours",
            "open_on_holidays",
            "closed_now",
            "closed_note",
            "active",
            "is_open",
        ]


class HallCounterSerializer(serializers.ModelSerializer):
    hall = serializers.IntegerField(source="hall_id", read_only=True)
    hall_name = serializers.CharField(source="hall.name", read_only=True)
    service_types = serializers.ListField(source="codes", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Counter
        fields = ["id", "hall", "hall_name", "number", "service_types", "active"]


class HallTicketSerializer(serializers.ModelSerializer):
    hall_name = serializers.CharField(source="hall.name", read_only=True)
    service_type = serializers.CharField(source="service_type.code", read_only=True)
    service_type_name = serializers.CharField(source="service_type.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    customer = serializers.CharField(
        source="customer.customer_no", read_only=True, allow_null=True, default=None
    )
    counter_number = serializers.IntegerField(
        source="counter.number", read_only=True, allow_null=True, default=None
    )
    work_order = serializers.CharField(
        source="work_order.order_no", read_only=True, allow_null=True, default=None
    )
    wait_seconds = serializers.FloatField(
        read_only=True, allow_null=True, help_text="叫号时间 − 取号时间（秒）"
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "hall",
            "hall_name",
            "day",
            "number",
            "service_type",
            "service_type_name",
            "customer",
            "priority",
            "priority_label",
            "priority_reason",
            "status",
            "status_label",
            "issued_at",
            "called_at",
            "serving_at",
            "finished_at",
            "counter",
            "counter_number",
            "recalls",
            "work_order",
            "wait_seconds",
            "version",
        ]


class HallTicketTakeSerializer(serializers.Serializer):
    hall = serializers.IntegerField(min_value=1, help_text="营业厅 ID")
    service_type = serializers.CharField(max_length=32, help_text="业务类型编码")
    customer = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="户号（可不填）"
    )
    declared_care = serializers.BooleanField(required=False, default=False, help_text="老年人/残障人士")


class HallTicketActionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class HallTicketTransferSerializer(HallTicketActionSerializer):
    service_type = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    to_counter = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class HallTicketRateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5, help_text="1～5 分")
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class HallRatingSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(source="ticket_id")
    score = serializers.IntegerField()
    comment = serializers.CharField()
    rated_at = serializers.DateTimeField()


class HallFigureSerializer(serializers.Serializer):
    tickets = serializers.IntegerField()
    called = serializers.IntegerField()
    done = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    transferred = serializers.IntegerField()
    waiting = serializers.IntegerField()
    avg_wait = serializers.FloatField(allow_null=True, help_text="平均等候（分钟）")
    p90_wait = serializers.FloatField(allow_null=True, help_text="P90 等候（分钟，最近秩法）")
    within = serializers.IntegerField(help_text="等候在承诺内的号数")
    within_share = serializers.FloatField(allow_null=True, help_text="承诺内占比（%）")
    avg_service = serializers.FloatField(allow_null=True, help_text="平均办理（分钟）")
    ratings = serializers.IntegerField()
    avg_rating = serializers.FloatField(allow_null=True)
    commitment = serializers.IntegerField(help_text="等候承诺（分钟）")


class HallFigureCounterSerializer(serializers.Serializer):
    counter = serializers.IntegerField(source="counter.pk")
    number = serializers.IntegerField(source="counter.number")
    figures = HallFigureSerializer()


class HallFigureHallSerializer(serializers.Serializer):
    hall = serializers.IntegerField(source="hall.pk")
    name = serializers.CharField(source="hall.name")
    figures = HallFigureSerializer()
    counters = HallFigureCounterSerializer(many=True)


class HallFiguresSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    commitment = serializers.IntegerField()
    total = HallFigureSerializer()
    halls = HallFigureHallSerializer(many=True)
