from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..search import LIMIT_MAX


class KnowledgeSearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, default="", label=_("检索词")
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=LIMIT_MAX, required=False, default=10, label=_("条数")
    )


class KnowledgeHitSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField()
    kind = serializers.CharField()
    category = serializers.CharField()
    valid_to = serializers.DateField(allow_null=True)
