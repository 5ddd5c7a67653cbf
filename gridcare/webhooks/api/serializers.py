"""Serializers of the webhooks API. Input serializers only validate shapes; services decide."""

from __future__ import annotations

from rest_framework import serializers

from ..choices import EventType
from ..models import DeliveryAttempt, Subscription, WebhookEvent


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    units = serializers.SerializerMethodField(help_text="单位范围（编码；空：全部单位）")
    owner = serializers.CharField(source="owner.username", read_only=True, default=None)
    pending = serializers.IntegerField(read_only=True, default=None, help_text="待投递（含失败待重试）")
    dead = serializers.IntegerField(read_only=True, default=None, help_text="已放弃")

    class Meta:
        model = Subscription
        fields = [
            "id",
            "name",
            "url",
            "events",
            "units",
            "owner",
            "active",
            "disabled_reason",
            "consecutive_failures",
            "pending",
            "dead",
            "version",
        ]

    def get_units(self, obj) -> list[str]:
        return sorted(u.code for u in obj.units.all())


class WebhookSubscriptionWithSecretSerializer(WebhookSubscriptionSerializer):
    """Answers creation and rotation only: the secret the receiver verifies with."""

    secret = serializers.CharField(read_only=True, help_text="签名密钥（whsec_…），交给接收方")

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookSubscriptionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        min_length=1,
        max_length=len(EventType.values),
    )
    units = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, default=list, max_length=50
    )
    expected_version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class WebhookVersionedSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["at", "status_code", "duration_ms", "error", "response_excerpt"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    tries = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookEvent
        fields = [
            "id",
            "msg_id",
            "event_type",
            "order_no",
            "outage_no",
            "created_at",
            "status",
            "status_label",
            "attempts",
            "next_attempt_at",
            "tries",
        ]
