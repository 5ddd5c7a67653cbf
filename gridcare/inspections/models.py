"""Open and mystery inspections (明查暗访) of business halls, supply stations and hotline
teams: the sites inspected (each owes a number of inspections per quarter), the checklists
(weighted items; a veto item fails the inspection whatever the score), each inspection
with its item results, findings and files (photos, documents, call recordings), published
for staff to read once a supervisor releases it. A failed item opens a rectification item
that closes only by a verified fix."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import PathScope, ScopedManager

from .choices import InspectionKind, InspectionStatus, SiteKind

USER = settings.AUTH_USER_MODEL


class InspectionSite(BaseModel):
    """A place that is inspected: a hall, a supply station or a hotline team. ``unit`` is
    the unit answering for it (the hall's unit, the station, the hotline's unit) and owns
    the rectification items its failed inspections open; ``per_quarter`` is how many
    inspections it must receive each quarter (the rule: at least one)."""

    kind = models.CharField(_("检查对象类型"), max_length=16, choices=SiteKind.choices)
    name = models.CharField(_("检查对象"), max_length=100)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    unit_path = models.CharField(_("单位路径"), max_length=255, db_index=True, editable=False)
    hall = models.OneToOneField(
        "hall.Hall",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("营业厅"),
    )
    per_quarter = models.PositiveSmallIntegerField(
        _("每季度至少检查次数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    active = models.BooleanField(_("启用"), default=True)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象")
        ordering = ["unit_path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit"], condition=Q(hall__isnull=True), name="inspections_site_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(per_quarter__gte=1) & Q(per_quarter__lte=12), name="inspections_site_per_quarter"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.unit_id:
            self.unit_path = (
                type(self).unit.field.related_model.objects.only("path").get(pk=self.unit_id).path
            )
        super().save(*args, **kwargs)


class Checklist(BaseModel):
    """A checklist (检查表) for one kind of site; the items carry the weights."""

    name = models.CharField(_("检查表"), max_length=100, unique=True)
    site_kind = models.CharField(_("适用对象"), max_length=16, choices=SiteKind.choices)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["site_kind", "name"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One item of a checklist: what is checked, its weight (1–100) in the score, and
    whether failing it fails the whole inspection (否决项)."""

    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="items", verbose_name=_("检查表")
    )
    position = models.PositiveSmallIntegerField(
        _("序号"), default=1, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    text = models.CharField(_("检查内容"), max_length=200)
    weight = models.PositiveSmallIntegerField(
        _("分值权重"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    veto = models.BooleanField(_("否决项"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["checklist_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=100), name="inspections_item_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checklist_id}.{self.position} {self.text}"


class Inspection(BaseModel):
    """One inspection of a site: when, by whom, which kind (明查 / 暗访 / 测试电话), the
    checklist it followed (its items copied into the results), the score (share of the
    weights passed, 0–100), and whether it passed (no veto item failed and the score at
    least the pass mark in force when it was recorded). Published ones are read by staff."""

    site = models.ForeignKey(
        InspectionSite, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("检查对象")
    )
    unit_path = models.CharField(_("单位路径"), max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("检查方式"), max_length=16, choices=InspectionKind.choices)
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查表")
    )
    at = models.DateTimeField(_("检查时间"), db_index=True)
    inspector = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查人"))
    findings = models.TextField(_("检查发现"), blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    pass_mark = models.PositiveSmallIntegerField(_("合格分"))
    passed = models.BooleanField(_("合格"))
    vetoed = models.BooleanField(_("否决项不合格"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.SUBMITTED
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("公布人")
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("明查暗访")
        verbose_name_plural = _("明查暗访")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="inspections_score_range"
            ),
            models.CheckConstraint(
                condition=~(Q(vetoed=True) & Q(passed=True)), name="inspections_veto_fails"
            ),
        ]
        indexes = [models.Index(fields=["site", "at"], name="inspections_site_at")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"JC{self.pk:06d}" if self.pk else "JC"


class InspectionResult(models.Model):
    """One checklist item's result in one inspection (the item's text, weight and veto
    copied: a later edit of the checklist does not change a recorded inspection).
    ``rectification_id`` names the rectification item a failed result opened (a plain id:
    rectification sits on a lower floor and knows nothing of inspections)."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="results", verbose_name=_("检查")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("检查内容"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("分值权重"))
    veto = models.BooleanField(_("否决项"), default=False)
    passed = models.BooleanField(_("合格"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    rectification_id = models.PositiveIntegerField(_("整改事项"), null=True, blank=True)

    scope = PathScope("inspection__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["inspection_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.inspection_id}.{self.position}"


def file_path(row: InspectionFile, filename: str) -> str:
    return f"inspections/{row.inspection_id}/{row.token}.{row.extension}"


class InspectionFile(models.Model):
    """A photo, document or call recording of an inspection (type read from the content,
    size bounded by ``core.uploads``)."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="files", verbose_name=_("检查")
    )
    file = models.FileField(upload_to=file_path, max_length=200)
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    filename = models.CharField(_("文件名"), max_length=200)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"))

    scope = PathScope("inspection__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查附件")
        verbose_name_plural = _("检查附件")
        ordering = ["inspection_id", "at", "id"]

    def __str__(self) -> str:
        return self.filename


class InspectionSetting(NamedIntegerSetting):
    """Named integer settings of inspections (settings pages; bounds checked on save)."""

    PASS_MARK = "pass_mark"
    RECTIFY_WORKING_DAYS = "rectify_working_days"
    SPEC: dict[str, tuple[int, int, int]] = {
        PASS_MARK: (85, 0, 100),
        RECTIFY_WORKING_DAYS: (10, 1, 60),
    }
    LABELS = {
        PASS_MARK: _("检查合格分（0–100）"),
        RECTIFY_WORKING_DAYS: _("不合格项整改期限（工作日）"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("明查暗访参数")
        verbose_name_plural = _("明查暗访参数")
        ordering = ["key"]
