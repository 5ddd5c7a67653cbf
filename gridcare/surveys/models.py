"""Satisfaction surveys (满意度调查): a campaign samples customers of an area (optionally
one category, only those who had an order in the period or only those who had none — the
silent majority), sends each an SMS with a personal link through escalation's outbox, and
records at most one answer per invitation."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import PathScope, ScopedManager
from gridcare.customers.choices import CustomerCategory

from .choices import Audience, CampaignStatus

USER = settings.AUTH_USER_MODEL
SAMPLE_MIN, SAMPLE_MAX = 10, 5000
COMMENT_MAX = 500
SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class SurveyCampaign(BaseModel):
    """One survey round over the customers of ``unit`` and the units below it (``unit_path``
    copies its path). ``order_days``: the days up to and including ``opens_on`` in which
    having (or not having) a work order selects the customer for ``audience``. ``version`` grows on every
    change."""

    title = models.CharField(_("调查名称"), max_length=100)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("调查范围")
    )
    unit_path = models.CharField(_("调查范围路径"), max_length=255, db_index=True)
    category = models.CharField(_("用户类别"), max_length=24, choices=CustomerCategory.choices, blank=True)
    audience = models.CharField(_("调查对象"), max_length=16, choices=Audience.choices, default=Audience.ALL)
    order_days = models.PositiveSmallIntegerField(_("工单统计期（天）"), default=90)
    sample_size = models.PositiveIntegerField(
        _("样本量"), validators=[MinValueValidator(SAMPLE_MIN), MaxValueValidator(SAMPLE_MAX)]
    )
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("发起人")
    )
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sample_size__gte=SAMPLE_MIN) & Q(sample_size__lte=SAMPLE_MAX),
                name="survey_sample_size_bounds",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="survey_dates_order"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="survey_version_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyInvitation(models.Model):
    """One sampled customer's invitation: the personal link's ``token`` and the outbox
    message's ``message_key``. ``unit_path`` copies the customer's supply station path (the
    CSI rolls up from it)."""

    campaign = models.ForeignKey(
        SurveyCampaign, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("调查")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )
    unit_path = models.CharField(_("供电所路径"), max_length=255, db_index=True)
    token = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(_("发送时间"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    message_key = models.CharField(_("外发消息编号"), max_length=120, blank=True)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("调查邀请")
        verbose_name_plural = _("调查邀请")
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="survey_invitation_once"),
        ]
        indexes = [models.Index(fields=["sent_at"], name="survey_invitation_sent")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.customer_id}"


class SurveyAnswer(models.Model):
    """The answer to one invitation: the overall score (1–5) and optionally three aspects."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="answer", verbose_name=_("调查邀请")
    )
    overall = models.PositiveSmallIntegerField(_("总体满意度"), validators=SCORE)
    reliability = models.PositiveSmallIntegerField(_("供电质量"), null=True, blank=True, validators=SCORE)
    attitude = models.PositiveSmallIntegerField(_("服务态度"), null=True, blank=True, validators=SCORE)
    efficiency = models.PositiveSmallIntegerField(_("办事效率"), null=True, blank=True, validators=SCORE)
    comment = models.CharField(_("意见建议"), max_length=COMMENT_MAX, blank=True)
    at = models.DateTimeField(_("答复时间"))

    scope = PathScope("invitation__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("调查答复")
        verbose_name_plural = _("调查答复")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__gte=1) & Q(overall__lte=5), name="survey_overall_1_5"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | (Q(**{f"{f}__gte": 1}) & Q(**{f"{f}__lte": 5})),
                    name=f"survey_{f}_1_5",
                )
                for f in ("reliability", "attitude", "efficiency")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}:{self.overall}"


class SurveySetting(NamedIntegerSetting):
    """A named integer setting of surveys (admin-editable, seeded; bounds checked on save)."""

    MAX_OPEN_DAYS = "max_open_days"
    DEFAULT_ORDER_DAYS = "default_order_days"
    SPEC: dict[str, tuple[int, int, int]] = {
        MAX_OPEN_DAYS: (60, 7, 120),
        DEFAULT_ORDER_DAYS: (90, 7, 365),
    }
    LABELS = {
        MAX_OPEN_DAYS: _("调查开放期最长（天）"),
        DEFAULT_ORDER_DAYS: _("默认工单统计期（天）"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("满意度调查参数")
        verbose_name_plural = _("满意度调查参数")
        ordering = ["key"]
