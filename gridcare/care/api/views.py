"""Care's API: the customer lookup the telephony system asks for a caller's queue priority
(``queue_priority``) and what the agent should know (segment, grade, green channel)."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcare.core.errors import ApplicationError
from gridcare.customers.selectors import customers_for, responsible_manager

from ..choices import QueuePriority
from ..selectors import care_terms
from .serializers import CallerCareSerializer, CallerQuerySerializer

LOOKUP_MAX_CUSTOMERS = 5


class CallerCareView(APIView):
    """Who is calling, as far as service is concerned. By ``customer_no`` or by the calling
    ``phone`` (either phone on file); one phone may be several customers: the answer is the
    one with the best queue priority. ``customer_found`` false outside the caller's scope."""

    permissions_by_action = {"get": "care.view"}

    @extend_schema(
        operation_id="care_caller",
        parameters=[CallerQuerySerializer],
        responses=CallerCareSerializer,
        summary="来电客户查询：排队优先级、客户细分、信用等级、绿色通道（话务系统）",
    )
    def get(self, request):
        query = CallerQuerySerializer(data=request.query_params)
        if not query.is_valid():
            field, errors = next(iter(query.errors.items()))
            raise ApplicationError(str(errors[0]), field=field, code="invalid")
        customer_no = (query.validated_data.get("customer_no") or "").strip()
        phone = (query.validated_data.get("phone") or "").strip()
        qs = customers_for(request.user).select_related("area", "manager")
        if customer_no:
            qs = qs.filter(customer_no=customer_no)
        else:
            qs = qs.filter(Q(phone=phone) | (Q(phone2=phone) & ~Q(phone2="")))
        best, best_terms = None, None
        for customer in qs.order_by("customer_no")[:LOOKUP_MAX_CUSTOMERS]:
            terms = care_terms(customer)
            if best is None or terms["queue_priority"] < best_terms["queue_priority"]:
                best, best_terms = customer, terms
        if best is None:
            body = {
                "customer_found": False,
                "customer_no": "",
                "queue_priority": int(QueuePriority.NORMAL),
                "green_channel": False,
                "hall_priority": False,
                "narrow_scope": False,
                "segments": [],
                "grade": "",
                "manager": "",
            }
        else:
            manager = responsible_manager(best)
            staff = getattr(manager, "staff", None) if manager is not None else None
            body = {
                "customer_found": True,
                "customer_no": best.customer_no,
                "queue_priority": best_terms["queue_priority"],
                "green_channel": best_terms["green_channel"],
                "hall_priority": best_terms["hall_priority"],
                "narrow_scope": best_terms["narrow_scope"],
                "segments": best_terms["segments"],
                "grade": best_terms["grade"] or "",
                "manager": (staff.display_name if staff else manager.get_username()) if manager else "",
            }
        return Response(CallerCareSerializer(body).data)
