"""Models of the escalation domain: nothing slips.

Notifications and the outbox; warning levels and the time-limit monitor's records;
escalations; urges; repeated requests; callbacks; service failures and their recovery;
social supervisors. Rows that belong to a unit copy its organisation ``path`` so scoping
stays one indexed prefix match.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.messages import render_stored
from gridcare.core.scoping import OwnerScope, PathScope, ScopedManager
from gridcare.org.choices import Role, UnitKind
from gridcare.workorders.choices import ClockKind, RequestType

from .choices import (
    CallbackKind,
    CallbackResult,
    CallbackStatus,
    CompensationKind,
    EscalationReason,
    FailureCause,
    FailureOrigin,
    FailureSource,
    NotificationDelivery,
    NotificationEvent,
    NotificationKind,
    NotificationRecipient,
    OutboundChannel,
    OutboundStatus,
    RecoveryKind,
    RecoveryStatus,
    RepeatBasis,
    UrgeChannel,
)

USER = settings.AUTH_USER_MODEL


# ------------------------------------------------------------------------ configuration


class EscalationSetting(models.Model):
    """A named integer setting of warnings, urging, repeats and callbacks (admin-editable)."""

    URGE_ESCALATE_THRESHOLD = "urge_escalate_threshold"
    REPEAT_WINDOW_DAYS = "repeat_window_days"
    REPEAT_SIMILARITY_PCT = "repeat_similarity_pct"
    CALLBACK_MAX_ATTEMPTS = "callback_max_attempts"
    CALLBACK_ATTEMPT_GAP_MINUTES = "callback_attempt_gap_minutes"
    CALLBACK_MAX_DAYS = "callback_max_days"
    OUTBOX_MAX_ATTEMPTS = "outbox_max_attempts"
    SWEEP_BATCH = "sweep_batch"
    # Local hour at which the daily digest of notifications is sent.
    DIGEST_HOUR = "notification_digest_hour"
    # Authority limits apply to the running total, not per action: all compensation for one
    # failure, and all compensation one customer received within this many days.
    COMPENSATION_CUSTOMER_PERIOD_DAYS = "compensation_customer_period_days"
    DEFAULTS = {
        URGE_ESCALATE_THRESHOLD: 2,
        REPEAT_WINDOW_DAYS: 30,
        REPEAT_SIMILARITY_PCT: 20,
        CALLBACK_MAX_ATTEMPTS: 3,
        CALLBACK_ATTEMPT_GAP_MINUTES: 60,
        CALLBACK_MAX_DAYS: 14,
        OUTBOX_MAX_ATTEMPTS: 5,
        SWEEP_BATCH: 500,
        DIGEST_HOUR: 8,
        COMPENSATION_CUSTOMER_PERIOD_DAYS: 365,
    }

    key = models.CharField(_("参数"), max_length=64, unique=True)
    value = models.IntegerField(_("值"))
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("督办参数")
        verbose_name_plural = _("督办参数")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    @classmethod
    def get(cls, key: str) -> int:
        value = cls.objects.filter(key=key).values_list("value", flat=True).first()
        return cls.DEFAULTS.get(key, 0) if value is None else value


class WarningLevel(models.Model):
    """A point in a time limit where the monitor acts: a warning at a share of the allowed
    time, or the breach (100 %) that escalates the order one unit up. Seeded 50/80/100."""

    code = models.CharField(_("编码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    percent = models.PositiveSmallIntegerField(_("已用时限百分比"))
    escalate = models.BooleanField(_("升级督办"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("预警级别")
        verbose_name_plural = _("预警级别")
        ordering = ["percent"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100), name="warning_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.percent}%）"


class CallbackRule(models.Model):
    """Which replied orders are called back (sampling per type).

    ``sample_percent`` 100 calls every order of the type back; the choice per order is a
    stable hash of its number, so re-running never changes it. The deadline is not here: it
    is the order's callback clock (the commitment table), so the order and its callback
    task always show the same one.
    """

    request_type = models.CharField(_("诉求类型"), max_length=24, choices=RequestType.choices, unique=True)
    sample_percent = models.PositiveSmallIntegerField(_("抽样比例(%)"), default=100)

    class Meta:
        verbose_name = _("回访规则")
        verbose_name_plural = _("回访规则")
        ordering = ["request_type"]
        constraints = [
            models.CheckConstraint(condition=Q(sample_percent__lte=100), name="callback_sample_pct")
        ]

    def __str__(self) -> str:
        return f"{self.get_request_type_display()} {self.sample_percent}%"


class AuthorityLimit(models.Model):
    """How much compensation a role at a unit level may grant without approval.

    Blank role or unit kind matches any; the most specific row wins (role before unit
    kind). ``max_amount`` empty means no limit. Seeded: frontline ¥200, station head
    (supervisor at a station) ¥2,000, county and above unlimited.
    """

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    unit_kind = models.CharField(_("单位层级"), max_length=16, choices=UnitKind.choices, blank=True)
    max_amount = models.DecimalField(
        _("权限上限(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("补救授权额度")
        verbose_name_plural = _("补救授权额度")
        ordering = ["role", "unit_kind"]
        constraints = [models.UniqueConstraint(fields=["role", "unit_kind"], name="authority_limit_unique")]

    def __str__(self) -> str:
        return f"{self.role or '*'}@{self.unit_kind or '*'} ≤ {self.max_amount if self.max_amount is not None else '∞'}"


# ------------------------------------------------------------------------ notifications


class Notification(models.Model):
    """An in-app message to one user (owner, handler, supervisor), read or unread."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="gc_notifications")
    kind = models.CharField(_("类型"), max_length=16, choices=NotificationKind.choices)
    order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What it says: a message code and its parameters (``gridcare.core.messages``), put into
    # the reader's words when shown; ``text`` only for free text without a code.
    code = models.CharField(_("消息代码"), max_length=40, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    text = models.CharField(_("内容"), max_length=300, blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读于"), null=True, blank=True)

    scope = OwnerScope("recipient")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="esc_notif_inbox")]

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        return render_stored({"code": self.code, "params": self.params}, self.text)


class NotificationRule(models.Model):
    """Who is told of which order event, and how: right away, in the daily digest, or not.

    One row per (event, recipient kind); a missing row means "not told". Seeded with the
    defaults (time-limit warnings to the handler at once and to the unit's supervisors in
    the digest; the first-contact owner hears of the milestones; dispatchers of new queue
    items and of escalations to their unit); admins edit the delivery. Read through
    ``services.notification_rules`` (Django's cache, cleared on every save).
    """

    event = models.CharField(_("事件"), max_length=16, choices=NotificationEvent.choices)
    recipient = models.CharField(_("接收人"), max_length=16, choices=NotificationRecipient.choices)
    delivery = models.CharField(
        _("通知方式"),
        max_length=12,
        choices=NotificationDelivery.choices,
        default=NotificationDelivery.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("通知规则")
        verbose_name_plural = _("通知规则")
        ordering = ["event", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notification_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.get_recipient_display()}：{self.get_delivery_display()}"


class NotificationDigestItem(models.Model):
    """An event told by the daily digest: collected here, then sent once a day as one
    notification per recipient (``digest`` is that notification; empty while pending)."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=NotificationKind.choices)
    event = models.CharField(_("事件"), max_length=16, choices=NotificationEvent.choices)
    order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(_("消息代码"), max_length=40, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    text = models.CharField(_("内容"), max_length=300, blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    digest = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="digest_items"
    )

    scope = OwnerScope("recipient")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("待汇总通知")
        verbose_name_plural = _("待汇总通知")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(digest__isnull=True), name="esc_digest_pending")
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        return render_stored({"code": self.code, "params": self.params}, self.text)


class OutboundMessage(models.Model):
    """The outbox of SMS/WeChat/email messages, delivered by the configured backend.

    ``key`` makes enqueueing idempotent (one message per source event); delivery claims a
    row under a row lock so two workers never send it twice; a failure is retried up to
    the ``outbox_max_attempts`` setting, then the message is marked failed.
    """

    channel = models.CharField(_("渠道"), max_length=8, choices=OutboundChannel.choices)
    recipient = models.CharField(_("接收人"), max_length=120)
    body = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=8, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送"), default=timezone.now)
    response = models.JSONField(_("网关回执"), default=dict, blank=True)
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="esc_outbox_due")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.recipient} {self.status}"


class OutboxCursor(models.Model):
    """How far a feed (e.g. workorders' CustomerNotice) has been copied into the outbox."""

    name = models.CharField(max_length=64, unique=True)
    last_id = models.BigIntegerField(default=0)


# ------------------------------------------------------------------ time-limit monitor


class SlaWatch(models.Model):
    """When the monitor next has something to do for an order (``next_at``), indexed.

    The sweep reads only watches with ``next_at`` in the past, so it never scans the
    open orders. ``order_version`` is the order version the watch was computed from;
    the reconcile job recomputes watches that fell behind (orders written in bulk, or
    a process that died between a commit and its signal).
    """

    order = models.OneToOneField(
        "workorders.WorkOrder", primary_key=True, on_delete=models.CASCADE, related_name="sla_watch"
    )
    next_at = models.DateTimeField(null=True, blank=True)
    order_version = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["next_at"], name="esc_watch_next")]


class SlaWarning(models.Model):
    """One level reached by one clock of one order. Unique per (order, clock run, level):
    two workers or a rerun can never warn or escalate twice."""

    order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="sla_warnings")
    clock = models.ForeignKey(
        "workorders.WorkOrderClock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clock_kind = models.CharField(_("时限类型"), max_length=16, choices=ClockKind.choices)
    clock_started_at = models.DateTimeField(_("起算时间"))
    clock_due_at = models.DateTimeField(_("到期时间"))
    level = models.ForeignKey(
        WarningLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("级别")
    )
    percent = models.PositiveSmallIntegerField(_("百分比"))
    threshold_at = models.DateTimeField(_("触发时点"))
    at = models.DateTimeField(_("发出时间"), default=timezone.now)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    unit_path = models.CharField(max_length=255)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("时限预警")
        verbose_name_plural = _("时限预警")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "clock_kind", "clock_started_at", "level"], name="esc_warning_once"
            )
        ]
        indexes = [
            models.Index(fields=["unit_path"], opclasses=["varchar_pattern_ops"], name="esc_warning_path"),
            models.Index(fields=["at"], name="esc_warning_at"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.clock_kind} {self.percent}%"


class OrderEscalation(models.Model):
    """Where an order's supervision stands now: the unit it was escalated to and how many
    levels above its responsible unit. One row per escalated order."""

    order = models.OneToOneField(
        "workorders.WorkOrder", primary_key=True, on_delete=models.CASCADE, related_name="escalation_state"
    )
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)


class Escalation(models.Model):
    """One step up the organisation (提级处理): from which unit to which, and why.

    ``to_path`` scopes the escalation board: supervisors of the receiving unit and above
    see it.
    """

    order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="escalations")
    reason = models.CharField(_("原因"), max_length=16, choices=EscalationReason.choices)
    from_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("原单位")
    )
    to_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("升级至")
    )
    to_path = models.CharField(max_length=255)
    level = models.PositiveSmallIntegerField(_("升级层数"))
    warning = models.OneToOneField(
        SlaWarning, null=True, blank=True, on_delete=models.SET_NULL, related_name="escalation"
    )
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("已知悉"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = PathScope("to_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("升级督办")
        verbose_name_plural = _("升级督办")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["to_path"], opclasses=["varchar_pattern_ops"], name="esc_escalation_path"),
            models.Index(fields=["at"], name="esc_escalation_at"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.to_unit_id} ({self.reason})"


# ------------------------------------------------------------------------ urges, repeats


class Urge(models.Model):
    """A customer chasing an order (催办): when, through which channel, in their words.

    An urge on a closed order does not reopen it: ``follow_up`` is the new order it created.
    """

    order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="urges")
    channel = models.CharField(_("渠道"), max_length=16, choices=UrgeChannel.choices)
    words = models.TextField(_("客户原话"), blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    number = models.PositiveIntegerField(_("第几次"), default=1)
    follow_up = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="urged_from"
    )
    unit_path = models.CharField(max_length=255)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = _("催办")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["unit_path"], opclasses=["varchar_pattern_ops"], name="esc_urge_path"),
            models.Index(fields=["at"], name="esc_urge_at"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} #{self.number}"


class RepeatLink(models.Model):
    """The new order repeats an earlier one (重复诉求): flagged and escalated once."""

    order = models.OneToOneField(
        "workorders.WorkOrder", on_delete=models.CASCADE, related_name="repeat_of", verbose_name=_("新工单")
    )
    earlier = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.CASCADE,
        related_name="repeated_by",
        verbose_name=_("前次工单"),
    )
    basis = models.CharField(_("依据"), max_length=16, choices=RepeatBasis.choices)
    similarity = models.FloatField(_("文本相似度"))
    at = models.DateTimeField(default=timezone.now)
    unit_path = models.CharField(max_length=255)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("重复诉求")
        verbose_name_plural = _("重复诉求")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["unit_path"], opclasses=["varchar_pattern_ops"], name="esc_repeat_path"),
            models.Index(fields=["at"], name="esc_repeat_at"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} ≈ {self.earlier_id}"


# ---------------------------------------------------------------------------- callbacks


class CallbackTask(models.Model):
    """A call back to the customer (回访) after a reply, or after a recovery.

    One per order and reply (``cycle_at`` is the reply time: a reopened order replied
    again gets a new task), or one per service failure for the post-recovery call.
    """

    order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="callback_tasks")
    kind = models.CharField(
        _("类型"), max_length=16, choices=CallbackKind.choices, default=CallbackKind.ORDER
    )
    failure = models.ForeignKey(
        "escalation.ServiceFailure", null=True, blank=True, on_delete=models.CASCADE, related_name="callbacks"
    )
    cycle_at = models.DateTimeField(_("回单时间"))
    due_at = models.DateTimeField(_("回访时限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=CallbackStatus.choices, default=CallbackStatus.PENDING
    )
    result = models.CharField(_("回访结果"), max_length=24, choices=CallbackResult.choices, blank=True)
    words = models.TextField(_("客户意见"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("已拨打次数"), default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit_path = models.CharField(max_length=255)
    accepted_path = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    scope = PathScope("unit_path", "accepted_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("回访任务")
        verbose_name_plural = _("回访任务")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind", "cycle_at"], condition=Q(kind="order"), name="esc_callback_once"
            ),
            models.UniqueConstraint(
                fields=["failure"], condition=Q(kind="recovery"), name="esc_recovery_callback_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="esc_callback_due"),
            models.Index(fields=["unit_path"], opclasses=["varchar_pattern_ops"], name="esc_callback_path"),
            models.Index(
                fields=["accepted_path"], opclasses=["varchar_pattern_ops"], name="esc_callback_acc"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.status}"


class CallbackAttempt(models.Model):
    """One call: who, when, what came of it, in the customer's words."""

    task = models.ForeignKey(CallbackTask, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=24, choices=CallbackResult.choices)
    words = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


# ----------------------------------------------------------------- failures and recovery


class ServiceFailure(models.Model):
    """A service failure (服务失误): what went wrong, why, and who was responsible, so it can
    be recovered and learned from. ``source`` says how it came to light: a substantiated
    complaint (the order must be a complaint), a time limit run out, an inspection, a social
    supervisor, an unsatisfied callback, other. A failure has at most one order and one order
    at most one failure; one found without an order (an inspection's finding) is scoped by
    its responsible unit alone."""

    order = models.OneToOneField(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_failure",
        verbose_name=_("工单"),
    )
    source = models.CharField(
        _("发现途径"), max_length=16, choices=FailureSource.choices, default=FailureSource.COMPLAINT
    )
    origin = models.CharField(_("失误来源"), max_length=16, choices=FailureOrigin.choices)
    cause = models.CharField(_("失误原因"), max_length=24, choices=FailureCause.choices)
    responsible_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    unit_path = models.CharField(max_length=255)
    responsible_person = models.CharField(_("责任人"), max_length=100, blank=True)
    description = models.TextField(_("失误经过"))
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("认定时间"), default=timezone.now)
    satisfaction_after = models.CharField(
        _("补救后满意度"), max_length=24, choices=CallbackResult.choices, blank=True
    )

    scope = PathScope("unit_path", "order__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务失误")
        verbose_name_plural = _("服务失误")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="complaint") | Q(order__isnull=False), name="esc_failure_complaint_order"
            ),
        ]
        indexes = [
            models.Index(fields=["unit_path"], opclasses=["varchar_pattern_ops"], name="esc_failure_path"),
            models.Index(fields=["recorded_at"], name="esc_failure_at"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id or '-'} {self.origin}/{self.cause}"


class RecoveryAction(models.Model):
    """One step of a recovery plan (服务补救): apology, explanation, fix or compensation.

    A compensation above the proposer's authority waits for approval by someone whose
    limit covers it; nothing can be completed before it is approved.
    """

    failure = models.ForeignKey(ServiceFailure, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("措施"), max_length=16, choices=RecoveryKind.choices)
    description = models.TextField(_("说明"), blank=True)
    amount = models.DecimalField(_("补偿金额(元)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    compensation_kind = models.CharField(
        _("补偿方式"), max_length=16, choices=CompensationKind.choices, blank=True
    )
    status = models.CharField(_("状态"), max_length=16, choices=RecoveryStatus.choices)
    proposed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    authority_limit = models.DecimalField(
        _("提出人权限"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    scope = PathScope("failure__unit_path", "failure__order__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("补救措施")
        verbose_name_plural = _("补救措施")
        ordering = ["proposed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="esc_recovery_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(kind="compensation", amount__gt=0) | (~Q(kind="compensation") & Q(amount=0)),
                name="esc_recovery_amount_kind",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="esc_recovery_status")]

    def __str__(self) -> str:
        return f"{self.failure_id} {self.kind} {self.amount}"


# ---------------------------------------------------------------------- social supervisors


class SocialSupervisor(models.Model):
    """An outside citizen who watches the company's service (社会监督员) for an area."""

    name = models.CharField(_("姓名"), max_length=50)
    organisation = models.CharField(_("工作单位"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20)
    email = models.EmailField(_("邮箱"), blank=True)
    area = models.CharField(_("监督区域"), max_length=100)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("联系单位")
    )
    unit_path = models.CharField(max_length=255)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(_("在聘"), default=True)
    registered_at = models.DateTimeField(_("聘任时间"), default=timezone.now)
    registered_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("社会监督员")
        verbose_name_plural = _("社会监督员")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["unit_path"], opclasses=["varchar_pattern_ops"], name="esc_supervisor_path")
        ]

    def __str__(self) -> str:
        return self.name


class SupervisorSubmission(models.Model):
    """A problem reported by a social supervisor; it lives on as an order (channel ``supervisor``)."""

    supervisor = models.ForeignKey(SocialSupervisor, on_delete=models.PROTECT, related_name="submissions")
    order = models.OneToOneField("workorders.WorkOrder", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]


class SupervisorConsultation(models.Model):
    """A periodic meeting with the social supervisors (座谈/征询) and what came of it."""

    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    unit_path = models.CharField(max_length=255)
    held_on = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=200)
    minutes = models.TextField(_("纪要"), blank=True)
    attendees = models.ManyToManyField(SocialSupervisor, related_name="consultations", blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("监督员座谈")
        verbose_name_plural = _("监督员座谈")
        ordering = ["-held_on", "-id"]
