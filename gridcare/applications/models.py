"""Business applications with stages (业扩报装 and changes).

A ``StagePlan`` (per application kind × customer category × variant) lists the stages
(``StagePlanStep``) with their working-day limits, owners and required documents; it is
configuration, edited by admins. Accepting an ``Application`` copies the plan into its
``ApplicationStage`` rows, so a later plan edit never changes a running application.
Clocks run on the working-day calendar and pause only while waiting on the customer
(``ApplicationPause``); every step is kept on the timeline (``ApplicationEvent``, stored as
message codes). A stalled or terminated process gets a ``ProcessFollowUp`` that stays on
the accepting clerk's list until the clerk records the reason and the reply.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.caching import ProcessCache
from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import PathScope, ScopedManager
from gridcare.customers.choices import CustomerCategory
from gridcare.org.choices import Role, UnitKind
from gridcare.workorders.choices import ApplicationSubtype, Channel

from .choices import ApplicationStatus, FollowUpKind, StageStatus, TimeWindow, Variant

USER = settings.AUTH_USER_MODEL
MAX_LIMIT_DAYS = 120


class StagePlan(models.Model):
    """The stages an application of one kind, customer category and variant goes through,
    with the overall limit promised to the customer (working days; the commitments: new
    connections residential ≤ 5, low-voltage non-residential ≤ 6, high-voltage single ≤ 22,
    dual ≤ 32). One plan per (kind, category, variant); an inactive plan accepts nothing."""

    kind = models.CharField(_("业务类型"), max_length=24, choices=ApplicationSubtype.choices)
    category = models.CharField(_("用户类别"), max_length=24, choices=CustomerCategory.choices)
    variant = models.CharField(
        _("办理方式"), max_length=16, choices=Variant.choices, default=Variant.STANDARD
    )
    name = models.CharField(_("名称"), max_length=100)
    overall_limit_days = models.PositiveSmallIntegerField(_("总时限（工作日）"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("业扩流程方案")
        verbose_name_plural = _("业扩流程方案")
        ordering = ["kind", "category", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "category", "variant"], name="applications_one_plan"),
            models.CheckConstraint(
                condition=Q(overall_limit_days__gte=1, overall_limit_days__lte=MAX_LIMIT_DAYS),
                name="applications_plan_limit_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StagePlanStep(models.Model):
    """One stage of a plan: its place, its working-day limit, who owns it (a role and/or a
    unit level on the application's unit chain) and the documents it needs (one per line;
    each must be received before the stage completes). ``optional``: a stage that may be
    marked not applicable (e.g. 中间检查 without concealed works)."""

    plan = models.ForeignKey(
        StagePlan, on_delete=models.CASCADE, related_name="steps", verbose_name=_("方案")
    )
    seq = models.PositiveSmallIntegerField(_("顺序"))
    code = models.SlugField(_("环节编码"), max_length=32)
    name = models.CharField(_("环节"), max_length=50)
    limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"))
    owner_role = models.CharField(_("责任岗位"), max_length=32, choices=Role.choices, blank=True)
    owner_unit_kind = models.CharField(_("责任单位层级"), max_length=16, choices=UnitKind.choices, blank=True)
    documents = models.TextField(_("所需资料（每行一项）"), blank=True)
    optional = models.BooleanField(_("可不适用"), default=False)

    class Meta:
        verbose_name = _("业扩流程环节")
        verbose_name_plural = _("业扩流程环节")
        ordering = ["plan_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "seq"], name="applications_step_seq_unique"),
            models.CheckConstraint(
                condition=Q(limit_days__gte=0, limit_days__lte=MAX_LIMIT_DAYS),
                name="applications_step_limit_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.seq} {self.name}"

    def document_list(self) -> list[str]:
        return split_documents(self.documents)


def split_documents(text: str) -> list[str]:
    out: list[str] = []
    for line in (text or "").replace("、", "\n").splitlines():
        line = line.strip()[:60]
        if line and line not in out:
            out.append(line)
    return out


class Application(BaseModel):
    """One business application (业扩报装 or a change), from any channel (一口对外).

    ``hall``/``ticket``: the business hall and queue ticket it was taken at, if any.
    ``customer`` is empty for a new-connection applicant without a customer number (the
    applicant's name, phone and address are kept). ``unit`` owns it (``unit_path`` copied
    for scoping); ``accepted_by`` tracks it (流程跟踪责任制). ``due_at`` is the overall
    deadline: ``overall_limit_days`` working days from acceptance plus the working days
    paused; ``last_moved_at`` is the last stage movement (stalled processes are measured
    from it). ``version`` grows on every change."""

    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("客户"),
    )
    applicant_name = models.CharField(_("申请人"), max_length=100)
    applicant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    applicant_address = models.CharField(_("用电地址"), max_length=200, blank=True)
    kind = models.CharField(_("业务类型"), max_length=24, choices=ApplicationSubtype.choices)
    category = models.CharField(_("用户类别"), max_length=24, choices=CustomerCategory.choices)
    variant = models.CharField(
        _("办理方式"), max_length=16, choices=Variant.choices, default=Variant.STANDARD
    )
    channel = models.CharField(_("受理渠道"), max_length=16, choices=Channel.choices)
    plan_name = models.CharField(_("流程方案"), max_length=100)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("办理单位")
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    hall = models.ForeignKey(
        "hall.Hall",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("营业厅"),
    )
    ticket = models.ForeignKey(
        "hall.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("取号"),
    )
    work_order = models.OneToOneField(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("关联工单"),
    )
    accepted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理人")
    )
    accepted_at = models.DateTimeField(_("受理时间"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.IN_PROGRESS
    )
    current_stage = models.ForeignKey(
        "ApplicationStage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("当前环节"),
    )
    overall_limit_days = models.PositiveSmallIntegerField(_("总时限（工作日）"))
    paused_days = models.PositiveSmallIntegerField(_("暂停工作日"), default=0)
    due_at = models.DateTimeField(_("承诺办结时间"))
    last_moved_at = models.DateTimeField(_("最近流转时间"))
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    terminate_reason = models.TextField(_("终止原因"), blank=True)
    home_visit_due_at = models.DateTimeField(_("上门预约期限"), null=True, blank=True)
    home_visit_date = models.DateField(_("上门日期"), null=True, blank=True)
    home_visit_window = models.CharField(_("上门时段"), max_length=16, choices=TimeWindow.choices, blank=True)
    home_visit_booked_at = models.DateTimeField(_("预约时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("业务申请")
        verbose_name_plural = _("业务申请")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="applications_version_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "last_moved_at"], name="applications_status_moved"),
            models.Index(fields=["accepted_by", "status"], name="applications_clerk_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant_name}"

    @property
    def number(self) -> str:
        """What people call an application: YK and its id."""
        return f"YK{self.pk:07d}" if self.pk else "YK"

    @property
    def is_open(self) -> bool:
        return self.status in (ApplicationStatus.IN_PROGRESS, ApplicationStatus.WAITING_CUSTOMER)


class ApplicationStage(models.Model):
    """One stage of one application: a copy of the plan's step taken at acceptance, with
    its own clock. ``due_at`` = ``limit_days`` working days from ``started_at`` plus the
    working days paused during the stage; ``working_days`` (set on completion) is the
    stage's duration in working days with pauses left out."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stages")
    seq = models.PositiveSmallIntegerField(_("顺序"))
    code = models.CharField(_("环节编码"), max_length=32)
    name = models.CharField(_("环节"), max_length=50)
    limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"))
    owner_role = models.CharField(_("责任岗位"), max_length=32, choices=Role.choices, blank=True)
    owner_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    documents = models.JSONField(_("所需资料"), default=list, blank=True)
    optional = models.BooleanField(_("可不适用"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=StageStatus.choices, default=StageStatus.PENDING
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("环节期限"), null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField(_("暂停工作日"), default=0)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    working_days = models.PositiveSmallIntegerField(_("用时（工作日）"), null=True, blank=True)
    note = models.CharField(_("办理意见"), max_length=500, blank=True)

    scope = PathScope("application__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("业务环节")
        verbose_name_plural = _("业务环节")
        ordering = ["application_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["application", "seq"], name="applications_stage_seq_unique"),
        ]
        indexes = [models.Index(fields=["completed_at"], name="applications_stage_completed")]

    def __str__(self) -> str:
        return f"{self.application_id}#{self.seq} {self.name}"


def document_path(doc: ApplicationDocument, filename: str) -> str:
    return f"applications/{doc.application_id}/{doc.token}.{doc.extension}"


class ApplicationDocument(models.Model):
    """One document of a stage's checklist received (资料收取): checked by the clerk, and
    optionally the scanned file (a photo, PDF or Word file, checked by content)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    stage = models.ForeignKey(ApplicationStage, on_delete=models.CASCADE, related_name="received")
    name = models.CharField(_("资料"), max_length=60)
    file = models.FileField(upload_to=document_path, max_length=200, blank=True)
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("收取时间"))

    scope = PathScope("application__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("业务资料")
        verbose_name_plural = _("业务资料")
        ordering = ["stage_id", "name"]
        constraints = [models.UniqueConstraint(fields=["stage", "name"], name="applications_document_once")]

    def __str__(self) -> str:
        return f"{self.stage_id}:{self.name}"


class ApplicationPause(models.Model):
    """A pause of the clock while waiting on the customer (reason recorded). The working
    days it covers (``working_days``, set on resume) move the stage and overall due dates."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pauses")
    stage = models.ForeignKey(ApplicationStage, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("暂停原因"), max_length=500)
    started_at = models.DateTimeField(_("暂停时间"))
    started_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(_("暂停工作日"), null=True, blank=True)

    class Meta:
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")
        ordering = ["application_id", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(ended_at__isnull=True), name="applications_one_open_pause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.started_at:%Y-%m-%d}"


class ApplicationEvent(models.Model):
    """The timeline of an application: a message code and parameters (rendered in the
    reader's language) and whether the customer was told (an SMS queued)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.JSONField(_("内容"), default=dict)
    notified = models.BooleanField(_("已通知客户"), default=False)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["application_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.message.get('code', '')}"


class ProcessFollowUp(models.Model):
    """A stalled or terminated process to investigate and answer (流程跟踪责任制). One per
    episode: (application, kind, ``since`` — the last movement a stall was counted from, or
    the termination time). It stays on the accepting clerk's list (``clerk``) and their
    supervisors' until ``answered_at``: the reason found and the reply given to the customer."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("类型"), max_length=12, choices=FollowUpKind.choices)
    since = models.DateTimeField(_("起算时间"))
    clerk = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理人"))
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    opened_at = models.DateTimeField(_("发现时间"))
    reason = models.TextField(_("原因"), blank=True)
    reply = models.TextField(_("答复客户"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("流程跟踪")
        verbose_name_plural = _("流程跟踪")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "since"], name="applications_follow_up_once"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | (~Q(reason="") & ~Q(reply="")),
                name="applications_follow_up_answer_complete",
            ),
        ]
        indexes = [models.Index(fields=["clerk", "answered_at"], name="applications_follow_up_clerk")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"


class ApplicationSetting(NamedIntegerSetting):
    """Named integer settings of the application process (admin-editable, seeded)."""

    STALL_WORKING_DAYS = "stall_working_days"
    HOME_VISIT_WORKING_DAYS = "home_visit_working_days"
    SPEC: dict[str, tuple[int, int, int]] = {
        STALL_WORKING_DAYS: (3, 1, 30),
        HOME_VISIT_WORKING_DAYS: (1, 1, 5),
    }
    LABELS = {
        STALL_WORKING_DAYS: _("流程停滞判定（工作日未流转）"),
        HOME_VISIT_WORKING_DAYS: _("远程受理后预约上门期限（工作日）"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("业扩流程参数")
        verbose_name_plural = _("业扩流程参数")
        ordering = ["key"]


# The stall rule is read on every clerk's home page and list: each process keeps the
# settings for a short while and drops them when a row is saved here (as care's settings).
_settings_cache = ProcessCache("applications", seconds=30.0).follow(ApplicationSetting)


def application_setting(key: str) -> int:
    """``ApplicationSetting`` ``key``'s value (stored, else default), cached per process."""
    return _settings_cache.get("settings", ApplicationSetting.all_values)[key]
