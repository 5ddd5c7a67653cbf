"""REST endpoints of supervision; every queryset comes from a scoped selector."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcare.core.errors import ApplicationError
from gridcare.escalation import selectors as esc_selectors
from gridcare.org.selectors import units_visible_to

from .. import selectors, services
from ..models import ConductNorm, ConsultationPlan
from ..periods import parse_period, period_of
from . import serializers as s


def _input(serializer_class, data) -> dict:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _unit(user, code: str, field: str = "unit"):
    unit = units_visible_to(user).filter(code=code).first()
    if unit is None:
        raise ApplicationError(
            _("单位编码 %(code)s 不存在") % {"code": code}, field=field, code="unknown_unit"
        )
    return unit


def _period(data: dict, *, required: bool = False):
    """The period named by ``period`` + ``at``; the current one when ``at`` is empty."""
    today = timezone.localdate()
    at = (data.get("at") or "").strip()
    if not at:
        if required:
            raise ApplicationError(_("请填写期间"), field="at", code="required")
        return period_of(data["period"], today)
    period = parse_period(data["period"], at)
    if period is None or not 2000 <= period.start.year <= today.year:
        raise ApplicationError(_("期间格式为 2026-03 或 2026Q1"), field="at", code="invalid")
    return period


def _consultation(user, pk: int | None):
    if pk is None:
        return None
    found = esc_selectors.consultations_for(user).filter(pk=pk).first()
    if found is None:
        raise ApplicationError(_("座谈记录不存在"), field="consultation", code="not_found")
    return found


PERIOD_PARAMS = [
    OpenApiParameter("period", str, required=False, description="month | quarter"),
    OpenApiParameter("at", str, required=False, description="2026-03 | 2026Q1"),
]


@extend_schema_view(list=extend_schema(summary="座谈计划"))
class PlanViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {"list": "supervision.view", "create": "supervision.record"}
    serializer_class = s.PlanSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ConsultationPlan.objects.none()
        return selectors.plans_for(self.request.user)

    @extend_schema(request=s.PlanSaveSerializer, responses={200: s.PlanSerializer}, summary="保存座谈计划")
    def create(self, request):
        data = _input(s.PlanSaveSerializer, request.data)
        plan = services.consultation_plan_save(
            actor=request.user,
            unit=_unit(request.user, data["unit"]),
            every_months=data["every_months"],
            reminder_days=data["reminder_days"],
            first_due_on=data["first_due_on"],
            active=data["active"],
            expected_version=data["version"],
        )
        return Response(s.PlanSerializer(plan).data)


@extend_schema_view(
    list=extend_schema(summary="监督意见（?status=open 待答复）"), retrieve=extend_schema(summary="监督意见")
)
class PointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": "supervision.view",
        "retrieve": "supervision.view",
        "create": "supervision.record",
        "answer": "supervision.record",
        "rectify": "supervision.record",
    }
    serializer_class = s.PointSerializer
    lookup_value_regex = "[0-9]{1,9}"  # an id: anything else (or longer) is a 404

    def get_queryset(self):
        st = self.request.query_params.get("status") or ""
        if st and st not in ("open", "answered"):
            raise ApplicationError(_("未知的状态"), field="status", code="invalid_choice")
        return selectors.points_for(self.request.user, status=st)

    @extend_schema(
        request=s.PointCreateSerializer, responses={201: s.PointSerializer}, summary="登记监督意见"
    )
    def create(self, request):
        data = _input(s.PointCreateSerializer, request.data)
        point = services.point_raise(
            actor=request.user,
            supervisor=data["supervisor"],
            text=data["text"],
            raised_on=data["raised_on"],
            unit=_unit(request.user, data["unit"]) if data["unit"] else None,
            consultation=_consultation(request.user, data["consultation"]),
        )
        return Response(s.PointSerializer(point).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PointAnswerSerializer, responses={200: s.PointSerializer}, summary="答复")
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        point = self.get_object()
        data = _input(s.PointAnswerSerializer, request.data)
        point = services.point_answer(
            actor=request.user, point=point, answer=data["answer"], expected_version=data["version"]
        )
        return Response(s.PointSerializer(point).data)

    @extend_schema(request=None, responses={201: s.ItemRefSerializer}, summary="转为整改事项")
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        item = services.point_rectify(actor=request.user, point=self.get_object())
        return Response(
            {"item": item.pk, "source_ref": item.source_ref, "status": item.status},
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(list=extend_schema(summary="监督员奖励"))
class RewardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": "supervision.view",
        "create": "supervision.record",
        "approve": "supervision.approve_reward",
        "reject": "supervision.approve_reward",
    }
    serializer_class = s.RewardSerializer
    lookup_value_regex = "[0-9]{1,9}"  # an id: anything else (or longer) is a 404

    def get_queryset(self):
        return selectors.rewards_for(self.request.user).order_by("-proposed_at", "-id")

    @extend_schema(request=s.RewardCreateSerializer, responses={201: s.RewardSerializer}, summary="提出奖励")
    def create(self, request):
        data = _input(s.RewardCreateSerializer, request.data)
        point = None
        if data["point"] is not None:
            point = selectors.points_for(request.user).filter(pk=data["point"]).first()
            if point is None:
                raise ApplicationError(_("监督意见不存在"), field="point", code="not_found")
        reward = services.reward_propose(
            actor=request.user,
            supervisor=data["supervisor"],
            kind=data["kind"],
            amount=data["amount"],
            reason=data["reason"],
            point=point,
        )
        return Response(s.RewardSerializer(reward).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, pk, approve: bool):
        reward = selectors.rewards_for(request.user).filter(pk=pk).first()
        if reward is None:
            raise Http404
        data = _input(s.DecisionSerializer, request.data)
        reward = services.reward_decide(
            actor=request.user,
            reward=reward,
            approve=approve,
            note=data["note"],
            expected_version=data["version"],
        )
        return Response(s.RewardSerializer(reward).data)

    @extend_schema(request=s.DecisionSerializer, responses={200: s.RewardSerializer}, summary="批准")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, pk, True)

    @extend_schema(request=s.DecisionSerializer, responses={200: s.RewardSerializer}, summary="驳回")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, pk, False)


@extend_schema_view(list=extend_schema(summary="员工违规记录"))
class ViolationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permissions_by_action = {
        "list": "supervision.view_conduct",
        "create": "supervision.record_conduct",
        "withdraw": "supervision.record_conduct",
    }
    serializer_class = s.ViolationSerializer
    lookup_value_regex = "[0-9]{1,9}"  # an id: anything else (or longer) is a 404

    def get_queryset(self):
        return selectors.violations_for(self.request.user)

    @extend_schema(
        request=s.ViolationCreateSerializer, responses={201: s.ViolationSerializer}, summary="登记违规"
    )
    def create(self, request):
        from gridcare.org.selectors import staff_for

        data = _input(s.ViolationCreateSerializer, request.data)
        staff = staff_for(request.user).filter(user_id=data["staff"]).first()
        if staff is None:
            raise ApplicationError(_("员工不存在"), field="staff", code="not_found")
        norm = ConductNorm.objects.filter(code=data["norm"], active=True).first()
        if norm is None:
            raise ApplicationError(_("行为规范不存在"), field="norm", code="not_found")
        v = services.violation_record(
            actor=request.user,
            staff=staff.user,
            norm=norm,
            source=data["source"],
            source_ref=data["source_ref"],
            found_on=data["found_on"],
            detail=data["detail"],
            points=data["points"],
        )
        return Response(s.ViolationSerializer(v).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.WithdrawSerializer, responses={200: s.ViolationSerializer}, summary="撤销")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        v = selectors.violations_for(request.user).filter(pk=pk).first()
        if v is None:
            raise Http404
        data = _input(s.WithdrawSerializer, request.data)
        v = services.violation_withdraw(
            actor=request.user, violation=v, reason=data["reason"], expected_version=data["version"]
        )
        return Response(s.ViolationSerializer(v).data)


class ConductFiguresView(APIView):
    """The assessment figures (考核) of a month or quarter per unit and per person — the
    page's and Excel's definition (``selectors.conduct_figures``)."""

    permissions_by_action = {"get": "supervision.view_conduct"}

    @extend_schema(
        operation_id="supervision_conduct_figures",
        parameters=PERIOD_PARAMS,
        responses={200: s.ConductFiguresSerializer},
        summary="员工行为规范考核（月度/季度）",
    )
    def get(self, request):
        period = _period(_input(s.PeriodQuerySerializer, request.query_params))
        data = selectors.conduct_figures(request.user, period=period)
        return Response({**data, "period": period.key})


class RecurringCausesView(APIView):
    """Recurring failure causes per responsible unit × cause (``selectors.recurring_causes``);
    POST opens the improvement action of a flagged row."""

    permissions_by_action = {"get": "supervision.view", "post": "supervision.record"}

    @extend_schema(
        operation_id="supervision_recurring_causes",
        parameters=PERIOD_PARAMS,
        responses={200: s.CausesSerializer},
        summary="反复出现的失误原因",
    )
    def get(self, request):
        query = _input(s.PeriodQuerySerializer, request.query_params)
        period = _period(query)
        if not query.get("at"):  # judged on the last complete month or quarter, as the page
            period = period.shift(-1)
        data = selectors.recurring_causes(request.user, period=period)
        rows = [
            {
                "unit": r["unit"].code,
                "cause": r["cause"],
                "count": r["count"],
                "previous": r["previous"],
                "flagged": r["flagged"],
                "ref": r["ref"],
                "item": r["item"].pk if r["item"] else None,
                "item_status": r["item"].status if r["item"] else None,
                "next_count": r["next_count"],
            }
            for r in data["rows"]
        ]
        return Response({"period": period.key, "threshold": data["threshold"], "rows": rows})

    @extend_schema(
        operation_id="supervision_recurring_cause_open",
        request=s.CauseOpenSerializer,
        responses={201: s.ItemRefSerializer},
        summary="立项整改",
    )
    def post(self, request):
        data = _input(s.CauseOpenSerializer, request.data)
        item = services.improvement_open(
            actor=request.user,
            unit=_unit(request.user, data["unit"]),
            cause=data["cause"],
            period=_period(data, required=True),
        )
        return Response(
            {"item": item.pk, "source_ref": item.source_ref, "status": item.status},
            status=status.HTTP_201_CREATED,
        )
