from rest_framework import serializers

from gridcare.core.limits import TEXT_MAX
from gridcare.core.textutil import mask_phone
from gridcare.customers.models import Customer
from gridcare.grid.models import TransformerArea


class CustomerSerializer(serializers.ModelSerializer):
    """Customer master data; phones are masked (reveal through the audited action)."""

    area = serializers.SlugRelatedField(slug_field="code", queryset=TransformerArea.objects.all())
    station = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phone = serializers.SerializerMethodField()
    phone2 = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "customer_no",
            "name",
            "phone",
            "phone2",
            "address",
            "area",
            "station",
            "category",
            "tariff",
            "voltage_kv",
            "capacity_kva",
            "important",
            "sensitive",
            "updated_at",
        ]
        read_only_fields = ["customer_no", "station", "updated_at"]

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)

    def get_phone2(self, obj) -> str:
        return mask_phone(obj.phone2)


class CustomerUpdateSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=TransformerArea.objects.all(), required=False
    )

    class Meta:
        model = Customer
        fields = [
            "name",
            "phone",
            "phone2",
            "address",
            "area",
            "category",
            "tariff",
            "voltage_kv",
            "capacity_kva",
            "important",
            "sensitive",
        ]


class PersonalDataSerializer(serializers.Serializer):
    phone = serializers.CharField()
    phone2 = serializers.CharField()
    id_number = serializers.CharField()


class RevealRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)
