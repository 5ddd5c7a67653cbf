from rest_framework import serializers

from ..models import PublishedReport


class HotspotSampleSerializer(serializers.Serializer):
    order_no = serializers.CharField()
    created_at = serializers.CharField()
    text = serializers.CharField()


class HotspotSerializer(serializers.Serializer):
    """One significant hotspot with its evidence (see gridcare/analytics/hotspots.py)."""

    rank = serializers.IntegerField()
    level = serializers.CharField(help_text="area | feeder | station")
    code = serializers.CharField()
    name = serializers.CharField()
    station = serializers.CharField()
    area_class = serializers.CharField()
    dimension = serializers.CharField()
    dimension_label = serializers.CharField()
    count = serializers.IntegerField()
    expected = serializers.FloatField()
    expected_peer = serializers.FloatField()
    rate_per_1000 = serializers.FloatField()
    peer_rate_per_1000 = serializers.FloatField()
    ratio = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField()
    p_peer = serializers.FloatField()
    p_history = serializers.FloatField()
    q_value = serializers.FloatField()
    kind = serializers.CharField(
        help_text="structural (above peers for long) or emerging (above its own history)"
    )
    customers = serializers.IntegerField()
    complaints = serializers.IntegerField()
    faults = serializers.IntegerField()
    reports = serializers.IntegerField()
    outages = serializers.IntegerField()
    merged_reports = serializers.IntegerField()
    contracted_kva = serializers.FloatField()
    transformer_kva = serializers.FloatField()
    load_ratio = serializers.FloatField(allow_null=True)
    high_load = serializers.BooleanField()
    repeat_customers = serializers.IntegerField()
    action = serializers.CharField()
    samples = HotspotSampleSerializer(many=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    # The asset's outage evidence (gridcare/analytics/outage_evidence.py).
    frequent_customers = serializers.IntegerField(
        help_text="customers under the asset with more than N interruptions in the last M months (settings)"
    )
    interruptions = serializers.IntegerField(help_text="distinct outages in the window (supply reliability)")
    customer_interruptions = serializers.IntegerField(help_text="customer interruptions in the window")
    customer_minutes = serializers.FloatField(help_text="customer minutes of interruption in the window")


class PublishedReportListSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    total = serializers.IntegerField(allow_null=True)

    class Meta:
        model = PublishedReport
        fields = [
            "id",
            "kind",
            "period",
            "period_start",
            "period_end",
            "unit",
            "generated_at",
            "trigger",
            "total",
        ]


class PublishedReportSerializer(PublishedReportListSerializer):
    data = serializers.JSONField()

    class Meta(PublishedReportListSerializer.Meta):
        fields = [*PublishedReportListSerializer.Meta.fields, "data"]
