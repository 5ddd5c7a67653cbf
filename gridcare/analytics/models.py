"""Models of the analytics domain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.scoping import PathScope, ScopedManager
from gridcare.workorders.choices import Dimension

from .choices import ReportJobStatus, ReportJobStep


class ClassifierModel(models.Model):
    """One trained version of the request classifier (request type + dimension).

    Rows are written by ``classifier_train`` / ``classifier_activate`` only. At most one
    row is active (database constraint); when none is, the artifact shipped with the
    package (version ``seed-2``) is used, so a fresh install classifies out of the box.
    ``artifact`` is a path relative to ``settings.DATA_DIR`` so the data directory can
    move. Rows are never deleted by rollback: which model labelled what stays traceable
    through ``version``.
    """

    version = models.CharField(_("版本"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    artifact = models.CharField(_("模型文件"), max_length=500)
    trained_on = models.JSONField(_("训练数据"), default=dict, blank=True)
    metrics = models.JSONField(_("评估指标"), default=dict, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    is_active = models.BooleanField(_("当前使用"), default=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("分类模型")
        verbose_name_plural = _("分类模型")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="analytics_one_active_classifier"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}{' *' if self.is_active else ''}"


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("周报")
    MONTHLY = "monthly", _("月报")


class PublishedReport(models.Model):
    """One published periodic analysis report (周报/月报) and its files.

    Written only by ``report_publish`` (reports/services.py). One row per kind, period and
    scope (``scope_path`` is the unit path the figures cover; "" is the whole company), so a
    scheduled run that finds its row already there does nothing, and an on-demand run
    replaces the row's figures and files. ``data`` is the complete figure set the web page,
    the Excel workbook and the PDF are all rendered from; ``xlsx_file``/``pdf_file`` are
    paths relative to ``settings.DATA_DIR``.
    """

    kind = models.CharField(_("类型"), max_length=16, choices=ReportKind.choices)
    period = models.CharField(_("期间"), max_length=16, help_text=_("2026-10 或 2026-W44"))
    period_start = models.DateField(_("起始日"))
    period_end = models.DateField(_("截止日（含）"))
    unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("范围单位"),
    )
    scope_path = models.CharField(_("范围"), max_length=255, blank=True, default="")
    generated_at = models.DateTimeField(_("生成时间"))
    trigger = models.CharField(_("生成方式"), max_length=16, default="on_demand")
    data = models.JSONField(_("报告数据"), default=dict)
    xlsx_file = models.CharField(_("Excel 文件"), max_length=500, blank=True)
    pdf_file = models.CharField(_("PDF 文件"), max_length=500, blank=True)

    scope = PathScope("scope_path", everyone_when_blank=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("分析报告")
        verbose_name_plural = _("分析报告")
        ordering = ["-period_start", "kind", "scope_path"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period", "scope_path"], name="analytics_report_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"


class ReportJob(models.Model):
    """One on-demand generation of a report (the "generate now" form), run by the worker.

    The page does not wait for the build (several seconds on a city's data): the request
    writes a queued row and enqueues ``build_report_job``; the worker moves it through
    ``building`` (``step`` says which part) to ``done`` (``report`` set) or ``failed``, and the
    report list polls the rows. Written only by the services in ``reports/services.py``. At
    most one unfinished job per kind, period and scope (database constraint), so a second
    click joins the running job instead of building the same report twice.
    """

    kind = models.CharField(_("类型"), max_length=16, choices=ReportKind.choices)
    period = models.CharField(_("期间"), max_length=16)
    unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("范围单位"),
    )
    scope_path = models.CharField(_("范围"), max_length=255, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("申请人"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportJobStatus.choices, default=ReportJobStatus.QUEUED
    )
    step = models.CharField(_("进度"), max_length=16, choices=ReportJobStep.choices, blank=True)
    report = models.ForeignKey(
        PublishedReport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("报告"),
    )
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    scope = PathScope("scope_path", everyone_when_blank=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("报告生成任务")
        verbose_name_plural = _("报告生成任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "scope_path"],
                condition=Q(status__in=["queued", "building"]),
                name="analytics_one_unfinished_report_job",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="analytics_reportjob_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ReportJobStatus.DONE, ReportJobStatus.FAILED)

    @property
    def progress(self) -> int:
        """Steps done of the whole (queued 0 … done ``len(ReportJobStep) + 1``)."""
        if self.status == ReportJobStatus.DONE:
            return len(ReportJobStep) + 1
        if self.status != ReportJobStatus.BUILDING or not self.step:
            return 0
        return list(ReportJobStep.values).index(self.step) + 1

    @property
    def progress_max(self) -> int:
        return len(ReportJobStep) + 1


class OrderClassification(models.Model):
    """What the classifier suggested for a work order's text, and whether the agent kept it.

    Written once per order by ``order_classification_record`` after the order is created:
    the suggestion is re-computed from the same text with the model active at intake, so
    ``model_version`` says which model labelled what, and ``type_accepted`` /
    ``dimension_accepted`` compare it with the labels the agent saved (confirmed labels).
    """

    order = models.OneToOneField(
        "workorders.WorkOrder", on_delete=models.CASCADE, related_name="classification"
    )
    suggested_request_type = models.CharField(_("建议类型"), max_length=24, blank=True)
    suggested_dimension = models.CharField(_("建议维度"), max_length=32, blank=True)
    request_type_probability = models.FloatField(_("类型概率"), null=True)
    dimension_probability = models.FloatField(_("维度概率"), null=True)
    low_confidence = models.BooleanField(_("低置信度"), default=False)
    model_version = models.CharField(_("模型版本"), max_length=64)
    type_accepted = models.BooleanField(_("采纳类型"))
    dimension_accepted = models.BooleanField(_("采纳维度"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工单分类建议")
        verbose_name_plural = _("工单分类建议")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.suggested_request_type}/{self.suggested_dimension}"


HOTSPOT_LEVELS = [("area", _("台区")), ("feeder", _("馈线")), ("station", _("供电所"))]


class HotspotDecisionState(models.TextChoices):
    ACCEPTED = "accepted", _("已列入计划")
    REJECTED = "rejected", _("不予处理")
    FIXED = "fixed", _("已整改")


class HotspotDecision(models.Model):
    """A planner's decision on one hotspot (level + asset + dimension): the planning loop.

    ``accepted`` puts it into the plan with the project or action (``action``, its
    category ``action_category``): the tracked actions are the accepted rows; ``rejected``
    needs a reason; ``fixed`` records when the fix was done (``fixed_at``), after which the
    hotspot page compares the asset's rate before and after with the same peer model.
    ``baseline`` keeps the hotspot's figures when it was decided. Written only by
    ``planning_services``; ``version`` turns stale edits into 409s. ``scope_path`` is the
    asset's unit path (the station's; a feeder spanning stations: the first one's).
    """

    level = models.CharField(_("层级"), max_length=16, choices=HOTSPOT_LEVELS)
    asset_id = models.PositiveBigIntegerField(_("资产"))
    asset_code = models.CharField(_("资产编码"), max_length=64)
    asset_name = models.CharField(_("资产名称"), max_length=200, blank=True)
    dimension = models.CharField(_("维度"), max_length=32, choices=Dimension.choices)
    state = models.CharField(_("状态"), max_length=16, choices=HotspotDecisionState.choices)
    action_category = models.CharField(_("措施类别"), max_length=32, blank=True)
    action = models.CharField(_("项目或措施"), max_length=500, blank=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    baseline = models.JSONField(_("决定时的热点数据"), default=dict, blank=True)
    scope_path = models.CharField(_("范围"), max_length=255, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), default=timezone.now)
    fixed_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("scope_path", everyone_when_blank=False)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("热点处理决定")
        verbose_name_plural = _("热点处理决定")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "asset_id", "dimension"], name="analytics_one_decision_per_hotspot"
            ),
        ]
        indexes = [models.Index(fields=["state", "level"], name="analytics_decision_state")]

    def __str__(self) -> str:
        return f"{self.asset_code} {self.dimension} ({self.get_state_display()})"
