"""Three-party evaluation (三方评价): the weights of the scorecard (a settings table), the
expert checklist (a configuration table), the appointed experts and their assessments.

The scorecard itself is computed (``selectors.scorecard``) from the owning apps' figures:
counter ratings (hall), callback satisfaction (escalation), surveys, the process measures
(applications, work orders, the hall queue) and the expert assessments stored here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import PathScope, ScopedManager

from .choices import TargetKind

USER = settings.AUTH_USER_MODEL


class EvaluationSetting(NamedIntegerSetting):
    """The weights of the scorecard (each 0–100; a group's weights need not add up to 100:
    they are shares of their sum). ``W_*`` top level: customer / expert / internal; ``C_*``
    within the customer part; ``I_*`` within the internal part."""

    W_CUSTOMER = "w_customer"
    W_EXPERT = "w_expert"
    W_INTERNAL = "w_internal"
    C_RATINGS = "c_ratings"
    C_CALLBACKS = "c_callbacks"
    C_SURVEYS = "c_surveys"
    I_WAIT = "i_wait"
    I_STAGES = "i_stages"
    I_ORDERS_ON_TIME = "i_orders_on_time"
    I_REWORK = "i_rework"
    SPEC: dict[str, tuple[int, int, int]] = {
        W_CUSTOMER: (50, 0, 100),
        W_EXPERT: (30, 0, 100),
        W_INTERNAL: (20, 0, 100),
        C_RATINGS: (40, 0, 100),
        C_CALLBACKS: (40, 0, 100),
        C_SURVEYS: (20, 0, 100),
        I_WAIT: (25, 0, 100),
        I_STAGES: (25, 0, 100),
        I_ORDERS_ON_TIME: (25, 0, 100),
        I_REWORK: (25, 0, 100),
    }
    LABELS = {
        W_CUSTOMER: _("权重：客户评价"),
        W_EXPERT: _("权重：专家评价"),
        W_INTERNAL: _("权重：内部评价"),
        C_RATINGS: _("客户评价内：窗口评价"),
        C_CALLBACKS: _("客户评价内：回访满意率"),
        C_SURVEYS: _("客户评价内：满意度调查"),
        I_WAIT: _("内部评价内：等候15分钟内占比"),
        I_STAGES: _("内部评价内：业扩环节按时率"),
        I_ORDERS_ON_TIME: _("内部评价内：工单时限达标率"),
        I_REWORK: _("内部评价内：无退单无重办占比"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("三方评价权重")
        verbose_name_plural = _("三方评价权重")
        ordering = ["key"]


class ExpertChecklistItem(BaseModel):
    """One item of the expert checklist (专家评价细则): each scored 0–100 by the expert; the
    assessment's total is the mean weighted by ``weight`` (1–100), the weights copied into
    the assessment when it is saved."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("评价项目"), max_length=50)
    description = models.CharField(_("评价要点"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(_("权重"), default=10)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("专家评价细则")
        verbose_name_plural = _("专家评价细则")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="evaluation_checklist_weight_range"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.weight is not None and not 1 <= self.weight <= 100:
            raise ValidationError({"weight": _("权重取值范围 1～100")})


class ExpertAppointment(BaseModel):
    """An appointed expert (评价专家): ``user`` may assess halls and units within ``unit``
    (and below) on the days ``valid_from``…``valid_to`` (open-ended when empty)."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("专家"))
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("评价范围")
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    valid_from = models.DateField(_("聘任开始"))
    valid_to = models.DateField(_("聘任结束"), null=True, blank=True)
    appointed_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("聘任人")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("评价专家聘任")
        verbose_name_plural = _("评价专家聘任")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="evaluation_appointment_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.unit_id}"


class ExpertAssessment(BaseModel):
    """One expert's scored assessment of a hall or a unit for one month (``period`` is the
    first day). ``scores`` maps checklist codes to 0–100, ``weights`` the weights used
    (copied); ``total`` is their weighted mean (two decimals). One per expert × target ×
    month; ``version`` grows on every change (a stale edit is refused)."""

    target_kind = models.CharField(_("评价对象类型"), max_length=8, choices=TargetKind.choices)
    hall = models.ForeignKey(
        "hall.Hall",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("营业厅"),
    )
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    target_key = models.CharField(max_length=24, editable=False)
    period = models.DateField(_("评价月份"))
    expert = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("专家"))
    scores = models.JSONField(_("各项得分"), default=dict)
    weights = models.JSONField(_("各项权重"), default=dict)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2)
    note = models.TextField(_("评价意见"), blank=True)
    assessed_at = models.DateTimeField(_("评价时间"))
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("专家评价")
        verbose_name_plural = _("专家评价")
        ordering = ["-period", "target_key", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "target_key", "period"], name="evaluation_one_per_expert_target_month"
            ),
            models.CheckConstraint(condition=Q(total__gte=0, total__lte=100), name="evaluation_total_range"),
            models.CheckConstraint(
                condition=Q(target_kind="unit", hall__isnull=True)
                | Q(target_kind="hall", hall__isnull=False),
                name="evaluation_target_kind_hall",
            ),
        ]
        indexes = [models.Index(fields=["period", "unit_path"], name="evaluation_period_path")]

    def __str__(self) -> str:
        return f"{self.target_key} {self.period:%Y-%m}"

    @property
    def target_name(self) -> str:
        return self.hall.name if self.hall_id else self.unit.name
