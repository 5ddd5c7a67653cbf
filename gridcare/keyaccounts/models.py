"""Key accounts (大客户服务): large and important customers' service packages with their
periodic safety inspections (安全检查) and findings, and important customers' emergency plans
(应急预案) with their drills (演练).

Every row belongs to a customer and is scoped by the customer's supply station.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import ScopedManager, StationScope

from .choices import DrillResult, DrillStatus, InspectionStatus, PlanWarningKind, Severity

USER = settings.AUTH_USER_MODEL
INTERVAL_MONTHS = (1, 60)


class ServicePackage(BaseModel):
    """A service package offered to large customers (基础服务包, 增值服务包…): what it
    includes and how often its safety inspection comes round. Admin-edited on the settings
    pages; seeded with the defaults."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    includes = models.TextField(_("服务内容"), blank=True)
    inspection_interval_months = models.PositiveSmallIntegerField(
        _("安全检查周期（月）"),
        validators=[MinValueValidator(INTERVAL_MONTHS[0]), MaxValueValidator(INTERVAL_MONTHS[1])],
    )
    active = models.BooleanField(_("可订购"), default=True)

    class Meta:
        verbose_name = _("服务包")
        verbose_name_plural = _("服务包")
        ordering = ["inspection_interval_months", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspection_interval_months__gte=INTERVAL_MONTHS[0])
                & Q(inspection_interval_months__lte=INTERVAL_MONTHS[1]),
                name="service_package_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Subscription(BaseModel):
    """A customer's service package from ``start_date`` (until ``ended_on``): one current
    subscription per customer; changing the package ends the old one."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    package = models.ForeignKey(
        ServicePackage, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("服务包")
    )
    start_date = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = StationScope("customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务包订购")
        verbose_name_plural = _("服务包订购")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(ended_on__isnull=True), name="subscription_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.package_id}"


class SafetyInspection(BaseModel):
    """A safety inspection of a customer under a subscription: scheduled (due on
    ``due_date``; the schedule generates the next one, ``seq`` numbering them per
    subscription so a rerun generates nothing twice), then done (date, inspector, notes,
    findings) or cancelled."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("服务包订购")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    due_date = models.DateField(_("应检日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.SCHEDULED
    )
    done_on = models.DateField(_("检查日期"), null=True, blank=True)
    inspector = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("检查人")
    )
    notes = models.TextField(_("检查情况"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = StationScope("customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("安全检查")
        verbose_name_plural = _("安全检查")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "seq"], name="inspection_seq_unique"),
            models.UniqueConstraint(
                fields=["subscription"],
                condition=Q(status=InspectionStatus.SCHEDULED),
                name="inspection_one_scheduled",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="inspection_status_due")]

    def __str__(self) -> str:
        return f"{self.customer_id}#{self.seq}"


class InspectionFinding(models.Model):
    """A problem an inspection found, with its severity. One that needs work opened a
    rectification item owned by the customer's station (``rectification``)."""

    inspection = models.ForeignKey(
        SafetyInspection, on_delete=models.CASCADE, related_name="findings", verbose_name=_("安全检查")
    )
    description = models.CharField(_("发现问题"), max_length=500)
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices)
    needs_work = models.BooleanField(_("需整改"), default=False)
    rectification = models.ForeignKey(
        "rectification.RectificationItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改事项"),
    )

    scope = StationScope("inspection__customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查发现问题")
        verbose_name_plural = _("检查发现问题")
        ordering = ["inspection_id", "id"]

    def __str__(self) -> str:
        return self.description[:50]


def plan_document_path(plan: EmergencyPlan, filename: str) -> str:
    return f"keyaccounts/plans/{plan.customer_id}/{plan.token}.{plan.extension}"


class EmergencyPlan(BaseModel):
    """An important customer's emergency plan (应急预案): the document (PDF, Word or an
    image, checked by content, at most 10 MB), the people to call, the backup power, and
    when it must be reviewed. One current plan per customer; a new one retires the old."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    title = models.CharField(_("预案名称"), max_length=200)
    document = models.FileField(_("预案文件"), upload_to=plan_document_path, max_length=200, blank=True)
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    # [{"name": ..., "role": ..., "phone": ...}, …]
    contacts = models.JSONField(_("联系人"), default=list, blank=True)
    backup_power = models.TextField(_("自备应急电源"), blank=True)
    backup_capacity_kw = models.DecimalField(
        _("自备电源容量(kW)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    review_date = models.DateField(_("复审日期"))
    active = models.BooleanField(_("现行"), default=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = StationScope("customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        ordering = ["review_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(active=True), name="plan_one_current"),
            models.CheckConstraint(
                condition=Q(backup_capacity_kw__isnull=True) | Q(backup_capacity_kw__gte=0),
                name="plan_capacity_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["active", "review_date"], name="plan_active_review")]

    def __str__(self) -> str:
        return self.title


class Drill(BaseModel):
    """An emergency drill of a plan: scheduled, then recorded (the day held, who took
    part, the result, notes) or cancelled."""

    plan = models.ForeignKey(
        EmergencyPlan, on_delete=models.PROTECT, related_name="drills", verbose_name=_("应急预案")
    )
    scheduled_for = models.DateField(_("计划日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=DrillStatus.choices, default=DrillStatus.SCHEDULED
    )
    held_on = models.DateField(_("演练日期"), null=True, blank=True)
    participants = models.TextField(_("参加人员"), blank=True)
    result = models.CharField(_("演练结果"), max_length=16, choices=DrillResult.choices, blank=True)
    notes = models.TextField(_("演练情况"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = StationScope("plan__customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-scheduled_for", "-id"]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.scheduled_for}"


class PlanWarning(models.Model):
    """A plan's review date warned once per state (expiring, expired) and review date: the
    periodic job's record, so a rerun tells nobody twice; a new review date warns anew."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="warnings")
    review_date = models.DateField(_("复审日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=PlanWarningKind.choices)
    at = models.DateTimeField(_("时间"))
    notified = models.PositiveSmallIntegerField(_("通知人数"), default=0)

    scope = StationScope("plan__customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("预案到期提醒")
        verbose_name_plural = _("预案到期提醒")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "review_date", "kind"], name="plan_warning_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.kind}"


class KeyAccountSetting(NamedIntegerSetting):
    """A named integer setting of key-account service (admin-editable on the settings
    pages, seeded with the defaults below; bounds checked on save)."""

    PLAN_EXPIRING_DAYS = "plan_expiring_days"
    INSPECTION_LEAD_DAYS = "inspection_lead_days"
    RECTIFY_DAYS_MINOR = "rectify_days_minor"
    RECTIFY_DAYS_MAJOR = "rectify_days_major"
    RECTIFY_DAYS_SERIOUS = "rectify_days_serious"
    # key -> (default, minimum, maximum)
    SPEC: dict[str, tuple[int, int, int]] = {
        PLAN_EXPIRING_DAYS: (30, 1, 365),
        INSPECTION_LEAD_DAYS: (30, 0, 180),
        RECTIFY_DAYS_MINOR: (20, 1, 250),
        RECTIFY_DAYS_MAJOR: (10, 1, 250),
        RECTIFY_DAYS_SERIOUS: (3, 1, 250),
    }
    LABELS = {
        PLAN_EXPIRING_DAYS: _("应急预案复审日期前多少天提示即将到期"),
        INSPECTION_LEAD_DAYS: _("安全检查提前多少天生成检查任务"),
        RECTIFY_DAYS_MINOR: _("一般问题整改期限（工作日）"),
        RECTIFY_DAYS_MAJOR: _("较大问题整改期限（工作日）"),
        RECTIFY_DAYS_SERIOUS: _("严重问题整改期限（工作日）"),
    }
    BY_SEVERITY = {
        Severity.MINOR: RECTIFY_DAYS_MINOR,
        Severity.MAJOR: RECTIFY_DAYS_MAJOR,
        Severity.SERIOUS: RECTIFY_DAYS_SERIOUS,
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("大客户服务参数")
        verbose_name_plural = _("大客户服务参数")
        ordering = ["key"]
