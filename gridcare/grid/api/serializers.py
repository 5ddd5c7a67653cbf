from rest_framework import serializers

from gridcare.grid.models import Feeder, Substation, TransformerArea


class SubstationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Substation
        fields = ["id", "name", "voltage_kv"]


class FeederSerializer(serializers.ModelSerializer):
    substation = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Feeder
        fields = ["id", "code", "name", "substation"]


class TransformerAreaSerializer(serializers.ModelSerializer):
    feeder = serializers.SlugRelatedField(slug_field="code", read_only=True)
    station = serializers.SlugRelatedField(slug_field="code", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)

    class Meta:
        model = TransformerArea
        fields = [
            "id",
            "code",
            "name",
            "feeder",
            "station",
            "station_name",
            "capacity_kva",
            "area_class",
            "latitude",
            "longitude",
        ]
