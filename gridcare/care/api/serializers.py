from rest_framework import serializers


class CallerQuerySerializer(serializers.Serializer):
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text="来电号码")
    customer_no = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="户号（优先）"
    )

    def validate(self, attrs):
        if not (attrs.get("phone") or "").strip() and not (attrs.get("customer_no") or "").strip():
            raise serializers.ValidationError({"phone": "请提供来电号码或户号"})
        return attrs


class CallerCareSerializer(serializers.Serializer):
    customer_found = serializers.BooleanField(help_text="找到了该户号或电话的客户（本单位范围内）")
    customer_no = serializers.CharField(
        allow_blank=True, help_text="排队优先级最高的那户（一个电话可对应多户）"
    )
    queue_priority = serializers.IntegerField(
        help_text="话务排队优先级：1 优先（一级），2 优先（二级），3 普通"
    )
    green_channel = serializers.BooleanField()
    hall_priority = serializers.BooleanField()
    narrow_scope = serializers.BooleanField(help_text="信用较差：限制服务范围")
    segments = serializers.ListField(child=serializers.CharField(), help_text="客户细分代码，主细分在前")
    grade = serializers.CharField(allow_blank=True, help_text="信用等级 A/B/C；未评级为空")
    manager = serializers.CharField(allow_blank=True, help_text="客户经理姓名")
