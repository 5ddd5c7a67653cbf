"""Power outages (停电事件): the event, the transformer areas it cuts, and the customers
affected, frozen when the power goes off (the customers of an area may change later; who
was out stays as it was)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import PathScope, ScopedManager

from .choices import OutageKind, OutageStatus


class Outage(BaseModel):
    """One outage. ``unit_path`` is the path of the responsible supply station (the common
    ancestor of its transformer areas' stations when they belong to several), so lists scope
    without a join. ``version`` grows on every change."""

    outage_no = models.CharField(_("停电编号"), max_length=32, unique=True)
    kind = models.CharField(_("停电类型"), max_length=16, choices=OutageKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=OutageStatus.choices, default=OutageStatus.ANNOUNCED
    )
    cause = models.TextField(_("停电原因"), blank=True)
    planned_start = models.DateTimeField(_("计划停电时间"), null=True, blank=True)
    planned_end = models.DateTimeField(_("计划送电时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("停电时间"), null=True, blank=True)
    restored_at = models.DateTimeField(_("恢复送电时间"), null=True, blank=True)
    estimated_restoration = models.DateTimeField(_("预计恢复时间"), null=True, blank=True)
    # When the crew isolated the fault (故障隔离): between the start and the restoration.
    isolated_at = models.DateTimeField(_("故障隔离时间"), null=True, blank=True)
    unit_path = models.CharField(_("责任单位路径"), max_length=255, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    # Notices to customers (``notices.py``): when the advance notice went out (queued in the
    # outbox), whether it went out too late for the kind's lead time, and how many affected
    # customers have no phone on file (not reachable by SMS: reported, not lost).
    notice_sent_at = models.DateTimeField(_("停电通知时间"), null=True, blank=True)
    notice_late = models.BooleanField(_("通知不及时"), default=False)
    notice_unreachable = models.PositiveIntegerField(_("无法通知客户数"), default=0)
    # The fault order that stands for the outage: later fault reports of its customers
    # become its children (set by the first report taken through the known-outage prompt).
    master_order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("主工单"),
    )

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("停电事件")
        verbose_name_plural = _("停电事件")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="outage_version_positive"),
            models.CheckConstraint(
                condition=Q(restored_at__isnull=True)
                | (Q(started_at__isnull=False) & Q(restored_at__gte=models.F("started_at"))),
                name="outage_restored_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.outage_no

    def clean(self) -> None:
        # Not a database constraint: a re-import may move the start or the restoration.
        from django.core.exceptions import ValidationError

        if self.isolated_at is None:
            return
        if self.started_at is None or self.isolated_at < self.started_at:
            raise ValidationError({"isolated_at": _("故障隔离时间不能早于停电时间")})
        if self.restored_at is not None and self.isolated_at > self.restored_at:
            raise ValidationError({"isolated_at": _("故障隔离时间不能晚于恢复送电时间")})


class OutageArea(models.Model):
    """A transformer area cut by an outage; restored on its own (partial restoration)."""

    outage = models.ForeignKey(
        Outage, on_delete=models.CASCADE, related_name="areas", verbose_name=_("停电事件")
    )
    area = models.ForeignKey(
        "grid.TransformerArea", on_delete=models.PROTECT, related_name="+", verbose_name=_("台区")
    )
    started_at = models.DateTimeField(_("停电时间"), null=True, blank=True)
    restored_at = models.DateTimeField(_("恢复送电时间"), null=True, blank=True)

    scope = PathScope("outage__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("停电台区")
        verbose_name_plural = _("停电台区")
        ordering = ["outage_id", "area_id"]
        constraints = [
            models.UniqueConstraint(fields=["outage", "area"], name="outage_area_unique"),
            models.CheckConstraint(
                condition=Q(restored_at__isnull=True)
                | (Q(started_at__isnull=False) & Q(restored_at__gte=models.F("started_at"))),
                name="outage_area_restored_after_start",
            ),
        ]
        indexes = [models.Index(fields=["area", "started_at"], name="outage_area_area_idx")]

    def __str__(self) -> str:
        return f"{self.outage_id}:{self.area_id}"


class OutageCustomer(models.Model):
    """A customer out of power in an outage: who hung on the area when it went off, with the
    customer's own start and restoration (the reliability figures are sums over these rows)."""

    outage = models.ForeignKey(
        Outage, on_delete=models.CASCADE, related_name="customers", verbose_name=_("停电事件")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    area = models.ForeignKey(
        "grid.TransformerArea", on_delete=models.PROTECT, related_name="+", verbose_name=_("台区")
    )
    started_at = models.DateTimeField(_("停电时间"))
    restored_at = models.DateTimeField(_("恢复送电时间"), null=True, blank=True)

    scope = PathScope("outage__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("停电客户")
        verbose_name_plural = _("停电客户")
        ordering = ["outage_id", "customer_id"]
        constraints = [
            models.UniqueConstraint(fields=["outage", "customer"], name="outage_customer_unique"),
            models.CheckConstraint(
                condition=Q(restored_at__isnull=True) | Q(restored_at__gte=models.F("started_at")),
                name="outage_customer_restored_after_start",
            ),
        ]
        indexes = [models.Index(fields=["started_at"], name="outage_customer_start_idx")]

    def __str__(self) -> str:
        return f"{self.outage_id}:{self.customer_id}"


class OutageWarning(models.Model):
    """One warning level reached by an outage's restoration deadline (the estimated
    restoration, else the committed one): the time-limit monitor's record, as ``SlaWarning``
    is an order's. Unique per (outage, level): an outage is warned or escalated once per
    level, whoever sweeps and however often. ``escalated_to`` is the unit a breach went to."""

    outage = models.ForeignKey(
        Outage, on_delete=models.CASCADE, related_name="warnings", verbose_name=_("停电事件")
    )
    level = models.ForeignKey(
        "escalation.WarningLevel", on_delete=models.PROTECT, related_name="+", verbose_name=_("级别")
    )
    percent = models.PositiveSmallIntegerField(_("百分比"))
    due_at = models.DateTimeField(_("到期时间"))
    threshold_at = models.DateTimeField(_("触发时点"))
    at = models.DateTimeField(_("发出时间"))
    escalated_to = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("升级至"),
    )
    unit_path = models.CharField(max_length=255)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("停电时限预警")
        verbose_name_plural = _("停电时限预警")
        ordering = ["outage_id", "percent"]
        constraints = [
            models.UniqueConstraint(fields=["outage", "level"], name="outage_warning_once"),
        ]

    def __str__(self) -> str:
        return f"{self.outage_id} {self.percent}%"


class OutageSetting(NamedIntegerSetting):
    """A named integer setting of outages and reliability (admin-editable on the settings
    pages, seeded with the defaults below). The label of each key is translated at display
    time; each value has bounds checked on save."""

    SHORT_INTERRUPTION_MINUTES = "short_interruption_minutes"
    FREQUENT_MIN_COUNT = "frequent_min_count"
    FREQUENT_MONTHS = "frequent_months"
    # key -> (default, minimum, maximum)
    SPEC: dict[str, tuple[int, int, int]] = {
        SHORT_INTERRUPTION_MINUTES: (3, 0, 60),
        FREQUENT_MIN_COUNT: (3, 1, 100),
        FREQUENT_MONTHS: (2, 1, 24),
    }
    LABELS = {
        SHORT_INTERRUPTION_MINUTES: _("短时停电阈值（分钟，短于此不计入可靠性）"),
        FREQUENT_MIN_COUNT: _("频繁停电：停电次数超过"),
        FREQUENT_MONTHS: _("频繁停电：统计月数"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("停电参数")
        verbose_name_plural = _("停电参数")
        ordering = ["key"]
