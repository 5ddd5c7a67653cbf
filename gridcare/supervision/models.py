"""Models of supervision: consultation plans and reminders, points raised by social
supervisors and their answers, rewards, staff conduct norms and violations (行为规范).

Rows that belong to a unit copy its organisation ``path`` so lists scope with one prefix
match. The social supervisors themselves and their consultations are escalation's.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import PathScope, ScopedManager

from .choices import PointStatus, ReminderKind, RewardKind, RewardStatus, ViolationSource

USER = settings.AUTH_USER_MODEL

REWARD_MAX = Decimal("10000")
POINTS_MAX = 100


class SupervisionSetting(NamedIntegerSetting):
    """A named integer setting of supervision (admin-editable on the settings pages)."""

    RECURRING_THRESHOLD = "recurring_cause_threshold"
    SPEC: dict[str, tuple[int, int, int]] = {
        RECURRING_THRESHOLD: (3, 1, 100),
    }
    LABELS = {
        RECURRING_THRESHOLD: _("失误原因反复出现的提示阈值（次/期）"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("社会监督参数")
        verbose_name_plural = _("社会监督参数")
        ordering = ["key"]


class ConsultationPlan(BaseModel):
    """How often a unit hears its social supervisors (座谈): every ``every_months`` months
    after the last consultation held (``first_due_on`` while none was held), reminded
    ``reminder_days`` before."""

    unit = models.OneToOneField(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    unit_path = models.CharField(max_length=255)
    every_months = models.PositiveSmallIntegerField(_("周期（月）"), default=3)
    reminder_days = models.PositiveSmallIntegerField(_("提前提醒（天）"), default=7)
    first_due_on = models.DateField(_("首次座谈日期"))
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("座谈计划")
        verbose_name_plural = _("座谈计划")
        ordering = ["unit_path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(every_months__gte=1, every_months__lte=12), name="sup_plan_every_range"
            ),
            models.CheckConstraint(condition=Q(reminder_days__lte=60), name="sup_plan_reminder_range"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} /{self.every_months}m"


class ConsultationReminder(models.Model):
    """A reminder sent for one due date of a plan: once "due soon", once "overdue"."""

    plan = models.ForeignKey(ConsultationPlan, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField(_("应座谈日期"))
    kind = models.CharField(_("类型"), max_length=8, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "due_on", "kind"], name="sup_reminder_once"),
        ]


class SupervisorPoint(BaseModel):
    """A point raised by a social supervisor (监督意见), optionally at a consultation, owned
    by a unit until answered; a rectification item may be opened from it."""

    supervisor = models.ForeignKey(
        "escalation.SocialSupervisor", on_delete=models.PROTECT, related_name="+", verbose_name=_("监督员")
    )
    consultation = models.ForeignKey(
        "escalation.SupervisorConsultation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("座谈"),
    )
    text = models.TextField(_("意见内容"))
    raised_on = models.DateField(_("提出日期"))
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    unit_path = models.CharField(max_length=255)
    status = models.CharField(_("状态"), max_length=12, choices=PointStatus.choices, default=PointStatus.OPEN)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("答复人")
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    rectification = models.ForeignKey(
        "rectification.RectificationItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("整改事项"),
    )
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("监督意见")
        verbose_name_plural = _("监督意见")
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["unit_path"], opclasses=["varchar_pattern_ops"], name="sup_point_path"),
            models.Index(fields=["status", "raised_on"], name="sup_point_status"),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor_id}: {self.text[:20]}"


class SupervisorReward(BaseModel):
    """A reward proposed for a social supervisor, approved or rejected by someone else."""

    supervisor = models.ForeignKey(
        "escalation.SocialSupervisor", on_delete=models.PROTECT, related_name="+", verbose_name=_("监督员")
    )
    point = models.ForeignKey(
        SupervisorPoint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rewards",
        verbose_name=_("监督意见"),
    )
    kind = models.CharField(_("奖励方式"), max_length=12, choices=RewardKind.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=8, decimal_places=2, default=Decimal("0"))
    reason = models.CharField(_("奖励理由"), max_length=300)
    unit_path = models.CharField(max_length=255)
    status = models.CharField(
        _("状态"), max_length=12, choices=RewardStatus.choices, default=RewardStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("提出人")
    )
    proposed_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("审批人")
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("监督员奖励")
        verbose_name_plural = _("监督员奖励")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=REWARD_MAX), name="sup_reward_amount_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor_id} {self.kind} {self.amount}"


class ConductNorm(models.Model):
    """A rule of staff conduct (行为规范) and the points a violation of it costs by default
    (admin-edited on the settings pages; seeded with eight norms)."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    default_points = models.PositiveSmallIntegerField(_("默认扣分"), default=1)
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行为规范")
        verbose_name_plural = _("行为规范")
        ordering = ["sort", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_points__gte=1, default_points__lte=20), name="sup_norm_points_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.default_points is not None and not 1 <= self.default_points <= 20:
            raise ValidationError({"default_points": _("取值范围 %(lo)s～%(hi)s") % {"lo": 1, "hi": 20}})


class ConductViolation(BaseModel):
    """A staff member's breach of a conduct norm, with the points it costs in the
    assessment (考核); a withdrawn one (with the reason) no longer counts."""

    staff = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("员工"))
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在单位")
    )
    unit_path = models.CharField(max_length=255)
    norm = models.ForeignKey(ConductNorm, on_delete=models.PROTECT, related_name="+", verbose_name=_("规范"))
    source = models.CharField(_("发现途径"), max_length=12, choices=ViolationSource.choices)
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    found_on = models.DateField(_("发现日期"))
    detail = models.TextField(_("情况说明"), blank=True)
    points = models.PositiveSmallIntegerField(_("扣分"))
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn = models.BooleanField(_("已撤销"), default=False)
    withdraw_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    withdrawn_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("违规记录")
        verbose_name_plural = _("违规记录")
        ordering = ["-found_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=0, points__lte=POINTS_MAX), name="sup_violation_points_range"
            ),
        ]
        indexes = [
            models.Index(fields=["unit_path"], opclasses=["varchar_pattern_ops"], name="sup_violation_path"),
            models.Index(fields=["found_on"], name="sup_violation_found"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.norm_id} {self.points}"
