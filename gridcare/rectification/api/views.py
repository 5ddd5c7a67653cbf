"""REST endpoints of rectification: list (?status= ?overdue= ?unit= ?source_kind=), detail,
open an item by hand, and the actions fix (multipart for an evidence file), verify, reopen,
cancel. Every action takes an optional ``expected_version`` (stale: 409, nothing changes);
an action the item's status does not allow is a 409 as well."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from gridcare.core.errors import ApplicationError
from gridcare.core.params import id_param
from gridcare.core.uploads import read_upload
from gridcare.org.selectors import units_visible_to

from .. import selectors, services
from ..choices import RectificationStatus
from ..models import RectificationItem
from ..sources import MANUAL
from . import serializers as s


class RectificationItemFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RectificationStatus.choices, label=gettext_lazy("状态"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=gettext_lazy("逾期未整改"))
    unit = django_filters.CharFilter(
        method="filter_unit", max_length=32, label=gettext_lazy("责任单位编码（含下级）")
    )
    source_kind = django_filters.CharFilter(max_length=40, label=gettext_lazy("来源"))
    active = django_filters.BooleanFilter(method="filter_active", label=gettext_lazy("未关闭"))

    class Meta:
        model = RectificationItem
        fields = ["status", "overdue", "unit", "source_kind", "active"]

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = selectors.overdue_q()
        return qs.filter(q) if value else qs.exclude(q)

    def filter_active(self, qs, name, value):
        closed = [RectificationStatus.VERIFIED, RectificationStatus.CANCELLED]
        if value is None:
            return qs
        return qs.exclude(status__in=closed) if value else qs.filter(status__in=closed)

    def filter_unit(self, qs, name, value):
        unit = units_visible_to(self.request.user).filter(code=value).first() if value else None
        if value and unit is None:
            return qs.none()
        return qs.filter(unit_path__startswith=unit.path) if unit else qs


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _action_schema(serializer, summary: str):
    return extend_schema(
        request=serializer, responses={200: s.RectificationItemDetailSerializer}, summary=summary
    )


@extend_schema_view(
    list=extend_schema(summary="整改事项列表（?status= ?active= ?overdue= ?unit= ?source_kind=）"),
    retrieve=extend_schema(summary="整改事项：佐证、预警、可执行的操作"),
)
class RectificationItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rectification items the caller may see (the owning unit within their scope)."""

    permissions_by_action = {
        "list": "rectification.view",
        "retrieve": "rectification.view",
        "create": "rectification.open",
        "fix": "rectification.fix",
        "verify": "rectification.verify",
        "reopen": "rectification.verify",
        "cancel": "rectification.cancel",
    }
    filterset_class = RectificationItemFilterSet
    serializer_class = s.RectificationItemSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RectificationItem.objects.none()
        return (
            RectificationItem.objects.visible_to(self.request.user)
            .select_related("unit", "owner")
            .order_by("-opened_at", "-id")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        today = timezone.localdate()
        for item in page if page is not None else []:
            item.overdue = item.is_overdue(today)
        return page

    def get_object(self) -> RectificationItem:
        item = selectors.item_get(self.request.user, id_param(self.kwargs.get("pk")))
        if item is None:
            raise Http404
        return item

    def _detail(self, item: RectificationItem) -> RectificationItem:
        item.overdue = item.is_overdue(timezone.localdate())
        item.evidence_rows = selectors.item_evidence(item)
        item.warning_rows = list(selectors.item_warnings(item))
        item.allowed_actions = selectors.allowed_actions(self.request.user, item)
        return item

    def _respond(self, item: RectificationItem, code: int = status.HTTP_200_OK) -> Response:
        current = selectors.item_get(self.request.user, item.pk)
        if current is None:  # pragma: no cover - an item does not leave its scope
            raise Http404
        return Response(s.RectificationItemDetailSerializer(self._detail(current)).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return Response(s.RectificationItemDetailSerializer(self._detail(self.get_object())).data)

    @extend_schema(
        request=s.RectificationOpenSerializer,
        responses={201: s.RectificationItemDetailSerializer},
        summary="登记整改事项（人工登记）",
    )
    def create(self, request, *args, **kwargs):
        data = _input(s.RectificationOpenSerializer, request.data)
        data["detail"] = data.pop("description")
        unit = units_visible_to(request.user).filter(code=data.pop("unit")).first()
        if unit is None:
            raise ApplicationError(_("责任单位不存在或不在本单位范围内"), field="unit", code="unknown")
        item = services.rectification_open(actor=request.user, source_kind=MANUAL, unit=unit, **data)
        return self._respond(item, status.HTTP_201_CREATED)

    @_action_schema(s.RectificationFixSerializer, "提交整改（整改情况与佐证文件）")
    @action(detail=True, methods=["post"])
    def fix(self, request, pk=None):
        item = self.get_object()
        data = _input(s.RectificationFixSerializer, request.data)
        upload = data.pop("evidence_file", None)
        content = read_upload(upload, field="evidence_file")
        item = services.rectification_fix(
            actor=request.user,
            item=item,
            file_content=content or None,
            file_name=upload.name if upload is not None else "",
            **data,
        )
        return self._respond(item)

    @_action_schema(s.RectificationVerifySerializer, "验证整改并关闭（须为整改人以外的人员）")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        item = self.get_object()
        data = _input(s.RectificationVerifySerializer, request.data)
        return self._respond(services.rectification_verify(actor=request.user, item=item, **data))

    @_action_schema(s.RectificationReopenSerializer, "退回重新整改（新的整改期限）")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        item = self.get_object()
        data = _input(s.RectificationReopenSerializer, request.data)
        return self._respond(services.rectification_reopen(actor=request.user, item=item, **data))

    @_action_schema(s.RectificationCancelSerializer, "撤销整改事项")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        item = self.get_object()
        data = _input(s.RectificationCancelSerializer, request.data)
        return self._respond(services.rectification_cancel(actor=request.user, item=item, **data))
