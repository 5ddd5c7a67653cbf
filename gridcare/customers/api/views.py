from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridcare.customers.filters import CustomerFilterSet
from gridcare.customers.selectors import customers_for
from gridcare.customers.services import customer_reveal_personal_data, customer_update

from .serializers import (
    CustomerSerializer,
    CustomerUpdateSerializer,
    PersonalDataSerializer,
    RevealRequestSerializer,
)


class CustomerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Customers of the caller's units. Search with ``q`` (number, phone, name, address)."""

    permissions_by_action = {
        "list": "customers.view",
        "retrieve": "customers.view",
        "update": "customers.update",
        "partial_update": "customers.update",
        "reveal": "customers.reveal",
    }

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    lookup_field = "customer_no"

    def get_queryset(self):
        return customers_for(self.request.user).select_related("area", "station").order_by("customer_no")

    @extend_schema(request=CustomerUpdateSerializer, responses=CustomerSerializer)
    def update(self, request, *args, **kwargs):
        customer = self.get_object()
        ser = CustomerUpdateSerializer(customer, data=request.data, partial=kwargs.get("partial", False))
        ser.is_valid(raise_exception=True)
        customer = customer_update(actor=request.user, customer=customer, data=dict(ser.validated_data))
        return Response(CustomerSerializer(customer).data)

    @extend_schema(request=RevealRequestSerializer, responses=PersonalDataSerializer)
    @action(detail=True, methods=["post"], url_path="reveal")
    def reveal(self, request, customer_no=None):
        """Phones and ID number in clear, for roles that contact customers. Audited."""
        ser = RevealRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = customer_reveal_personal_data(
            actor=request.user, customer=self.get_object(), reason=ser.validated_data["reason"]
        )
        return Response(PersonalDataSerializer(data).data)
