"""Shared building blocks: the base model, audit events and the working-day calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import PathScope, ScopedManager


class BaseModel(models.Model):
    """Every domain row knows when it was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One recorded change: who did what to which object, with field-level old/new values.

    Written by services (never by views); append-only. ``unit_path`` copies the
    organisation path of the object's owning unit so admins can filter by unit and
    scoped users only see events of their own units; an event of no unit (blank path) is
    seen by users of the top unit only.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象ID"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)

    # Events of no unit (imports, unmasked exports, reports) are the company's: its top-level users see them.
    scope = PathScope("unit_path", top_when_blank=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class CalendarDay(models.Model):
    """An admin-editable exception to the plain Monday–Friday week.

    ``is_working`` False marks a statutory holiday; True marks a make-up working day
    (调休上班) on a weekend. Rows here always win over the ``chinesecalendar`` package,
    which is only used to seed this table for the years it knows.
    """

    date = models.DateField(_("日期"), unique=True)
    is_working = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("工作日历例外")
        verbose_name_plural = _("工作日历例外")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_working else '休'} {self.name}"


class CalendarYear(models.Model):
    """Marks a year whose holidays have been entered (seeded or by an admin).

    A year without a row falls back to plain weekends; the UI warns about such years.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=32, default="admin")

    class Meta:
        verbose_name = _("已录入日历年份")
        verbose_name_plural = _("已录入日历年份")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class PeriodicRun(models.Model):
    """When each periodic job runs next, and how its last run ended.

    The row is the lock that makes a schedule run once however many workers run: a worker
    claims a slot by moving ``next_run_at`` forward in one conditional UPDATE.
    """

    name = models.CharField(_("任务"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("下次运行"))
    last_started_at = models.DateTimeField(_("上次开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("上次结束"), null=True, blank=True)
    last_outcome = models.CharField(_("上次结果"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NamedIntegerSetting(models.Model):
    """Base of an app's named integer settings (admin-editable on the settings pages,
    seeded by a migration): ``SPEC`` maps each key to (default, minimum, maximum),
    ``LABELS`` to its translated label. Subclasses declare
    ``key = CharField(unique=True, choices=list(LABELS.items()))`` and ``value = IntegerField()``.
    Bounds are checked on save (``clean``); a key with no stored row reads as its default."""

    SPEC: dict[str, tuple[int, int, int]] = {}
    LABELS: dict = {}

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        spec = self.SPEC.get(self.key)
        if spec is None or self.value is None:
            return
        if not spec[1] <= self.value <= spec[2]:
            raise ValidationError({"value": _("取值范围 %(lo)s～%(hi)s") % {"lo": spec[1], "hi": spec[2]}})

    @classmethod
    def get(cls, key: str) -> int:
        value = cls.objects.filter(key=key).values_list("value", flat=True).first()
        return cls.SPEC[key][0] if value is None else value

    @classmethod
    def all_values(cls) -> dict[str, int]:
        """Every setting (stored value, else its default), in one query."""
        stored = dict(cls.objects.values_list("key", "value"))
        return {key: stored.get(key, spec[0]) for key, spec in cls.SPEC.items()}
