"""Data quality (数据质量): nightly checks over customer master data and 户变关系, and the
findings they raise — each a task that is assigned, resolved or dismissed, and that closes
itself once the check no longer finds the problem."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel
from gridcare.core.scoping import ScopedManager, StationScope

from .choices import CheckCode, FindingStatus, RunTrigger


class DataQualityCheck(models.Model):
    """Whether a check runs (settings pages; seeded with every check on). A check that is
    switched off leaves its findings as they are."""

    code = models.CharField(_("检查项"), max_length=32, unique=True, choices=CheckCode.choices)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("数据质量检查项")
        verbose_name_plural = _("数据质量检查项")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()


class CheckRun(models.Model):
    """One run of the checks (nightly, or started by an admin): when, by whom, and per
    check how many problems were found, newly raised and closed because gone."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    trigger = models.CharField(_("触发方式"), max_length=16, choices=RunTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("运行人"),
    )
    # {check: {"found": n, "new": n, "closed": n}}
    counts = models.JSONField(_("结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("数据质量检查运行")
        verbose_name_plural = _("数据质量检查运行")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class CheckRunStat(models.Model):
    """What one run found per check and station: the dashboard's trend, scoped by station."""

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="stats")
    code = models.CharField(max_length=32, choices=CheckCode.choices)
    station_id = models.BigIntegerField()
    found = models.PositiveIntegerField(default=0)

    scope = StationScope("station_id")
    objects = ScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "code", "station_id"], name="dq_run_stat_unique")
        ]


class Finding(BaseModel):
    """One problem a check found: which check, on which customer or transformer area (its
    ``key`` identifies the problem within the check: the customer, the area, or a group of
    duplicates), the station it belongs to (scoping), what exactly (``details``: a stored
    message, code and parameters), when it was first and last seen, and its handling —
    open → assigned → resolved or dismissed, with a note. A finding the checks no longer
    see is resolved by the run itself (``auto_closed``). At most one active finding per
    problem; a dismissed problem is not raised again."""

    code = models.CharField(_("检查项"), max_length=32, choices=CheckCode.choices)
    key = models.CharField(max_length=64)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("客户"),
        db_index=False,
    )
    area = models.ForeignKey(
        "grid.TransformerArea",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("台区"),
        db_index=False,
    )
    station = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("供电所"), db_index=False
    )
    details = models.JSONField(_("问题说明"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    note = models.CharField(_("处理说明"), max_length=1000, blank=True)
    auto_closed = models.BooleanField(_("复查未再发现，自动关闭"), default=False)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关闭人"),
    )
    first_seen_at = models.DateTimeField(_("首次发现"))
    last_seen_at = models.DateTimeField(_("最近发现"))
    first_run = models.ForeignKey(CheckRun, on_delete=models.SET_NULL, null=True, related_name="+")
    last_run = models.ForeignKey(CheckRun, on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = StationScope("station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("数据质量问题")
        verbose_name_plural = _("数据质量问题")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "key"],
                condition=Q(status__in=["open", "assigned"]),
                name="dq_one_active_finding_per_problem",
            ),
        ]
        indexes = [
            models.Index(fields=["station", "status", "code"], name="dq_finding_station_status"),
            models.Index(fields=["code", "key"], name="dq_finding_code_key"),
            models.Index(
                fields=["customer"], name="dq_finding_customer", condition=Q(customer__isnull=False)
            ),
            models.Index(fields=["assignee", "status"], name="dq_finding_assignee"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.key}"
