"""Rectification items (整改): a found problem tracked until someone other than who fixed it
has verified the fix — one mechanism for every source (a safety inspection's finding, an
evaluation, a supervisor's point, a recurring cause of failures…)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import PathScope, ScopedManager

from .choices import RectificationStatus

USER = settings.AUTH_USER_MODEL


class RectificationItem(BaseModel):
    """One problem to put right. ``source_kind`` + ``source_ref`` say where it was found
    (one open item per source reference: opening it again returns the same item);
    ``unit`` owns it (``unit_path`` copies the unit's path so lists scope without a join)
    and ``owner`` is the person answering for it, if named. ``due_date`` is a working day;
    the fix is owed by the end of it. A reopened item starts a new ``cycle`` with a new due
    date (the monitor's warning levels are counted per cycle). ``version`` grows on every
    change."""

    source_kind = models.CharField(_("来源"), max_length=40, db_index=True)
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    title = models.CharField(_("问题"), max_length=200)
    detail = models.TextField(_("问题描述"), blank=True)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    unit_path = models.CharField(_("责任单位路径"), max_length=255, db_index=True)
    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("责任人")
    )
    due_date = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    opened_at = models.DateTimeField(_("登记时间"))
    opened_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("登记人")
    )
    cycle = models.PositiveSmallIntegerField(_("整改轮次"), default=1)
    cycle_started_at = models.DateTimeField(_("本轮开始"))
    fixed_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("整改人")
    )
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("验证人")
    )
    verify_note = models.TextField(_("验证意见"), blank=True)
    reopen_reason = models.TextField(_("退回原因"), blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("撤销原因"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_ref"],
                condition=~Q(source_ref=""),
                name="rectification_one_per_source",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="rectification_version_positive"),
            models.CheckConstraint(condition=Q(cycle__gte=1), name="rectification_cycle_positive"),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="rectification_status_due")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """What people call an item: ZG and its id."""
        return f"ZG{self.pk:06d}" if self.pk else "ZG"

    def is_overdue(self, today: dt.date) -> bool:
        from .choices import AWAITING_FIX

        return self.status in AWAITING_FIX and self.due_date < today


def evidence_path(evidence: RectificationEvidence, filename: str) -> str:
    return f"rectification/{evidence.item_id}/{evidence.token}.{evidence.extension}"


class RectificationEvidence(models.Model):
    """The evidence of one fix (整改佐证): what was done, and optionally a file (a photo, a
    PDF or Word report — recognised by content, at most 10 MB). Every fix of every cycle is
    kept; the item shows the latest."""

    item = models.ForeignKey(
        RectificationItem, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("整改事项")
    )
    cycle = models.PositiveSmallIntegerField(_("整改轮次"))
    text = models.TextField(_("整改情况"))
    file = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"))

    scope = PathScope("item__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("整改佐证")
        verbose_name_plural = _("整改佐证")
        ordering = ["item_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.cycle}"


class RectificationWarning(models.Model):
    """One warning level reached by an item's due date in one cycle: the time-limit
    monitor's record (as ``OutageWarning`` is an outage's). Unique per (item, cycle, level):
    each level is acted on once per cycle, whoever sweeps and however often. ``level_id``
    names escalation's warning level (a plain id: escalation sits on the same floor),
    ``percent`` copies its share; ``escalated_to`` is the unit a breach went to."""

    item = models.ForeignKey(
        RectificationItem, on_delete=models.CASCADE, related_name="warnings", verbose_name=_("整改事项")
    )
    cycle = models.PositiveSmallIntegerField(_("整改轮次"))
    level_id = models.PositiveIntegerField(_("级别"))
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
        verbose_name = _("整改时限预警")
        verbose_name_plural = _("整改时限预警")
        ordering = ["item_id", "cycle", "percent"]
        constraints = [
            models.UniqueConstraint(fields=["item", "cycle", "level_id"], name="rectification_warning_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.cycle} {self.percent}%"


class RectificationSetting(NamedIntegerSetting):
    """A named integer setting of rectification (admin-editable on the settings pages,
    seeded with the defaults below; bounds checked on save)."""

    DEFAULT_DUE_WORKING_DAYS = "default_due_working_days"
    MAX_DUE_DAYS = "max_due_days"
    # key -> (default, minimum, maximum)
    SPEC: dict[str, tuple[int, int, int]] = {
        DEFAULT_DUE_WORKING_DAYS: (10, 1, 250),
        MAX_DUE_DAYS: (365, 30, 1100),
    }
    LABELS = {
        DEFAULT_DUE_WORKING_DAYS: _("默认整改期限（工作日）"),
        MAX_DUE_DAYS: _("整改期限最长（自然日）"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("整改参数")
        verbose_name_plural = _("整改参数")
        ordering = ["key"]
