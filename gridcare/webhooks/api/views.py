"""REST endpoints of webhooks (admins, ``webhooks.manage``): subscriptions (list, detail,
create — answering the secret once —, update with ``expected_version``: stale is a 409),
rotate the secret, send a test event, enable, disable, and a subscription's recent
deliveries with their attempts. There is no delete: a subscription is disabled, and its
deliveries stay on record."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridcare.core.params import id_param

from .. import selectors, services
from ..models import Subscription
from . import serializers as s

PERM = "webhooks.manage"
DELIVERIES_MAX = 50


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


@extend_schema_view(
    list=extend_schema(summary="事件推送订阅列表"),
    retrieve=extend_schema(summary="事件推送订阅（不含签名密钥）"),
)
class SubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": PERM,
        "retrieve": PERM,
        "create": PERM,
        "partial_update": PERM,
        "update": PERM,
        "rotate_secret": PERM,
        "send_test": PERM,
        "enable": PERM,
        "disable": PERM,
        "deliveries": PERM,
    }
    serializer_class = s.WebhookSubscriptionSerializer

    def get_queryset(self):
        return selectors.subscriptions().prefetch_related("units").order_by("name", "id")

    def get_object(self) -> Subscription:
        sub = self.get_queryset().filter(pk=id_param(self.kwargs.get("pk"))).first()
        if sub is None:
            raise Http404
        return sub

    def _respond(self, sub: Subscription, *, secret: bool = False, code: int = status.HTTP_200_OK):
        current = self.get_queryset().get(pk=sub.pk)
        cls = s.WebhookSubscriptionWithSecretSerializer if secret else s.WebhookSubscriptionSerializer
        return Response(cls(current).data, status=code)

    @extend_schema(
        request=s.WebhookSubscriptionInputSerializer,
        responses={201: s.WebhookSubscriptionWithSecretSerializer},
        summary="新建订阅（答复中含签名密钥，仅此一次）",
    )
    def create(self, request, *args, **kwargs):
        data = _input(s.WebhookSubscriptionInputSerializer, request.data)
        sub = services.subscription_create(
            actor=request.user,
            name=data["name"],
            url=data["url"],
            events=data["events"],
            units=selectors.units_by_codes(request.user, data["units"]),
        )
        return self._respond(sub, secret=True, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.WebhookSubscriptionInputSerializer,
        responses={200: s.WebhookSubscriptionSerializer},
        summary="修改订阅（名称、地址、事件、单位范围）",
    )
    def update(self, request, *args, **kwargs):
        sub = self.get_object()
        data = _input(s.WebhookSubscriptionInputSerializer, request.data)
        sub = services.subscription_update(
            actor=request.user,
            subscription=sub,
            name=data["name"],
            url=data["url"],
            events=data["events"],
            units=selectors.units_by_codes(request.user, data["units"]),
            expected_version=data["expected_version"],
        )
        return self._respond(sub)

    @extend_schema(
        request=s.WebhookSubscriptionInputSerializer,
        responses={200: s.WebhookSubscriptionSerializer},
        summary="修改订阅（同 PUT：须给出全部字段）",
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(
        request=s.WebhookVersionedSerializer,
        responses={200: s.WebhookSubscriptionWithSecretSerializer},
        summary="更换签名密钥（答复中含新密钥）",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        data = _input(s.WebhookVersionedSerializer, request.data)
        sub = services.subscription_rotate_secret(
            actor=request.user, subscription=self.get_object(), expected_version=data["expected_version"]
        )
        return self._respond(sub, secret=True)

    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer}, summary="发送测试事件")
    @action(detail=True, methods=["post"], url_path="test")
    def send_test(self, request, pk=None):
        event = services.subscription_send_test(actor=request.user, subscription=self.get_object())
        return Response(s.WebhookDeliverySerializer(event).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=s.WebhookVersionedSerializer,
        responses={200: s.WebhookSubscriptionSerializer},
        summary="启用订阅",
    )
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        return self._set_active(request, True)

    @extend_schema(
        request=s.WebhookVersionedSerializer,
        responses={200: s.WebhookSubscriptionSerializer},
        summary="停用订阅",
    )
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        return self._set_active(request, False)

    def _set_active(self, request, active: bool):
        data = _input(s.WebhookVersionedSerializer, request.data)
        sub = services.subscription_set_active(
            actor=request.user,
            subscription=self.get_object(),
            active=active,
            expected_version=data["expected_version"],
        )
        return self._respond(sub)

    @extend_schema(
        responses={200: s.WebhookDeliverySerializer(many=True)}, summary="最近的投递记录（含每次尝试）"
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        rows = selectors.recent_deliveries(self.get_object(), limit=DELIVERIES_MAX)
        return Response(s.WebhookDeliverySerializer(rows, many=True).data)
